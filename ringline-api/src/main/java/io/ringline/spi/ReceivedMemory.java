package io.ringline.spi;

import java.nio.ByteBuffer;

/**
 * The memory behind one {@link ConnectionCore#received(ByteBuffer, ReceivedMemory)} report, which a
 * backend can lend to the core beyond that call (io_uring: a provided receive buffer held back from
 * the buffer ring). The core borrows it for {@link io.ringline.Connection#sendReceived(ByteBuffer)}:
 * the received bytes are then sent from where they arrived, without a copy, and the memory goes
 * back to the backend when the send queue is done with them.
 *
 * <p>A backend typically keeps one instance per receive buffer and reports it with every delivery
 * from that buffer (no allocation per delivery).
 *
 * <p><b>Threading:</b> worker thread only.
 */
public interface ReceivedMemory {

    /**
     * {@return a direct buffer containing the received bytes, the same object for every delivery
     * from this memory (the core keeps one view of it per send queue entry)} Index
     * {@link #offset()} of it is index 0 of the buffer passed to {@code received}.
     */
    ByteBuffer memory();

    /** {@return where index 0 of the delivered buffer lies in {@link #memory()}} */
    int offset();

    /**
     * Borrows the memory: the backend does not reuse it until the matching {@link #release()}.
     * Counted: every successful call needs one release.
     *
     * @return false if the backend cannot lend it now (it has lent as much as it may without
     *         starving its receives): the core copies the bytes instead
     */
    boolean tryRetain();

    /**
     * Returns one borrow; when the last borrow is returned and the delivery is over, the backend
     * may reuse the memory.
     *
     * @throws IllegalStateException if not retained
     */
    void release();
}
