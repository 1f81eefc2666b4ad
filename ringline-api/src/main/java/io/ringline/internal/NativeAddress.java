package io.ringline.internal;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Native addresses of direct buffers, for the send queue's {@link io.ringline.spi.OutboundQueue#address(int)}.
 * Computing one makes a short-lived segment: callers compute it once per buffer object and keep it
 * (a buffer's memory never moves).
 */
final class NativeAddress {

    private NativeAddress() {
    }

    /**
     * {@return the native address of index 0 of {@code buffer}}
     *
     * @throws IllegalArgumentException if {@code buffer} is not direct
     */
    static long base(ByteBuffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer: " + buffer);
        }
        return MemorySegment.ofBuffer(buffer).address() - buffer.position(); // the segment starts at the position
    }
}
