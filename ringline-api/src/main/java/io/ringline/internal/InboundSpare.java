package io.ringline.internal;

import java.nio.ByteBuffer;

/**
 * One worker's cache of a single large receive-accumulation storage: when a connection's
 * {@link InboundBuffer} empties after a large frame, it hands its storage here instead of keeping it
 * while idle, and the next connection of the worker that must grow beyond its retained capacity
 * takes it instead of allocating (and zeroing) fresh direct memory. Without it, every large frame
 * allocates its storage anew, which costs more than copying the frame.
 *
 * <p>Bounded: it holds at most one buffer, at most {@link io.ringline.Config#inboundLimit()} plus
 * the backend's receive buffers in size (the largest an {@code InboundBuffer} grows to), and keeps
 * the larger one when offered a second. Dropped buffers are freed by their cleaner.
 *
 * <p>Not thread-safe: used by the owning worker's thread only.
 */
final class InboundSpare {

    private ByteBuffer spare;

    /**
     * {@return the cached buffer if it has at least {@code minCapacity} bytes (it is then no longer
     * cached), else null}
     */
    ByteBuffer take(int minCapacity) {
        ByteBuffer b = spare;
        if (b == null || b.capacity() < minCapacity) {
            return null;
        }
        spare = null;
        return b;
    }

    /** Caches {@code storage}, unless the cached buffer is larger; the one not kept is dropped. */
    void offer(ByteBuffer storage) {
        if (spare == null || spare.capacity() < storage.capacity()) {
            spare = storage;
        }
    }

    /** {@return the cached buffer's capacity, 0 when none is cached} */
    int capacity() {
        return spare == null ? 0 : spare.capacity();
    }

    /** Drops the cached buffer. */
    void clear() {
        spare = null;
    }
}
