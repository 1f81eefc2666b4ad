package io.ringline.spi;

import java.nio.ByteBuffer;

/**
 * A read-only view of one connection's send queue, for {@link Transport#flush()}: entries in
 * order, each bytes the core copied into a pooled direct chunk, a slice of a registered region, a
 * buffer the application handed over with {@link io.ringline.Connection#sendOwned}, or received
 * memory lent by a backend ({@link ReceivedMemory}); only the first kind was copied. The backend writes from the entries' buffers and reports with
 * {@link ConnectionCore#written}; it must not change their position or limit (the core advances
 * them). Index access allocates nothing.
 *
 * <p><b>Threading:</b> worker thread only.
 */
public interface OutboundQueue {

    /** {@return the number of entries} */
    int size();

    /** {@return whether nothing is queued} */
    boolean isEmpty();

    /** {@return bytes queued} */
    long bytes();

    /**
     * {@return entry {@code index}'s pending bytes, position to limit; a direct buffer}
     *
     * @param index 0 for the head, below {@link #size()}
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    ByteBuffer buffer(int index);

    /**
     * {@return the native address of entry {@code index}'s first pending byte (its buffer's
     * position)} Computed without allocating, for backends that hand addresses to the kernel.
     *
     * @param index 0 for the head, below {@link #size()}
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    long address(int index);

    /**
     * {@return the registered-region slot of entry {@code index}, or -1 if its bytes were copied}
     * A backend may send a region entry from its own registration of that slot (see
     * {@link WorkerIo#installRegion}).
     *
     * @param index 0 for the head, below {@link #size()}
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    int regionSlot(int index);

    /**
     * Holds the memory of entries that finish from now on (written, or dropped at close), with
     * their completions, until the matching {@link #release()}: for a kernel that still reads the
     * memory after reporting the write (io_uring {@code SEND_ZC} notifications) or a send still in
     * flight at close. Counted: every retain needs one release.
     */
    void retain();

    /**
     * Balances one {@link #retain()}; when none is left, releases the held entries (chunks back to
     * the pool, region references dropped, {@code sendAsync} futures completed) in order.
     *
     * @throws IllegalStateException if not retained
     */
    void release();
}
