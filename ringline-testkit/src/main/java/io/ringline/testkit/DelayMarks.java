package io.ringline.testkit;

/**
 * For a {@link Pipe} with a read delay: the written ranges, in order, with the time each becomes
 * readable. A ring of two parallel arrays that grows as needed (nothing allocated per write once
 * large enough).
 *
 * <p>Not thread-safe: guarded by its pipe's lock.
 */
final class DelayMarks {

    private long[] readyAt = new long[16];
    private int[] lengths = new int[16];
    private int head;
    private int size;

    /** Adds a range of {@code length} bytes readable from {@code at} ({@link System#nanoTime()}). */
    void add(int length, long at) {
        if (size == lengths.length) {
            grow();
        }
        int i = (head + size) % lengths.length;
        lengths[i] = length;
        readyAt[i] = at;
        size++;
    }

    /** Removes the ranges readable at {@code now}; {@return their total length} */
    int releaseDue(long now) {
        int released = 0;
        while (size > 0 && readyAt[head] - now <= 0) {
            released += lengths[head];
            head = (head + 1) % lengths.length;
            size--;
        }
        return released;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** {@return when the first range becomes readable; only when not empty} */
    long firstReadyAt() {
        return readyAt[head];
    }

    void clear() {
        head = 0;
        size = 0;
    }

    private void grow() {
        long[] at = new long[lengths.length * 2];
        int[] len = new int[lengths.length * 2];
        for (int k = 0; k < size; k++) {
            int i = (head + k) % lengths.length;
            at[k] = readyAt[i];
            len[k] = lengths[i];
        }
        readyAt = at;
        lengths = len;
        head = 0;
    }
}
