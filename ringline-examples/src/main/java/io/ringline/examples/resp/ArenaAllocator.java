package io.ringline.examples.resp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Binary buddy allocator over an arena: power-of-two size classes from {@value #MIN_BLOCK} bytes
 * up to the largest power of two that fits, one free list per class, split on allocation and
 * merged with the free buddy on release, so the arena does not fragment into small blocks for
 * good. Never grows: {@link #allocate(int)} returns -1 when no block of the class (or a larger one)
 * is free. A capacity that is not a power of two is carved into decreasing power-of-two blocks
 * (6 MiB = 4 MiB + 2 MiB); every block is aligned to its size.
 *
 * <p><b>No allocation:</b> the free lists are doubly linked through the free blocks themselves
 * (the next and previous free block's offsets in their first 16 bytes: a free block holds no value,
 * and no send references it); one byte per {@value #MIN_BLOCK}-byte unit records whether a free
 * block of which class starts there, so a buddy is found and unlinked in constant time.
 *
 * <p>Not thread-safe: {@link RegionStore} calls it under its lock.
 */
final class ArenaAllocator {

    /** Smallest block, bytes. */
    static final int MIN_BLOCK = 64;
    private static final int MIN_SHIFT = 6;
    /** End of a free list. */
    private static final long NONE = -1;
    private static final ValueLayout.OfLong LINK = ValueLayout.JAVA_LONG_UNALIGNED;

    private final MemorySegment memory;
    private final long capacity;
    private final int maxOrder;
    /** First free block of each class, or {@link #NONE}. */
    private final long[] head;
    /** Per unit: 1 + the class of the free block starting there; 0 when none starts there. */
    private final byte[] freeOrder;
    private long allocated;

    /** @param memory the arena whose bytes are given out (its free blocks hold the free lists) */
    ArenaAllocator(MemorySegment memory) {
        long capacity = memory.byteSize();
        if (capacity < MIN_BLOCK) {
            throw new IllegalArgumentException("arena must be at least " + MIN_BLOCK + " bytes, was " + capacity);
        }
        if ((capacity >>> MIN_SHIFT) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("arena must be at most " + ((long) (Integer.MAX_VALUE - 8) << MIN_SHIFT)
                    + " bytes, was " + capacity);
        }
        this.memory = memory;
        this.capacity = capacity;
        this.maxOrder = 63 - Long.numberOfLeadingZeros(capacity >>> MIN_SHIFT);
        this.head = new long[maxOrder + 1];
        Arrays.fill(head, NONE);
        this.freeOrder = new byte[(int) (capacity >>> MIN_SHIFT)];
        long offset = 0;
        for (int order = maxOrder; order >= 0; order--) {
            long size = blockSize(order);
            if (capacity - offset >= size) {
                link(offset, order);
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
        while (o <= maxOrder && head[o] == NONE) {
            o++;
        }
        if (o > maxOrder) {
            return -1;
        }
        long offset = head[o];
        unlink(offset, o);
        while (o > order) { // split: keep the lower half, free the upper half
            o--;
            link(offset + blockSize(o), o);
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
            if (buddy + size > capacity || freeOrder[unit(buddy)] != order + 1) {
                break;
            }
            unlink(buddy, order);
            offset = Math.min(offset, buddy);
            order++;
        }
        link(offset, order);
    }

    private static int unit(long offset) {
        return (int) (offset >>> MIN_SHIFT);
    }

    /** Puts the free block at {@code offset} first on the list of {@code order}. */
    private void link(long offset, int order) {
        long next = head[order];
        memory.set(LINK, offset, next);
        memory.set(LINK, offset + 8, NONE);
        if (next != NONE) {
            memory.set(LINK, next + 8, offset);
        }
        head[order] = offset;
        freeOrder[unit(offset)] = (byte) (order + 1);
    }

    /** Takes the free block at {@code offset} off the list of {@code order}. */
    private void unlink(long offset, int order) {
        long next = memory.get(LINK, offset);
        long prev = memory.get(LINK, offset + 8);
        if (prev == NONE) {
            head[order] = next;
        } else {
            memory.set(LINK, prev, next);
        }
        if (next != NONE) {
            memory.set(LINK, next + 8, prev);
        }
        freeOrder[unit(offset)] = 0;
    }
}
