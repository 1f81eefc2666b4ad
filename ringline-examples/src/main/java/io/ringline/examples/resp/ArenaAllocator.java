package io.ringline.examples.resp;

import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * Binary buddy allocator over {@code [0, capacity)} of an arena: power-of-two size classes from
 * {@value #MIN_BLOCK} bytes up to the largest power of two that fits, one free list per class,
 * split on allocation and merged with the free buddy on release, so the arena does not fragment
 * into small blocks for good. Never grows: {@link #allocate(int)} returns -1 when no block of the
 * class (or a larger one) is free. A capacity that is not a power of two is carved into decreasing
 * power-of-two blocks (6 MiB = 4 MiB + 2 MiB); every block is aligned to its size.
 *
 * <p>Not thread-safe: {@link RegionStore} calls it under its lock.
 */
final class ArenaAllocator {

    /** Smallest block, bytes. */
    static final int MIN_BLOCK = 64;
    private static final int MIN_SHIFT = 6;

    private final long capacity;
    private final int maxOrder;
    private final LinkedHashSet<Long>[] free;
    private long allocated;

    @SuppressWarnings("unchecked")
    ArenaAllocator(long capacity) {
        if (capacity < MIN_BLOCK) {
            throw new IllegalArgumentException("arena must be at least " + MIN_BLOCK + " bytes, was " + capacity);
        }
        this.capacity = capacity;
        this.maxOrder = 63 - Long.numberOfLeadingZeros(capacity >>> MIN_SHIFT);
        this.free = new LinkedHashSet[maxOrder + 1];
        for (int i = 0; i <= maxOrder; i++) {
            free[i] = new LinkedHashSet<>();
        }
        long offset = 0;
        for (int order = maxOrder; order >= 0; order--) {
            long size = blockSize(order);
            if (capacity - offset >= size) {
                free[order].add(offset);
                offset += size;
            }
        }
    }

    static long blockSize(int order) {
        return (long) MIN_BLOCK << order;
    }

    /** {@return the size class of a value of {@code length} bytes (length >= 1)} */
    static int orderFor(int length) {
        if (length <= MIN_BLOCK) {
            return 0;
        }
        return (32 - Integer.numberOfLeadingZeros(length - 1)) - MIN_SHIFT;
    }

    /** {@return the largest value length that can ever be allocated} */
    long maxLength() {
        return blockSize(maxOrder);
    }

    /** {@return bytes in allocated blocks} */
    long allocatedBytes() {
        return allocated;
    }

    /** {@return the arena size} */
    long capacity() {
        return capacity;
    }

    /**
     * Allocates a block for {@code length} bytes (the block is {@code blockSize(orderFor(length))}).
     *
     * @return the block's offset, or -1 if no block of that class is free
     */
    long allocate(int length) {
        int order = orderFor(Math.max(1, length));
        if (order > maxOrder) {
            return -1;
        }
        int o = order;
        while (o <= maxOrder && free[o].isEmpty()) {
            o++;
        }
        if (o > maxOrder) {
            return -1;
        }
        Iterator<Long> it = free[o].iterator();
        long offset = it.next();
        it.remove();
        while (o > order) { // split: keep the lower half, free the upper half
            o--;
            free[o].add(offset + blockSize(o));
        }
        allocated += blockSize(order);
        return offset;
    }

    /** Frees the block at {@code offset} allocated for {@code length} bytes, merging it with free buddies. */
    void free(long offset, int length) {
        int order = orderFor(Math.max(1, length));
        allocated -= blockSize(order);
        while (order < maxOrder) {
            long size = blockSize(order);
            long buddy = offset ^ size;
            if (buddy + size > capacity || !free[order].remove(buddy)) {
                break;
            }
            offset = Math.min(offset, buddy);
            order++;
        }
        free[order].add(offset);
    }
}
