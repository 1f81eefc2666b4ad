package io.ringline.testkit;

import java.nio.ByteBuffer;

/**
 * The bytes of a {@link Pipe} in order: a ring buffer allocated by the first append and grown by
 * doubling up to a capacity limit (the pipe's window), so that an idle connection holds nothing.
 *
 * <p>Not thread-safe: guarded by its pipe's lock.
 */
final class ByteRing {

    /** The first allocation: small, since most connections carry little. */
    private static final int INITIAL_CAPACITY = 4 * 1024;
    private static final byte[] EMPTY = new byte[0];

    private final int limit;
    private byte[] ring = EMPTY;
    private int head;
    private int size;

    /** @param limit the most bytes it ever holds */
    ByteRing(int limit) {
        this.limit = limit;
    }

    /** {@return the bytes held} */
    int size() {
        return size;
    }

    /** Appends {@code src[index, index + n)} (not changing {@code src}'s position); {@code size() + n <= limit}. */
    void append(ByteBuffer src, int index, int n) {
        ensureCapacity(size + n);
        int tail = (head + size) % ring.length;
        int first = Math.min(n, ring.length - tail);
        src.get(index, ring, tail, first);
        if (first < n) {
            src.get(index + first, ring, 0, n - first);
        }
        size += n;
    }

    /** Moves the first {@code n <= size()} bytes to {@code dst} (advancing its position). */
    void take(ByteBuffer dst, int n) {
        int first = Math.min(n, ring.length - head);
        dst.put(ring, head, first);
        if (first < n) {
            dst.put(ring, 0, n - first);
        }
        head = (head + n) % ring.length;
        size -= n;
    }

    /** Drops every byte (the storage stays for reuse). */
    void clear() {
        head = 0;
        size = 0;
    }

    private void ensureCapacity(int needed) {
        if (needed <= ring.length) {
            return;
        }
        int capacity = (int) Math.min(limit, Math.max(needed, Math.max(INITIAL_CAPACITY, 2L * ring.length)));
        byte[] bigger = new byte[capacity];
        int first = Math.min(size, ring.length - head);
        System.arraycopy(ring, head, bigger, 0, first);
        System.arraycopy(ring, 0, bigger, first, size - first);
        ring = bigger;
        head = 0;
    }
}
