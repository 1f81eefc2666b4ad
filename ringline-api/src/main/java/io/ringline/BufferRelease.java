package io.ringline;

import java.nio.ByteBuffer;

/**
 * Gives a buffer back to its owner after {@link Connection#sendOwned(ByteBuffer, BufferRelease)}:
 * the connection no longer reads it, so its memory may be changed or reused.
 *
 * <p><b>Threading:</b> called on the connection's worker thread, exactly once per accepted
 * {@code sendOwned}: when the kernel no longer reads the buffer's bytes (they were written), or
 * when the connection closed before that and the bytes were dropped. Something it throws is logged
 * and does not affect the connection. One instance may serve every send (no allocation per send).
 */
@FunctionalInterface
public interface BufferRelease {

    /**
     * The connection is done with {@code buffer}.
     *
     * @param buffer the buffer given to {@code sendOwned} (its position is where the connection
     *               stopped reading: its limit when every byte was written)
     */
    void released(ByteBuffer buffer);
}
