package io.ringline.internal;

/**
 * The layout of a connection token ({@link io.ringline.Connection#token()}): the slot's generation
 * in the high 32 bits, then {@value #WORKER_BITS} bits of worker id and {@value #SLOT_BITS} bits of
 * slot. A token names one connection for ever: when its slot is reused the generation differs, so a
 * stale token finds nothing. Pure functions; thread-safe.
 */
final class TokenCodec {

    /** Bits of the slot index: at most 2^20 connections per worker ({@link io.ringline.Config#MAX_CONNECTIONS_LIMIT}). */
    static final int SLOT_BITS = 20;
    /** Bits of the worker id: at most 4096 workers. */
    static final int WORKER_BITS = 12;
    static final int MAX_SLOTS = 1 << SLOT_BITS;
    static final int MAX_WORKERS = 1 << WORKER_BITS;

    private TokenCodec() {
    }

    /**
     * {@return the token of {@code slot} on {@code worker} in {@code generation}}
     *
     * @throws IllegalArgumentException if the worker or slot does not fit its bits
     */
    static long encode(int generation, int worker, int slot) {
        if (worker < 0 || worker >= MAX_WORKERS) {
            throw new IllegalArgumentException("worker id " + worker + " not in [0, " + (MAX_WORKERS - 1) + "]");
        }
        if (slot < 0 || slot >= MAX_SLOTS) {
            throw new IllegalArgumentException("slot " + slot + " not in [0, " + (MAX_SLOTS - 1) + "]");
        }
        return ((long) generation << 32) | ((long) worker << SLOT_BITS) | slot;
    }

    /** {@return the slot of {@code token}} */
    static int slot(long token) {
        return (int) (token & (MAX_SLOTS - 1));
    }

    /** {@return the worker id of {@code token}} */
    static int worker(long token) {
        return (int) ((token >>> SLOT_BITS) & (MAX_WORKERS - 1));
    }

    /** {@return the generation of {@code token}} */
    static int generation(long token) {
        return (int) (token >>> 32);
    }
}
