package io.ringline.spi;

/**
 * The socket operations of one connection, implemented by the backend and called by the core (its
 * {@link ConnectionCore}) on the worker thread. None of them throws: a failing operation reports
 * with {@link ConnectionCore#failed}.
 */
public interface Transport {

    /**
     * Writes as much of {@link ConnectionCore#outbound()} as the socket takes now (or starts an
     * asynchronous send of it); reports each write with {@link ConnectionCore#written} and then
     * {@link ConnectionCore#flushed()}. Called only while bytes are queued; a backend with a send in
     * flight may ignore the call and flush again when the send completes.
     */
    void flush();

    /** Shuts the socket's output down (FIN). Called once, after the queue drained. */
    void shutdownOutput();

    /**
     * Closes the socket and stops its I/O. Called once; the core reports no callback of this
     * connection after it and ignores the driver's later reports. Memory the kernel still reads
     * stays valid: queue entries are released only when {@link OutboundQueue#release()} balanced
     * every {@link OutboundQueue#retain()}.
     *
     * @param reset true to close with a reset (SO_LINGER 0: the peer sees ECONNRESET, unsent bytes
     *              are dropped), as the core asks whenever bytes were still queued or the shutdown
     *              grace period ended: a peer must never mistake a truncated stream for a complete
     *              one. False: an orderly close (FIN).
     */
    void close(boolean reset);

    /**
     * Stops ({@code paused}) or restarts reading from the socket, so that TCP flow control slows
     * the peer down. After a pause the driver reports at most
     * {@link WorkerIo#bytesReceivedAfterPause()} more bytes until it is resumed.
     *
     * @param paused true to stop reading
     */
    void readingPausedChanged(boolean paused);
}
