package io.ringline.examples.resp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * {@link Store} whose values live in one off-heap arena ({@link Arena#ofShared()}), which the
 * ringline server registers as an initial region, so values of at least
 * {@link #regionThreshold()} bytes are sent straight from it ({@link RegionOutput#writeRegion})
 * and smaller ones by copy. Keys and the index stay on the heap.
 *
 * <p><b>Allocation:</b> a buddy allocator ({@link ArenaAllocator}: power-of-two classes from 64 B,
 * free lists, merging). The arena never grows: a SET that does not fit (after dropping expired
 * keys) throws {@link StoreFullException}, answered {@code -OOM arena full}.
 *
 * <p><b>Memory safety of sends by reference:</b> every stored value has a pin count. A reply sent
 * from the arena pins the value ({@link RegionOutput#writeRegion}) until its bytes were handed to
 * the kernel; an overwrite, DEL, expiry or FLUSHALL only <i>retires</i> the value, and its block
 * is freed (and may be reused) when it is retired <i>and</i> no longer pinned. A reply therefore
 * never carries bytes of a later value.
 *
 * <p><b>Threading:</b> shared by all workers; one lock guards the index, the pin counts and the
 * allocator (uncontended with one worker). Value bytes are copied in and out under the lock.
 */
public final class RegionStore implements Store, AutoCloseable {

    /** Default arena size: 6 MiB (io_uring registration counts against RLIMIT_MEMLOCK, often 8 MiB). */
    public static final int DEFAULT_ARENA_BYTES = 6 << 20;
    /** Default smallest value length sent from the arena by reference. */
    public static final int DEFAULT_REGION_THRESHOLD = 8192;

    /** A pinned value; {@link #release()} unpins it (exactly once per pin). */
    public interface Pin {
        void release();
    }

    private final class Value implements Pin {
        final long offset; // -1 for an empty value
        final int length;
        final long expireAtMillis;
        int pins;
        boolean retired;
        boolean freed;

        Value(long offset, int length, long expireAtMillis) {
            this.offset = offset;
            this.length = length;
            this.expireAtMillis = expireAtMillis;
        }

        boolean expired(long now) {
            return expireAtMillis != 0 && now >= expireAtMillis;
        }

        @Override
        public void release() {
            unpin(this);
        }
    }

    private final Arena arena;
    private final MemorySegment memory;
    private final ArenaAllocator allocator;
    private final HashMap<Key, Value> map = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final int regionThreshold;
    private final LongSupplier clockMillis;
    private long pinnedValues;

    /**
     * @param arenaBytes      arena size, at least 64
     * @param regionThreshold values of at least this many bytes go to a {@link RegionOutput} by reference, {@code >= 1}
     */
    public RegionStore(long arenaBytes, int regionThreshold) {
        this(arenaBytes, regionThreshold, System::currentTimeMillis);
    }

    /** As {@link #RegionStore(long, int)} with an injectable clock (tests). */
    public RegionStore(long arenaBytes, int regionThreshold, LongSupplier clockMillis) {
        if (regionThreshold < 1) {
            throw new IllegalArgumentException("regionThreshold must be >= 1, was " + regionThreshold);
        }
        this.allocator = new ArenaAllocator(arenaBytes);
        this.regionThreshold = regionThreshold;
        this.clockMillis = clockMillis;
        this.arena = Arena.ofShared();
        this.memory = arena.allocate(arenaBytes, 4096);
    }

    /** {@return the arena: register it as a region ({@code MemoryRegion.of(segment())})} */
    public MemorySegment segment() {
        return memory;
    }

    /** {@return the smallest value length sent by reference} */
    public int regionThreshold() {
        return regionThreshold;
    }

    /** {@return the largest value that can ever be stored} */
    public long maxValueLength() {
        return allocator.maxLength();
    }

    /** {@return bytes of the arena in allocated blocks} */
    public long allocatedBytes() {
        lock.lock();
        try {
            return allocator.allocatedBytes();
        } finally {
            lock.unlock();
        }
    }

    /** {@return the number of values pinned by in-flight sends} */
    public long pinnedValues() {
        lock.lock();
        try {
            return pinnedValues;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long now() {
        return clockMillis.getAsLong();
    }

    @Override
    public void writeValue(byte[] key, RespOutput out) {
        Value pinned;
        lock.lock();
        try {
            Value v = live(new Key(key));
            if (v == null) {
                out.writeBytes(Resp.NULL_BULK);
                return;
            }
            if (v.length < regionThreshold || !(out instanceof RegionOutput)) {
                Resp.bulkHeader(out, v.length);
                if (v.length > 0) {
                    out.writeBytes(memory, v.offset, v.length);
                }
                out.writeBytes(Resp.CRLF);
                return;
            }
            if (v.pins++ == 0) {
                pinnedValues++;
            }
            pinned = v;
        } finally {
            lock.unlock();
        }
        // outside the lock: the pin keeps the block from being freed or reused
        Resp.bulkHeader(out, pinned.length);
        ((RegionOutput) out).writeRegion(pinned.offset, pinned.length, pinned);
        out.writeBytes(Resp.CRLF);
    }

    @Override
    public byte[] get(byte[] key) {
        lock.lock();
        try {
            Value v = live(new Key(key));
            return v == null ? null : read(v);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void set(byte[] key, byte[] value, long expireAtMillis) {
        lock.lock();
        try {
            put(new Key(key), value, expireAtMillis);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean setConditional(byte[] key, byte[] value, long expireAtMillis, boolean nx, boolean xx) {
        lock.lock();
        try {
            Key k = new Key(key);
            boolean exists = live(k) != null;
            if ((nx && exists) || (xx && !exists)) {
                return false;
            }
            put(k, value, expireAtMillis);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean delete(byte[] key) {
        lock.lock();
        try {
            Value v = map.remove(new Key(key));
            if (v == null) {
                return false;
            }
            retire(v);
            return !v.expired(now());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean exists(byte[] key) {
        lock.lock();
        try {
            return live(new Key(key)) != null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long incrBy(byte[] key, long delta) {
        lock.lock();
        try {
            Key k = new Key(key);
            Value v = live(k);
            long current = v == null ? 0 : Store.parseLong(read(v));
            long next = Math.addExact(current, delta);
            put(k, Long.toString(next).getBytes(StandardCharsets.US_ASCII), v == null ? 0 : v.expireAtMillis);
            return next;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void clear() {
        lock.lock();
        try {
            for (Value v : map.values()) {
                retire(v);
            }
            map.clear();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int size() {
        lock.lock();
        try {
            return map.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Frees the arena. Call only when no send can reference it any more (the runtime terminated).
     */
    @Override
    public void close() {
        arena.close();
    }

    // ------------------------------------------------------------------ under the lock

    private Value live(Key k) {
        Value v = map.get(k);
        if (v != null && v.expired(now())) {
            map.remove(k);
            retire(v);
            return null;
        }
        return v;
    }

    private byte[] read(Value v) {
        byte[] b = new byte[v.length];
        if (v.length > 0) {
            MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, v.offset, b, 0, v.length);
        }
        return b;
    }

    /** Stores a copy of {@code value}; the previous value (if any) is retired. Keeps it on failure. */
    private void put(Key k, byte[] value, long expireAtMillis) {
        long offset = -1;
        if (value.length > 0) {
            if (value.length > allocator.maxLength()) {
                throw new StoreFullException("OOM value of " + value.length + " bytes is larger than the arena allows ("
                        + allocator.maxLength() + ")");
            }
            offset = allocator.allocate(value.length);
            if (offset < 0 && dropExpired() > 0) {
                offset = allocator.allocate(value.length);
            }
            if (offset < 0) {
                throw new StoreFullException("OOM arena full");
            }
            MemorySegment.copy(value, 0, memory, ValueLayout.JAVA_BYTE, offset, value.length);
        }
        Value old = map.put(k, new Value(offset, value.length, expireAtMillis));
        if (old != null) {
            retire(old);
        }
    }

    private int dropExpired() {
        long now = now();
        int n = 0;
        for (Iterator<Map.Entry<Key, Value>> it = map.entrySet().iterator(); it.hasNext(); ) {
            Value v = it.next().getValue();
            if (v.expired(now)) {
                it.remove();
                retire(v);
                n++;
            }
        }
        return n;
    }

    private void retire(Value v) {
        v.retired = true;
        if (v.pins == 0) {
            free(v);
        }
    }

    private void unpin(Value v) {
        lock.lock();
        try {
            if (v.pins <= 0) {
                throw new IllegalStateException("value released more often than pinned");
            }
            if (--v.pins == 0) {
                pinnedValues--;
                if (v.retired) {
                    free(v);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void free(Value v) {
        if (!v.freed) {
            v.freed = true;
            if (v.offset >= 0) {
                allocator.free(v.offset, v.length);
            }
        }
    }
}
