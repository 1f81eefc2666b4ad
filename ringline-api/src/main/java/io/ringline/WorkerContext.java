package io.ringline;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;

/**
 * One worker: its event loop thread, timers, task queue and outbound connections.
 *
 * <p><b>Threading:</b> {@link #execute(Runnable)}, {@link #workerId()}, {@link #inWorkerThread()},
 * {@link #shutdownHandle()} and {@link #stats()} may be called from any thread. Every other method
 * must be called on this worker's thread ({@link IllegalStateException} otherwise).
 */
public interface WorkerContext {

    /** {@return this worker's index, 0-based} */
    int workerId();

    /** {@return whether the calling thread is this worker's thread} */
    boolean inWorkerThread();

    /**
     * Runs {@code task} once on this worker thread after {@code delay}. Timers with the same
     * deadline run in the order they were scheduled.
     *
     * @param delay delay, {@code >= 0}
     * @param task  task to run on the worker thread
     * @return a handle to cancel the timer
     * @throws IllegalArgumentException if {@code delay} is negative
     * @throws IllegalStateException    if called off the worker thread
     */
    TimerHandle schedule(Duration delay, Runnable task);

    /**
     * {@return a stage completed on this worker thread after {@code delay}}
     *
     * @param delay delay, {@code >= 0}
     * @throws IllegalArgumentException if {@code delay} is negative
     * @throws IllegalStateException    if called off the worker thread
     */
    CompletionStage<Void> sleep(Duration delay);

    /**
     * Returns a stage that completes like {@code stage} if it completes within {@code timeout}, else
     * fails with {@link java.util.concurrent.TimeoutException}. Completion happens on this worker thread.
     *
     * @param stage   the stage to watch
     * @param timeout the limit, {@code >= 0}
     * @param <T>     result type
     * @return the guarded stage
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException    if called off the worker thread
     */
    <T> CompletionStage<T> timeout(CompletionStage<T> stage, Duration timeout);

    /**
     * Runs {@code task} on this worker's thread, waking the worker if it is blocked. Callable from
     * any thread; never blocks (lock-free). Tasks from one thread run in submission order.
     *
     * <p>At most {@link Config#taskQueueLimit()} such tasks wait for this worker at once; past that
     * the call is refused, so a producer faster than the worker gets an error instead of filling the
     * heap. The runtime's own work for the worker (accepted connections, region updates,
     * completions of {@link #runBlocking}) is queued separately and never refused for this reason.
     *
     * @param task the task
     * @throws java.util.concurrent.RejectedExecutionException if the worker has terminated, or if
     *         {@link Config#taskQueueLimit()} tasks are waiting already (the message names the limit)
     * @throws NullPointerException if {@code task} is null
     */
    void execute(Runnable task);

    /**
     * Runs {@code task} on the runtime's blocking pool (never on a worker) and completes the
     * returned stage on this worker's thread. Never blocks the worker: when
     * {@link Config#blockingQueueLimit()} tasks already wait for a pool thread (runtime-wide), the
     * returned stage fails at once with {@link java.util.concurrent.RejectedExecutionException}
     * naming the limit, and {@code task} does not run. After shutdown the stage fails with
     * {@link IllegalStateException}.
     *
     * @param task blocking work
     * @param <T>  result type
     * @return its result, delivered on this worker's thread
     * @throws IllegalStateException if called off the worker thread
     */
    <T> CompletionStage<T> runBlocking(Callable<T> task);

    /**
     * Opens an outbound TCP connection owned by this worker, served by this worker's handler. The
     * stage completes on this worker thread; a refused connect fails it with
     * {@link java.net.ConnectException}.
     *
     * @param remote the address to connect to
     * @return the connected connection
     * @throws IllegalStateException if called off the worker thread
     */
    CompletionStage<Connection> connect(SocketAddress remote);

    /**
     * Like {@link #connect(SocketAddress)}, failing the stage with
     * {@link java.net.SocketTimeoutException} (and releasing the socket) when not connected within
     * {@code timeout}.
     *
     * @param remote  the address to connect to
     * @param timeout the connect timeout, {@code > 0}
     * @return the connected connection
     * @throws IllegalArgumentException if {@code timeout} is not positive
     * @throws IllegalStateException    if called off the worker thread
     */
    CompletionStage<Connection> connect(SocketAddress remote, Duration timeout);

    /**
     * Opens an outbound TLS connection: like {@link #connect(SocketAddress, Duration)}, and the
     * stage completes once the TLS handshake completed ({@link Connection#tls()} is present then;
     * {@link Handler#onOpen} ran at the TCP open, {@link Handler#onTlsHandshake} just before). The
     * server name for SNI and hostname verification is {@link TlsConfig#serverName()}, else the
     * host of {@code remote} (as given, not resolved). A failed handshake fails the stage with its
     * {@link javax.net.ssl.SSLException} and closes the connection with
     * {@link CloseReason#TLS_FAILED}; {@code timeout} covers the TCP connect, and the handshake
     * is bounded by {@link TlsConfig#handshakeTimeout()}.
     *
     * @param remote  the address to connect to
     * @param tls     a client configuration
     * @param timeout the TCP connect timeout, {@code > 0}
     * @return the connection, after its handshake
     * @throws IllegalArgumentException if {@code tls} is a server configuration or {@code timeout} is not positive
     * @throws IllegalStateException    if called off the worker thread
     */
    CompletionStage<Connection> connect(SocketAddress remote, TlsConfig tls, Duration timeout);

    /**
     * Opens a UDP socket owned by this worker, bound to {@code local} (port 0: a free port), whose
     * datagrams go to {@code handler}. It lives until {@link UdpSocket#close()} or shutdown.
     *
     * @param local   the local address to bind
     * @param handler its callbacks, run on this worker thread
     * @return the open socket
     * @throws java.io.UncheckedIOException if binding failed (the cause names the address)
     * @throws UnsupportedOperationException if the backend has no UDP (the in-memory testkit)
     * @throws IllegalStateException if called off the worker thread, or the worker is shutting down
     */
    UdpSocket openUdp(InetSocketAddress local, DatagramHandler handler);

    /**
     * Opens a connected UDP socket (client use): bound to {@code local}, connected to
     * {@code remote}, so the kernel accepts datagrams from {@code remote} only and
     * {@link UdpSocket#send} needs no address. An ICMP port-unreachable from the peer shows up as
     * {@link DatagramHandler#onUdpSendFailed} with {@code ECONNREFUSED}, and the socket stays open.
     *
     * @param local   the local address (for example {@code new InetSocketAddress(0)} or a loopback with port 0)
     * @param remote  the peer
     * @param handler its callbacks, run on this worker thread
     * @return the open socket
     * @throws java.io.UncheckedIOException if binding or connecting failed
     * @throws UnsupportedOperationException if the backend has no UDP
     * @throws IllegalArgumentException if {@code remote} is unresolved
     * @throws IllegalStateException if called off the worker thread, or the worker is shutting down
     */
    UdpSocket openUdp(InetSocketAddress local, InetSocketAddress remote, DatagramHandler handler);

    /**
     * {@return this worker's open UDP sockets: those of {@link Config#udpBindings()} it serves,
     * in binding order, then those opened with {@link #openUdp}, in opening order}
     *
     * @throws IllegalStateException if called off the worker thread
     */
    java.util.List<UdpSocket> udpSockets();

    /**
     * Resolves a token from {@link Connection#token()}.
     *
     * @param token a connection token
     * @return the connection if it is open and owned by this worker; empty for a stale token
     * @throws IllegalStateException if called off the worker thread
     */
    Optional<Connection> connection(long token);

    /** {@return the number of open connections of this worker} */
    int connectionCount();

    /** {@return the runtime's shutdown and region control handle} */
    ShutdownHandle shutdownHandle();

    /** {@return this worker's counters (a live view; values are read racily from other threads)} */
    WorkerStats stats();
}
