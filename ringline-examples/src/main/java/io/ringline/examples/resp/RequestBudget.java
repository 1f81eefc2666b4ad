package io.ringline.examples.resp;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A process-wide budget of heap held by partial (not yet complete) requests, shared by every
 * connection of every worker, so that many connections together cannot exhaust the heap with
 * requests they never finish. A {@link RespParser} reserves from it only while it holds a partial
 * request at the end of a {@link RespParser#next} call, and gives the reservation back when the
 * request completes, fails or the connection closes ({@link RespParser#release()}); complete
 * pipelined commands never touch it.
 *
 * <p>Thread-safe (one atomic counter); {@link #UNLIMITED} does no accounting at all.
 */
public final class RequestBudget {

    /** No process-wide limit (per-connection limits still apply). */
    public static final RequestBudget UNLIMITED = new RequestBudget(Long.MAX_VALUE);

    /** Default share of the maximum heap ({@code -Xmx}) that partial requests may hold: a quarter. */
    public static final int DEFAULT_HEAP_DIVISOR = 4;

    private final long capacity;
    private final AtomicLong used = new AtomicLong();

    /**
     * @param capacity bytes that partial requests of all connections may hold together, {@code > 0}
     * @throws IllegalArgumentException if {@code capacity <= 0}
     */
    public RequestBudget(long capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("request budget must be > 0 bytes, was " + capacity);
        }
        this.capacity = capacity;
    }

    /** {@return the default budget: {@code Runtime.maxMemory() / }{@value #DEFAULT_HEAP_DIVISOR}} */
    public static long defaultCapacity() {
        return Math.max(1L << 20, Runtime.getRuntime().maxMemory() / DEFAULT_HEAP_DIVISOR);
    }

    /** {@return whether {@code bytes} more could be reserved; if so they are} */
    boolean tryReserve(long bytes) {
        if (capacity == Long.MAX_VALUE) {
            return true;
        }
        if (used.addAndGet(bytes) > capacity) {
            used.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    /** Gives back {@code bytes} reserved with {@link #tryReserve}. */
    void release(long bytes) {
        if (capacity != Long.MAX_VALUE) {
            used.addAndGet(-bytes);
        }
    }

    /** {@return the budget in bytes} */
    public long capacity() {
        return capacity;
    }

    /** {@return the bytes reserved now (read racily from other threads)} */
    public long used() {
        return used.get();
    }
}
