package io.ringline.bench.resp;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * String key/value store with millisecond expiry, shared by all event loops of a server
 * (a {@link ConcurrentHashMap}; uncontended with one event loop). Expired entries are removed
 * lazily when accessed, as redis does on access (redis also has an active expiry cycle; this
 * store does not, so memory held by never-touched expired keys is only freed by FLUSHALL).
 */
public final class Store {

    /** Key wrapper with content equality. */
    public static final class Key {
        final byte[] bytes;
        private final int hash;

        public Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }
    }

    /** Immutable value with absolute expiry time in clock milliseconds, 0 = never. */
    record Entry(byte[] value, long expireAtMillis) {
        boolean expired(long now) {
            return expireAtMillis != 0 && now >= expireAtMillis;
        }
    }

    private final ConcurrentHashMap<Key, Entry> map = new ConcurrentHashMap<>();
    private final LongSupplier clockMillis;

    public Store() {
        this(System::currentTimeMillis);
    }

    /** @param clockMillis wall clock in milliseconds (injectable for tests) */
    public Store(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    public long now() {
        return clockMillis.getAsLong();
    }

    /** Live entry or null; removes the entry if it has expired. */
    Entry live(Key key) {
        Entry e = map.get(key);
        if (e != null && e.expired(now())) {
            map.remove(key, e);
            return null;
        }
        return e;
    }

    public byte[] get(byte[] key) {
        Entry e = live(new Key(key));
        return e == null ? null : e.value();
    }

    public void set(byte[] key, byte[] value, long expireAtMillis) {
        map.put(new Key(key), new Entry(value, expireAtMillis));
    }

    /** SET with NX/XX: returns false (and stores nothing) when the condition fails. */
    public boolean setConditional(byte[] key, byte[] value, long expireAtMillis, boolean nx, boolean xx) {
        Key k = new Key(key);
        Entry fresh = new Entry(value, expireAtMillis);
        boolean[] done = {false};
        long now = now();
        map.compute(k, (kk, old) -> {
            boolean exists = old != null && !old.expired(now);
            if ((nx && exists) || (xx && !exists)) {
                return exists ? old : null;
            }
            done[0] = true;
            return fresh;
        });
        return done[0];
    }

    public boolean delete(byte[] key) {
        Entry e = map.remove(new Key(key));
        return e != null && !e.expired(now());
    }

    public boolean exists(byte[] key) {
        return live(new Key(key)) != null;
    }

    /**
     * Atomically adds {@code delta}; keeps the TTL, like redis.
     *
     * @throws NumberFormatException if the value is not a 64-bit integer or the result overflows
     */
    public long incrBy(byte[] key, long delta) {
        long[] result = new long[1];
        long now = now();
        map.compute(new Key(key), (k, old) -> {
            boolean live = old != null && !old.expired(now);
            long current = live ? parseLong(old.value()) : 0;
            long next = Math.addExact(current, delta);
            result[0] = next;
            return new Entry(Resp.ascii(Long.toString(next)), live ? old.expireAtMillis() : 0);
        });
        return result[0];
    }

    public void clear() {
        map.clear();
    }

    public int size() {
        return map.size();
    }

    /** Strict redis-style integer parse: optional '-', digits, no leading '+', no spaces. */
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
