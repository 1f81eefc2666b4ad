package io.ringline;

/**
 * Thrown by a send when the connection's bounded send queue cannot take the bytes
 * ({@link Config#sendQueueLimit()}), or a UDP socket's ({@link Config#udpSendQueueLimit()}).
 * Nothing of the refused send was queued. Wait for {@link Handler#onWritable(Connection)}
 * (UDP: {@link DatagramHandler#onUdpWritable(UdpSocket)}) and try again.
 */
public class SendQueueFullException extends RinglineException {
    /** Bytes already queued when the send was refused. */
    private final long queued;
    /** Bytes of the refused send. */
    private final long requested;
    /** The queue limit in bytes. */
    private final long limit;

    /**
     * Creates the exception.
     *
     * @param queued    bytes already queued
     * @param requested bytes of the refused send
     * @param limit     the queue limit in bytes
     */
    public SendQueueFullException(long queued, long requested, long limit) {
        super("send queue full: " + queued + " bytes queued + " + requested + " requested > limit " + limit + " bytes");
        this.queued = queued;
        this.requested = requested;
        this.limit = limit;
    }

    /** {@return bytes that were queued when the send was refused} */
    public long queued() {
        return queued;
    }

    /** {@return size of the refused send} */
    public long requested() {
        return requested;
    }

    /** {@return the send queue limit of the connection or UDP socket} */
    public long limit() {
        return limit;
    }
}
