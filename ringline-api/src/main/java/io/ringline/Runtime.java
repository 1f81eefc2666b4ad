package io.ringline;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A started ringline runtime: N worker threads, each running one event loop with its own
 * {@link Handler}, plus the listeners of {@link Config#bindAddresses()}.
 *
 * <pre>{@code
 * Config config = Config.builder().bind(new InetSocketAddress(8080)).build();
 * try (Runtime runtime = Runtime.start(config, worker -> new EchoHandler())) {
 *     System.out.println("serving on " + runtime.boundAddresses() + " with " + runtime.backendName());
 *     runtime.awaitTermination();
 * }
 * }</pre>
 *
 * <p>Once started, a runtime logs one INFO line ({@code "ringline started: ..."}, logger
 * {@code io.ringline.internal.RuntimeImpl}) naming the backend, why it was chosen, the worker count,
 * the bound addresses and the backend's features in use (for io_uring: buffer ring, fixed buffers,
 * SEND_ZC, multishot receive and accept, UDP GSO/GRO); its {@code toString()} returns the same text.
 *
 * <p><b>Threading:</b> every method may be called from any thread, except that
 * {@link #awaitTermination()} and {@link #close()} must not be called on a worker thread (they
 * would wait for the worker itself).
 */
public interface Runtime extends AutoCloseable {

    /**
     * Selects a backend, starts the workers (each gets a handler from {@code factory}), installs the
     * initial regions, and only then binds the listeners. Startup is all or nothing: if any step
     * fails, everything started so far is torn down and the error is thrown.
     *
     * @param config  the configuration
     * @param factory creates one handler per worker
     * @return the running runtime
     * @throws BackendUnavailableException if the requested backend is absent or unavailable, or none is
     * @throws IllegalArgumentException    if a {@link Config#options() backend option} is unknown to its
     *                                     backend, has an invalid value, or names no present backend
     * @throws RinglineException           if a worker, region or listener failed to start (the cause says why)
     * @throws NullPointerException        if an argument is null
     */
    static Runtime start(Config config, HandlerFactory factory) {
        return CoreLocator.FACTORY.start(config, factory);
    }

    /** {@return the name of the backend in use, e.g. {@code "io_uring"} or {@code "nio"}} */
    String backendName();

    /** {@return why this backend was selected (e.g. "highest priority available", "requested by ...")} */
    String backendSelectionReason();

    /** {@return the listeners' actual addresses (port 0 resolved), in {@link Config#bindAddresses()} order} */
    List<InetSocketAddress> boundAddresses();

    /**
     * {@return the bound UDP addresses, one per {@link Config#udpBindings()} entry in its order,
     * with the real port when bound to port 0 (every worker's socket of a binding has the same)}
     */
    List<InetSocketAddress> udpAddresses();

    /** {@return the number of workers} */
    int workerCount();

    /**
     * {@return the worker with the given index}
     *
     * @param workerId index in {@code [0, workerCount())}
     * @throws IndexOutOfBoundsException if out of range
     */
    WorkerContext worker(int workerId);

    /**
     * Opens an outbound connection on the next worker (round-robin); see
     * {@link WorkerContext#connect(SocketAddress, Duration)}.
     *
     * @param remote  the address
     * @param timeout connect timeout, {@code > 0}
     * @return completes on the owning worker's thread; fails with
     *         {@link java.util.concurrent.RejectedExecutionException} if that worker's task queue is
     *         full ({@link Config#taskQueueLimit()}), with {@link IllegalStateException} after shutdown
     */
    CompletionStage<Connection> connect(SocketAddress remote, Duration timeout);

    /** {@return the shutdown and region control handle} */
    ShutdownHandle shutdownHandle();

    /**
     * Waits until the runtime has terminated (after {@link ShutdownHandle#shutdown()}, or after a
     * worker died): every worker has stopped and every listener's accepting thread has ended and
     * closed its socket, so the ports can be bound again at once.
     *
     * <p>A worker dies only of a {@link VirtualMachineError} thrown by a callback (anything else a
     * callback throws closes that connection or fails that task) or of a fault of its backend. The
     * runtime then shuts down by itself: the other workers close their connections gracefully within
     * {@link Config#shutdownGracePeriod()}, and once everything stopped this method throws.
     *
     * @throws InterruptedException  if interrupted while waiting
     * @throws IllegalStateException if called on a worker thread
     * @throws RinglineException     if the runtime stopped because a worker died; the cause is what killed it
     */
    void awaitTermination() throws InterruptedException;

    /**
     * Waits at most {@code timeout} for the runtime to terminate (see {@link #awaitTermination()}).
     *
     * @param timeout the maximum wait
     * @return true if terminated
     * @throws InterruptedException  if interrupted while waiting
     * @throws IllegalStateException if called on a worker thread
     * @throws RinglineException     if the runtime has terminated because a worker died; the cause is what killed it
     */
    boolean awaitTermination(Duration timeout) throws InterruptedException;

    /** {@return whether the runtime has terminated: every worker and every accepting thread has stopped} */
    boolean isTerminated();

    /**
     * Shuts down gracefully and waits for termination. Idempotent. Does not throw for a runtime that
     * stopped because a worker died (that was logged; {@link #awaitTermination()} reports it).
     *
     * @throws IllegalStateException if called on a worker thread (use {@link ShutdownHandle#shutdown()})
     */
    @Override
    void close();
}
