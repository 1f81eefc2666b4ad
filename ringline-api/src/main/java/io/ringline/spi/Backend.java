package io.ringline.spi;

import io.ringline.internal.AcceptDispatcher;
import io.ringline.internal.Worker;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * One runtime's instance of a backend: creates the I/O driver of each worker and the listeners.
 * The shared core ({@code io.ringline.internal}) owns threads, tasks, timers, connection tokens,
 * send queues and the region control plane; a backend supplies only the I/O.
 */
public interface Backend extends AutoCloseable {

    /**
     * Creates the I/O driver of {@code worker}. Called on the worker's own thread, before its loop
     * starts and before its handler is created.
     *
     * @param worker the worker
     * @return its I/O driver
     * @throws IOException if it cannot be created (the runtime start then fails and is rolled back)
     */
    WorkerIo openWorker(Worker worker) throws IOException;

    /**
     * Binds a listener. Called after every worker started. Accepted sockets go to
     * {@link AcceptDispatcher#dispatch}, which spreads them over the workers and hands each one to
     * {@link WorkerIo#adopt(Object)} on its worker's thread.
     *
     * @param address    where to listen (port 0: any free port)
     * @param backlog    listen backlog
     * @param dispatcher where accepted sockets go
     * @return the running listener
     * @throws IOException if binding fails
     */
    Listener listen(InetSocketAddress address, int backlog, AcceptDispatcher dispatcher) throws IOException;

    /** Releases backend-wide resources; called once after every worker stopped. */
    @Override
    void close();
}
