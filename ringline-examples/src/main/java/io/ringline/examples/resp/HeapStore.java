package io.ringline.examples.resp;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * {@link Store} on the Java heap: a {@link ConcurrentHashMap} of byte arrays, shared by all event
 * loops of a server (uncontended with one event loop); used by the Netty peer. Expired entries are removed
 * lazily when accessed, as redis does on access (redis also has an active expiry cycle; this
 * store does not, so memory held by never-touched expired keys is only freed by FLUSHALL).
 */
public final class HeapStore implements Store {

    /** Immutable value with absolute expiry time in clock milliseconds, 0 = never. */
    record Entry(byte[] value, long expireAtMillis) {
        boolean expired(long now) {
            return expireAtMillis != 0 && now >= expireAtMillis;
        }
    }

    private final ConcurrentHashMap<Key, Entry> map = new ConcurrentHashMap<>();
    private final LongSupplier clockMillis;

    public HeapStore() {
        this(System::currentTimeMillis);
    }

    /** @param clockMillis wall clock in milliseconds (injectable for tests) */
    public HeapStore(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    @Override
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

    @Override
    public byte[] get(byte[] key) {
        Entry e = live(new Key(key));
        return e == null ? null : e.value();
    }

    @Override
    public void writeValue(byte[] key, RespOutput out) {
        Resp.bulk(out, get(key));
    }

    @Override
    public void set(byte[] key, byte[] value, long expireAtMillis) {
        map.put(new Key(key), new Entry(value, expireAtMillis));
    }

    /** SET with NX/XX: returns false (and stores nothing) when the condition fails. */
    @Override
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

    @Override
    public boolean delete(byte[] key) {
        Entry e = map.remove(new Key(key));
        return e != null && !e.expired(now());
    }

    @Override
    public boolean exists(byte[] key) {
        return live(new Key(key)) != null;
    }

    @Override
    public long incrBy(byte[] key, long delta) {
        long[] result = new long[1];
        long now = now();
        map.compute(new Key(key), (k, old) -> {
            boolean live = old != null && !old.expired(now);
            long current = live ? Store.parseLong(old.value()) : 0;
            long next = Math.addExact(current, delta);
            result[0] = next;
            return new Entry(Resp.ascii(Long.toString(next)), live ? old.expireAtMillis() : 0);
        });
        return result[0];
    }

    @Override
    public void clear() {
        map.clear();
    }

    @Override
    public int size() {
        return map.size();
    }
}
