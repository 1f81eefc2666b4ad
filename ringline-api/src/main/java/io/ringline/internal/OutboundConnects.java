package io.ringline.internal;

import io.ringline.Connection;
import io.ringline.TimerHandle;
import io.ringline.TlsConfig;
import io.ringline.spi.WorkerIo;

import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One worker's outbound connects in progress: each started with the driver's
 * {@link WorkerIo#connect}, aborted by its timeout or when the worker shuts down. A TLS connect
 * gives the driver a future of its own (the TCP connect) and is remembered by it until it
 * completes, so that {@link io.ringline.spi.WorkerServices#newConnection} called with that future
 * finds its {@link TlsConfig} ({@link #tlsFor}); the user's stage completes after the handshake.
 * Worker thread only.
 */
final class OutboundConnects {

    /** Schedules a timer on the worker. */
    interface Timers {
        TimerHandle schedule(Duration delay, Runnable task);
    }

    private final Supplier<WorkerIo> io;
    private final Timers timers;
    private final Set<Runnable> pending = new HashSet<>();
    /** TLS connects by the future their driver connect was given (identity: futures are not keys by value). */
    private final Map<CompletableFuture<Connection>, TlsConnect> tlsConnects = new IdentityHashMap<>();

    /**
     * What a TLS connect's connection needs.
     *
     * @param config     the client configuration
     * @param serverName the server name (SNI, hostname verification), null if none
     * @param stage      the user's stage, completed after the handshake
     */
    record TlsConnect(TlsConfig config, String serverName, CompletableFuture<Connection> stage) {
    }

    OutboundConnects(Supplier<WorkerIo> io, Timers timers) {
        this.io = io;
        this.timers = timers;
    }

    /**
     * Checks the arguments of {@link io.ringline.WorkerContext#connect}.
     *
     * @param timed whether a timeout was given (then it must be positive)
     */
    static void check(SocketAddress remote, Duration timeout, boolean timed) {
        if (timed) {
            java.util.Objects.requireNonNull(timeout, "timeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("connect timeout must be > 0, was " + timeout);
            }
        }
        java.util.Objects.requireNonNull(remote, "remote");
    }

    /**
     * Starts a connect to {@code remote}.
     *
     * @param timeout fails the connect with {@link SocketTimeoutException} after it; null: none
     * @return completes with the opened connection, or fails
     */
    CompletableFuture<Connection> start(SocketAddress remote, Duration timeout) {
        return start(remote, timeout, null);
    }

    /**
     * Starts a TLS connect to {@code remote}: the TCP connect as {@link #start}, then the handshake.
     *
     * @param timeout the TCP connect's timeout
     * @return completes with the connection after its handshake, or fails (the TCP connect's
     *         failure, or the handshake's {@link javax.net.ssl.SSLException})
     */
    CompletableFuture<Connection> startTls(SocketAddress remote, TlsConfig tls, Duration timeout) {
        CompletableFuture<Connection> stage = new CompletableFuture<>();
        start(remote, timeout, new TlsConnect(tls, TlsEngines.serverName(tls, remote), stage));
        return stage;
    }

    /** {@return the TLS connect whose driver connect was given {@code connect}, null if a plaintext one} */
    TlsConnect tlsFor(CompletableFuture<Connection> connect) {
        return tlsConnects.get(connect);
    }

    private CompletableFuture<Connection> start(SocketAddress remote, Duration timeout, TlsConnect tls) {
        CompletableFuture<Connection> result = new CompletableFuture<>();
        if (tls != null) {
            tlsConnects.put(result, tls);
            result.whenComplete((c, e) -> {
                tlsConnects.remove(result);
                if (e != null) {
                    tls.stage().completeExceptionally(e);
                }
            });
        }
        Runnable abort = io.get().connect(remote, result);
        if (result.isDone()) {
            return result;
        }
        Runnable abortAndFail = () -> {
            if (!result.isDone()) {
                abort.run();
                result.completeExceptionally(new ConnectException("connect to " + remote + " aborted: runtime is shutting down"));
            }
        };
        pending.add(abortAndFail);
        TimerHandle timer = timeout == null ? null : timers.schedule(timeout, () -> {
            if (!result.isDone()) {
                abort.run();
                result.completeExceptionally(new SocketTimeoutException("connect to " + remote + " timed out after " + timeout));
            }
        });
        result.whenComplete((c, e) -> {
            pending.remove(abortAndFail);
            if (timer != null) {
                timer.cancel();
            }
        });
        return result;
    }

    /** Aborts every connect in progress (shutdown); each fails with a {@link ConnectException}. */
    void abortAll() {
        for (Runnable abort : List.copyOf(pending)) {
            abort.run();
        }
    }

    /** {@return whether no connect is in progress} */
    boolean isEmpty() {
        return pending.isEmpty();
    }
}
