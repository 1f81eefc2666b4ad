package io.ringline.internal;

import io.ringline.Connection;
import io.ringline.TimerHandle;
import io.ringline.spi.WorkerIo;

import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One worker's outbound connects in progress: each started with the driver's
 * {@link WorkerIo#connect}, aborted by its timeout or when the worker shuts down. Worker thread only.
 */
final class OutboundConnects {

    /** Schedules a timer on the worker. */
    interface Timers {
        TimerHandle schedule(Duration delay, Runnable task);
    }

    private final Supplier<WorkerIo> io;
    private final Timers timers;
    private final Set<Runnable> pending = new HashSet<>();

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
        CompletableFuture<Connection> result = new CompletableFuture<>();
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
