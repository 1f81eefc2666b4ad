package io.ringline.spi;

import io.ringline.Config;
import io.ringline.Connection;

import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * What the core offers the I/O driver of one worker ({@link Backend#openWorker}).
 *
 * <p>Threading: every method runs on the worker's thread, except {@link #executeBackendTask},
 * {@link #workerId()}, {@link #config()} and {@link #options()}, which any thread may call.
 */
public interface WorkerServices {

    /** {@return this worker's index, 0-based} */
    int workerId();

    /** {@return the runtime's configuration} */
    Config config();

    /** {@return the backend's resolved options for this runtime} */
    BackendOptions options();

    /** {@return the counters this driver reports into (worker thread only)} */
    IoStats stats();

    /**
     * Creates the core of a connection whose socket the driver set up (accepted or connected). No
     * callback runs yet and no slot is taken: call {@link ConnectionCore#open()} once the driver
     * can serve the transport's operations.
     *
     * @param transport     the socket operations the core will ask for
     * @param localAddress  the socket's local address
     * @param remoteAddress the peer's address
     * @return the connection's core
     */
    default ConnectionCore newConnection(Transport transport, SocketAddress localAddress, SocketAddress remoteAddress) {
        return newConnection(transport, localAddress, remoteAddress, null);
    }

    /**
     * Creates the core of a connection, as {@link #newConnection(Transport, SocketAddress, SocketAddress)}
     * does, knowing where it comes from, which decides whether it runs TLS:
     * <ul>
     * <li>an accepted socket: {@code connect} null, and the call must happen inside
     *     {@link WorkerIo#adopt} for that socket (the core knows the listener then);</li>
     * <li>a connect started with {@link WorkerIo#connect}: {@code connect} is the {@code result}
     *     future that call was given.</li>
     * </ul>
     * The driver needs nothing else for TLS: the core encrypts and decrypts between the
     * connection's {@link ConnectionCore#received} / {@link ConnectionCore#outbound()} and the handler.
     *
     * @param transport     the socket operations the core will ask for
     * @param localAddress  the socket's local address
     * @param remoteAddress the peer's address
     * @param connect       the future given to {@link WorkerIo#connect} for this socket, or null if accepted
     * @return the connection's core
     */
    ConnectionCore newConnection(Transport transport, SocketAddress localAddress, SocketAddress remoteAddress,
                                 CompletableFuture<Connection> connect);

    /**
     * Queues a task of the driver itself (for example the housekeeping of Netty's ring) to run on
     * the worker thread; never refused because the user task queue is full, so the driver must
     * bound its own tasks. Callable from any thread; wakes the worker if it is blocked in
     * {@link WorkerIo#poll}.
     *
     * @param task the task
     * @throws RejectedExecutionException if the worker has terminated
     */
    void executeBackendTask(Runnable task);

    /** {@return whether the worker is shutting down (a connect must not start; accepted sockets are refused by the core)} */
    boolean isShuttingDown();
}
