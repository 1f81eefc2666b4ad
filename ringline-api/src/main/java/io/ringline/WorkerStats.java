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

    /** {@return UDP datagrams received (each segment of a coalesced receive counts once), including truncated ones} */
    long datagramsReceived();

    /** {@return UDP datagrams handed to the kernel (each segment of a segmented send counts once)} */
    long datagramsSent();

    /** {@return received UDP datagrams larger than {@link Config#maxDatagramSize()}, delivered cut} */
    long datagramsTruncated();

    /**
     * {@return UDP datagrams the kernel dropped on the receive side because the socket's receive
     * queue was full (io_uring: while the UDP buffer ring was exhausted), as the kernel counts them
     * (Linux {@code SO_RXQ_OVFL}, or the socket's {@code drops} in {@code /proc/net/udp}); 0 where
     * the system does not tell}
     */
    long datagramsDropped();

    /** {@return UDP datagrams refused because the socket's send queue was full} */
    long datagramSendsRefused();

    /** {@return queued UDP datagrams the kernel refused, or dropped from the queue at close} */
    long datagramSendFailures();
}
