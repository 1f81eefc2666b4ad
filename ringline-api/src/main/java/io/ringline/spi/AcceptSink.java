package io.ringline.spi;

/**
 * Where a {@link Listener} hands accepted sockets: the core spreads them over the workers
 * round-robin, through each worker's bounded hand-off, skipping full workers.
 *
 * <p>Thread-safe; called by the listeners' accepting threads.
 */
public interface AcceptSink {

    /**
     * Hands {@code socket} to a worker, waiting while every worker is full (which leaves further
     * connections in the kernel's listen backlog).
     *
     * @param socket the accepted socket
     * @return true if handed off; false if the runtime stopped accepting (the socket was closed)
     * @throws InterruptedException if interrupted while waiting (the socket was closed)
     */
    boolean dispatch(AcceptedSocket socket) throws InterruptedException;

    /**
     * Hands {@code socket} to a worker with capacity, without waiting.
     *
     * @param socket the accepted socket
     * @return false if every worker is full or the runtime stopped accepting (the caller still owns the socket)
     */
    boolean tryDispatch(AcceptedSocket socket);

    /** {@return whether the runtime stopped accepting} */
    boolean isClosed();
}
