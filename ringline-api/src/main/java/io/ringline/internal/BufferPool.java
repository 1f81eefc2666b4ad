package io.ringline.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A worker's pool of equally sized direct buffers (send chunks), each with its native address
 * computed once when the chunk is made. Used only on the worker thread. Keeps at most
 * {@code maxRetained} free chunks; the rest are left to the garbage collector.
 */
final class BufferPool {

    /** A pooled direct buffer and the native address of its index 0. */
    static final class Chunk {
        final ByteBuffer buffer;
        final long address;
        /** A second view of the same memory for writing into it (TLS records), made once per chunk. */
        private ByteBuffer writer;

        private Chunk(ByteBuffer buffer) {
            this.buffer = buffer;
            this.address = NativeAddress.base(buffer);
        }

        /** {@return a view of this chunk's memory for filling it, independent of {@link #buffer}'s indexes} */
        ByteBuffer writer() {
            if (writer == null) {
                writer = buffer.duplicate();
            }
            return writer;
        }
    }

    private final int bufferSize;
    private final int maxRetained;
    private final ArrayDeque<Chunk> free = new ArrayDeque<>();

    BufferPool(int bufferSize, int maxRetained) {
        this.bufferSize = bufferSize;
        this.maxRetained = maxRetained;
    }

    /** {@return the size of every buffer} */
    int bufferSize() {
        return bufferSize;
    }

    /** {@return a chunk whose buffer is cleared, {@link #bufferSize()} bytes} */
    Chunk acquire() {
        Chunk c = free.pollFirst();
        if (c == null) {
            return new Chunk(ByteBuffer.allocateDirect(bufferSize));
        }
        c.buffer.clear();
        return c;
    }

    /** Returns a chunk obtained from {@link #acquire()}. */
    void release(Chunk c) {
        if (free.size() < maxRetained) {
            free.addFirst(c);
        }
    }

    /** {@return how many free chunks are retained (for tests)} */
    int pooled() {
        return free.size();
    }

    /** Drops every retained chunk. */
    void clear() {
        free.clear();
    }
}
