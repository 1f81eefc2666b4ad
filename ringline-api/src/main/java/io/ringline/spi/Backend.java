package io.ringline.spi;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * One runtime's instance of a backend: creates the I/O driver of each worker and the listeners.
 * The core owns threads, tasks, timers, connection tokens, send queues, the parse contract and the
 * region control plane; a backend supplies only the I/O.
 *
 * <p>Threading: {@link #openWorker} runs on the worker's thread; {@link #listen} and
 * {@link #close} on the thread that starts or stops the runtime.
 */
public interface Backend extends AutoCloseable {

    /**
     * Creates the I/O driver of one worker. Called on that worker's own thread, before its loop
     * starts and before its handler is created.
     *
     * @param worker what the core offers the driver of this worker
     * @return its I/O driver
     * @throws IOException if it cannot be created (the runtime start then fails and is rolled back)
     */
    WorkerIo openWorker(WorkerServices worker) throws IOException;

    /**
     * Binds a listener. Called after every worker started. Accepted sockets go to
     * {@link AcceptSink#dispatch}, which spreads them over the workers and hands each one to
     * {@link WorkerIo#adopt} on its worker's thread.
     *
     * @param address where to listen (port 0: any free port)
     * @param backlog listen backlog
     * @param sink    where accepted sockets go
     * @return the running listener
     * @throws IOException if binding fails
     */
    Listener listen(InetSocketAddress address, int backlog, AcceptSink sink) throws IOException;

    /**
     * Describes the features this backend instance uses, as resolved when it opened (after any
     * fallback for what the kernel or platform lacks), for the one line the runtime logs at start:
     * for example {@code "buffer ring 256 x 16384 B; fixed buffers on; SEND_ZC from 16384 B"}.
     * Called once, after every worker started and every listener bound, on the thread that starts
     * the runtime.
     *
     * @return a short human-readable summary, or {@code ""} (the default) if there is nothing to say
     */
    default String describeFeatures() {
        return "";
    }

    /** Releases backend-wide resources; called once after every worker stopped. */
    @Override
    void close();
}
