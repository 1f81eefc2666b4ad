package io.ringline.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A worker's pool of 64 KiB direct chunks that UDP send queues copy datagrams into, back to back
 * (a datagram never spans chunks: 64 KiB holds the largest one, or one segmented send). Each chunk
 * counts the queue entries still using it and has reusable views for them, so steady-state
 * sending allocates nothing. Worker thread only; keeps at most {@code maxRetained} free chunks.
 */
final class DatagramChunks {

    /** Bytes per chunk: at least {@link io.ringline.UdpSocket#MAX_IPV6_PAYLOAD}. */
    static final int CHUNK_SIZE = 64 * 1024;

    /** One chunk: its memory, native address, views for queue entries and how many entries use it. */
    static final class Chunk {
        final ByteBuffer memory;
        final ViewSource views;
        /** Queue entries whose bytes lie in this chunk and are not released yet. */
        int entries;
        /** Where the next datagram is copied to, while the chunk is a queue's write chunk. */
        int writeOffset;

        private Chunk() {
            this.memory = ByteBuffer.allocateDirect(CHUNK_SIZE);
            this.views = new ViewSource(memory);
        }

        /** {@return the native address of index 0} */
        long address() {
            return views.base();
        }
    }

    private final int maxRetained;
    private final ArrayDeque<Chunk> free = new ArrayDeque<>();

    DatagramChunks(int maxRetained) {
        this.maxRetained = maxRetained;
    }

    /** {@return a chunk with no entries, to be written from offset 0} */
    Chunk acquire() {
        Chunk c = free.pollFirst();
        if (c == null) {
            c = new Chunk();
        }
        c.entries = 0;
        c.writeOffset = 0;
        return c;
    }

    /** Returns a chunk no entry uses any more. */
    void release(Chunk c) {
        if (free.size() < maxRetained) {
            free.addFirst(c);
        }
    }

    /** {@return free chunks retained (for tests)} */
    int pooled() {
        return free.size();
    }

    /** Drops every retained chunk. */
    void clear() {
        free.clear();
    }
}
