package io.ringline.examples.resp;

/**
 * The string key/value store behind {@link RespCommands}, with millisecond expiry (absolute clock
 * times, 0 = never; expired keys are removed lazily when accessed). Shared by all event loops of a
 * server, so implementations are thread-safe. Two implementations give the same semantics:
 * {@link HeapStore} (heap byte arrays, the Netty peer) and {@link RegionStore} (values in one
 * off-heap arena that ringline registers as a region, so large values are sent without a copy).
 */
public interface Store {

    /** {@return the store's clock in milliseconds (expiry times are on this clock)} */
    long now();

    /**
     * Writes the value of {@code key} to {@code out} as a RESP bulk string, or the null bulk string
     * when the key is absent or expired. A store may hand a large value to {@code out} by reference
     * (see {@link RegionStore}).
     */
    void writeValue(byte[] key, RespOutput out);

    /**
     * {@link #writeValue(byte[], RespOutput)} for the key {@code args} shows at {@code key}. The
     * default copies the key; a store may read it in place (no allocation).
     */
    default void writeValue(RespArgs args, int key, RespOutput out) {
        writeValue(args.bytes(key), out);
    }

    /**
     * {@link #set(byte[], byte[], long)} for the key and value {@code args} shows at {@code key} and
     * {@code value}. The default copies both; a store may read them in place and overwrite an
     * existing value where it is (no allocation).
     *
     * @throws StoreFullException if there is no room; the previous value is kept
     */
    default void set(RespArgs args, int key, int value, long expireAtMillis) {
        set(args.bytes(key), args.bytes(value), expireAtMillis);
    }

    /** {@return a copy of the value of {@code key}, or null when absent or expired} */
    byte[] get(byte[] key);

    /**
     * Stores {@code value} (clearing any previous TTL unless {@code expireAtMillis} sets one).
     *
     * @throws StoreFullException if there is no room; the previous value is kept
     */
    void set(byte[] key, byte[] value, long expireAtMillis);

    /**
     * SET with NX/XX: returns false (and stores nothing) when the condition fails.
     *
     * @throws StoreFullException if there is no room; the previous value is kept
     */
    boolean setConditional(byte[] key, byte[] value, long expireAtMillis, boolean nx, boolean xx);

    /** {@return whether a live key was removed} */
    boolean delete(byte[] key);

    /** {@return whether {@code key} is present and not expired} */
    boolean exists(byte[] key);

    /**
     * Atomically adds {@code delta} to the integer value of {@code key} (absent: 0); keeps the TTL,
     * like redis.
     *
     * @return the new value
     * @throws NumberFormatException if the value is not a 64-bit integer
     * @throws ArithmeticException   if the result overflows
     * @throws StoreFullException    if there is no room for the new value
     */
    long incrBy(byte[] key, long delta);

    /** Removes every key. */
    void clear();

    /** {@return the number of keys (expired keys not yet removed included)} */
    int size();

    /**
     * Strict redis-style integer parse: optional '-', digits, no leading '+', no spaces, no leading zeros.
     *
     * @throws NumberFormatException if {@code b} is not such a 64-bit integer
     */
    static long parseLong(byte[] b) {
        if (b.length == 0 || b.length > 20) {
            throw new NumberFormatException();
        }
        boolean neg = b[0] == '-';
        int i = neg ? 1 : 0;
        if (i == b.length || (b[i] == '0' && b.length > i + 1)) {
            throw new NumberFormatException();
        }
        long v = 0;
        for (; i < b.length; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                throw new NumberFormatException();
            }
            // accumulate negatively to reach Long.MIN_VALUE
            if (v < (Long.MIN_VALUE + d) / 10) {
                throw new NumberFormatException();
            }
            v = v * 10 - d;
        }
        if (!neg) {
            if (v == Long.MIN_VALUE) {
                throw new NumberFormatException();
            }
            return -v;
        }
        return v;
    }
}
