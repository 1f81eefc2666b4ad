package io.ringline.spi;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A read-only view of one UDP socket's send queue, for {@link UdpTransport#flush()}. Each entry is
 * one datagram, or with {@link #segmentSize} {@code > 0} several back-to-back datagrams for one
 * segmented send (only when {@link UdpTransport#segmentationOffload()}). Its bytes were copied into
 * pooled direct memory, or lie in a registered region ({@link #regionSlot}). The backend must not
 * change the buffers' position or limit. Index access allocates nothing.
 *
 * <p><b>Threading:</b> worker thread only.
 */
public interface DatagramQueue {

    /** {@return the number of entries} */
    int size();

    /** {@return whether nothing is queued} */
    boolean isEmpty();

    /** {@return bytes queued} */
    long bytes();

    /**
     * {@return entry {@code index}'s bytes, position to limit; a direct buffer}
     *
     * @param index 0 for the head, below {@link #size()}
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    ByteBuffer buffer(int index);

    /**
     * {@return the native address of entry {@code index}'s first byte}
     *
     * @param index 0 for the head, below {@link #size()}
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    long address(int index);

    /**
     * {@return the registered-region slot of entry {@code index}, or -1 if its bytes were copied}
     *
     * @param index 0 for the head, below {@link #size()}
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    int regionSlot(int index);

    /**
     * {@return where entry {@code index} goes; null on a connected socket (send to the peer)}
     * Resolved, IPv4 or IPv6.
     *
     * @param index 0 for the head, below {@link #size()}
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    InetSocketAddress target(int index);

    /**
     * {@return the segment size of entry {@code index} for a segmented send, or 0 for a single datagram}
     *
     * @param index 0 for the head, below {@link #size()}
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    int segmentSize(int index);

    /**
     * {@return how many datagrams entry {@code index} holds (1, or its bytes divided by
     * {@link #segmentSize}, rounded up)}
     *
     * @param index 0 for the head, below {@link #size()}
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    int datagrams(int index);

    /**
     * Holds the memory of entries that finish from now on (sent, failed, or dropped at close)
     * until the matching {@link #release()}: for sends still in flight in the kernel at close.
     * Counted: every retain needs one release.
     */
    void retain();

    /**
     * Balances one {@link #retain()}; when none is left, releases the held entries.
     *
     * @throws IllegalStateException if not retained
     */
    void release();
}
