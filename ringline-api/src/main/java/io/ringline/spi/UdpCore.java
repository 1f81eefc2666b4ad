package io.ringline.spi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The core of one UDP socket, given to {@link WorkerIo#openUdp}: it owns the user-facing
 * {@link io.ringline.UdpSocket}, the bounded send queue and its backpressure, the counters, and
 * calls the {@link io.ringline.DatagramHandler}. The backend reports its socket's events here.
 *
 * <p><b>Threading:</b> worker thread only. After the core called {@link UdpTransport#close()},
 * {@link #isClosed()} is true and every report is ignored.
 */
public interface UdpCore {

    /**
     * One datagram arrived (one segment of a coalesced receive: the driver splits them). Presents
     * {@code datagram} itself to the handler, so it must be read-only and direct; the core may
     * change its position and limit and does not keep it: the driver may reuse the memory once this
     * returns. Counts it (and its bytes) in the worker's statistics.
     *
     * @param sender    the sender (a driver may hand the same instance again for the same sender)
     * @param datagram  its bytes, position to limit (at most {@code maxDatagramSize} when truncated)
     * @param truncated whether the kernel cut it (it was larger than the receive buffer)
     * @throws IllegalArgumentException if {@code datagram} is not read-only or not direct
     */
    void received(InetSocketAddress sender, ByteBuffer datagram, boolean truncated);

    /**
     * The kernel's cumulative count of datagrams it dropped for this socket because its receive
     * queue was full (Linux: the {@code SO_RXQ_OVFL} control message, or {@code /proc/net/udp}).
     * The core adds the increase since the last report to {@link io.ringline.WorkerStats#datagramsDropped()};
     * a report lower than the last is ignored.
     *
     * @param total dropped since the socket was created
     */
    void kernelDrops(long total);

    /** {@return a read-only view of the send queue, for {@link UdpTransport#flush()}} */
    DatagramQueue outbound();

    /**
     * The kernel took the first {@code entries} entries of {@link #outbound()} (each one datagram,
     * or the {@link DatagramQueue#datagrams} of a segmented one); they are released (or held while
     * {@link DatagramQueue#retain() retained}).
     *
     * @param entries how many head entries, at most {@link DatagramQueue#size()}
     */
    void sent(int entries);

    /**
     * The kernel refused the head entry: it is dropped, counted, and reported to
     * {@link io.ringline.DatagramHandler#onUdpSendFailed}; the socket stays open.
     *
     * @param cause the kernel's error (for example {@code ECONNREFUSED}, {@code EMSGSIZE})
     */
    void sendFailed(IOException cause);

    /**
     * The socket reported an error not tied to a queued datagram (Linux: a pending
     * {@code ECONNREFUSED} after an ICMP port-unreachable on a connected socket, surfacing on a
     * receive): counted in {@link io.ringline.WorkerStats#datagramSendFailures()} and reported to
     * {@link io.ringline.DatagramHandler#onUdpSendFailed} with the connected peer as target; the
     * socket stays open and the driver keeps receiving.
     *
     * @param cause the error
     */
    void asyncError(IOException cause);

    /** A flush ended; calls {@code onUdpWritable} when a refused sender may send again. */
    void flushed();

    /**
     * The socket cannot go on (a receive failed in a way that will not recover): closes it and
     * reports {@code cause} to {@link io.ringline.DatagramHandler#onUdpClosed}.
     *
     * @param cause what happened
     */
    void failed(Throwable cause);

    /** {@return whether the socket is closed (the core called {@link UdpTransport#close()})} */
    boolean isClosed();
}
