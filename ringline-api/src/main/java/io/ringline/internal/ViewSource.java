package io.ringline.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reusable views (duplicates) of one direct buffer that the send queue sends from without copying
 * (a backend's lent receive memory, or a whole registered region): each queued entry needs its own
 * position and limit, so it takes a view, and gives it back when it is released. A view is made
 * once and then reused, so steady-state sending allocates none; the buffer's native address is
 * computed once. Used only on the worker thread.
 */
final class ViewSource {

    private final ByteBuffer memory;
    private final long base;
    private ByteBuffer[] free = new ByteBuffer[1];
    private int freeCount;

    /**
     * @param memory the direct buffer the views are made of
     * @throws IllegalArgumentException if it is not direct
     */
    ViewSource(ByteBuffer memory) {
        this.memory = memory;
        this.base = NativeAddress.base(memory);
    }

    /** {@return the buffer the views are made of} */
    ByteBuffer memory() {
        return memory;
    }

    /** {@return the native address of index 0 of {@link #memory()} (and of every view)} */
    long base() {
        return base;
    }

    /** {@return a view of the whole memory, position and limit to be set by the caller} */
    ByteBuffer acquire() {
        if (freeCount == 0) {
            return memory.duplicate();
        }
        ByteBuffer v = free[--freeCount];
        free[freeCount] = null;
        return v;
    }

    /** Gives back a view from {@link #acquire()}. */
    void release(ByteBuffer view) {
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = view;
    }

    /** {@return views made and given back (for tests)} */
    int freeViews() {
        return freeCount;
    }
}
