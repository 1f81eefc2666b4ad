package io.ringline.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A worker's pool of equally sized direct buffers (send chunks). Used only on the worker thread.
 * Keeps at most {@code maxRetained} free buffers; the rest are left to the garbage collector.
 */
final class BufferPool {

    private final int bufferSize;
    private final int maxRetained;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();

    BufferPool(int bufferSize, int maxRetained) {
        this.bufferSize = bufferSize;
        this.maxRetained = maxRetained;
    }

    /** {@return the size of every buffer} */
    int bufferSize() {
        return bufferSize;
    }

    /** {@return a cleared buffer of {@link #bufferSize()} bytes} */
    ByteBuffer acquire() {
        ByteBuffer b = free.pollFirst();
        return b != null ? b.clear() : ByteBuffer.allocateDirect(bufferSize);
    }

    /** Returns a buffer obtained from {@link #acquire()}. */
    void release(ByteBuffer b) {
        if (free.size() < maxRetained) {
            free.addFirst(b);
        }
    }

    /** {@return how many free buffers are retained (for tests)} */
    int pooled() {
        return free.size();
    }

    /** Drops every retained buffer. */
    void clear() {
        free.clear();
    }
}
