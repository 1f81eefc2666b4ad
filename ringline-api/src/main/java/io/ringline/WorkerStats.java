package io.ringline;

/**
 * Counters of one worker. Written only by the worker thread; readable from any thread (values may
 * be slightly behind). Counters a backend does not have read 0.
 */
public interface WorkerStats {
    /** {@return bytes received} */
    long bytesIn();

    /** {@return bytes handed to the kernel for sending} */
    long bytesOut();

    /** {@return connections opened (accepted and connected)} */
    long connectionsOpened();

    /** {@return connections closed} */
    long connectionsClosed();

    /** {@return {@link Connection#sendRegion} calls that queued bytes (however the backend then sends them)} */
    long regionSends();

    /**
     * {@return region sends that went out without a user-space copy, counted by the backend (io_uring:
     * {@code SEND_ZC} from a fixed buffer, once per queue entry written whole); 0 on a backend that
     * has no such path}
     */
    long zeroCopySends();

    /** {@return sends of bytes copied into the send queue (including {@link Connection#sendReceived} that had to copy)} */
    long copiedSends();

    /**
     * {@return sends queued without a copy: {@link Connection#sendOwned} calls, and
     * {@link Connection#sendReceived} calls sent from lent receive memory}
     */
    long passThroughSends();

    /** {@return I/O operations submitted to the kernel (io_uring SQEs; NIO: read/write calls)} */
    long opsSubmitted();

    /** {@return kernel entries: io_uring_enter calls, or NIO selector selects} */
    long kernelEnters();

    /** {@return times the receive buffer pool was exhausted (io_uring ENOBUFS)} */
    long recvBufferExhausted();

    /** {@return event loop iterations} */
    long loopIterations();

    /** {@return TLS handshakes completed} */
    long tlsHandshakes();

    /** {@return TLS connections closed with {@link CloseReason#TLS_FAILED}, during or after the handshake} */
    long tlsFailures();
}
