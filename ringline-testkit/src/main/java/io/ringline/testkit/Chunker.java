package io.ringline.testkit;

import java.util.SplittableRandom;

/**
 * The size of the next chunk one connection reads or writes: its limit (fault injection through
 * {@link TestkitOptions#MAX_READ_CHUNK} / {@link TestkitOptions#MAX_WRITE_CHUNK}), or with a
 * {@link TestkitOptions#SEED} a size drawn from [1, limit].
 *
 * <p>Not thread-safe: one connection's worker thread.
 */
final class Chunker {

    private final int limit;
    private final SplittableRandom random;

    /**
     * @param limit the largest chunk, 0: none
     * @param seed  0 for chunks of exactly the limit, else the seed of random sizes
     */
    Chunker(int limit, long seed) {
        this.limit = limit;
        this.random = seed == 0 || limit == 0 ? null : new SplittableRandom(seed);
    }

    /** {@return the size of the next chunk, in [1, max] for {@code max >= 1}} @param max what there is room or data for */
    int next(int max) {
        int cap = limit == 0 ? max : Math.min(limit, max);
        return random == null || cap <= 1 ? cap : 1 + random.nextInt(cap);
    }
}
