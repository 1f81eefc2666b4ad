package io.ringline.examples.resp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
 * <p><b>No garbage in steady state:</b> keys are looked up in place in the request
 * ({@link KeyIndex}, open addressing); a GET copies the value straight from the arena to the
 * output; a SET of an existing key whose value is not pinned overwrites the entry and, when the new
 * value has the same size class, the block in place. Only a new key, a value of another size class
 * or an overwrite of a pinned value allocate (an entry).
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

    /** A key's value: the index entry, and the pin of a reply sent from its block. */
    private final class Value extends KeyIndex.Entry implements Pin {
        long offset; // -1 for an empty value
        int length;
        long expireAtMillis;
        int pins;
        boolean retired;
        boolean freed;

        Value(byte[] key, int hash, long offset, int length, long expireAtMillis) {
            super(key, hash);
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
    /** The arena as a buffer (absolute access only), for copies to and from buffers. */
    private final ByteBuffer memoryBuffer;
    private final ArenaAllocator allocator;
    private final KeyIndex<Value> index = new KeyIndex<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final int regionThreshold;
    private final LongSupplier clockMillis;
    private long pinnedValues;

    /**
     * @param arenaBytes      arena size, at least 64, at most 1 GiB
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
        if (arenaBytes < ArenaAllocator.MIN_BLOCK || arenaBytes > 1L << 30) {
            throw new IllegalArgumentException("arena must be " + ArenaAllocator.MIN_BLOCK + " bytes to 1 GiB, was "
                    + arenaBytes);
        }
        this.regionThreshold = regionThreshold;
        this.clockMillis = clockMillis;
        this.arena = Arena.ofShared();
        this.memory = arena.allocate(arenaBytes, 4096);
        this.memoryBuffer = memory.asByteBuffer();
        this.allocator = new ArenaAllocator(memory);
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
        writeValue(ByteBuffer.wrap(key), 0, key.length, out);
    }

    @Override
    public void writeValue(RespArgs args, int key, RespOutput out) {
        writeValue(args.buffer(key), args.offset(key), args.length(key), out);
    }

    private void writeValue(ByteBuffer key, int keyOffset, int keyLength, RespOutput out) {
        Value pinned;
        lock.lock();
        try {
            Value v = live(key, keyOffset, keyLength);
            if (v == null) {
                out.writeBytes(Resp.NULL_BULK);
                return;
            }
            if (v.length < regionThreshold || !(out instanceof RegionOutput)) {
                Resp.bulkHeader(out, v.length);
                if (v.length > 0) {
                    out.writeBytes(memoryBuffer, (int) v.offset, v.length);
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
            Value v = live(ByteBuffer.wrap(key), 0, key.length);
            return v == null ? null : read(v);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void set(byte[] key, byte[] value, long expireAtMillis) {
        lock.lock();
        try {
            put(ByteBuffer.wrap(key), 0, key.length, ByteBuffer.wrap(value), 0, value.length, expireAtMillis);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void set(RespArgs args, int key, int value, long expireAtMillis) {
        lock.lock();
        try {
            put(args.buffer(key), args.offset(key), args.length(key), args.buffer(value), args.offset(value),
                    args.length(value), expireAtMillis);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean setConditional(byte[] key, byte[] value, long expireAtMillis, boolean nx, boolean xx) {
        lock.lock();
        try {
            ByteBuffer k = ByteBuffer.wrap(key);
            boolean exists = live(k, 0, key.length) != null;
            if ((nx && exists) || (xx && !exists)) {
                return false;
            }
            put(k, 0, key.length, ByteBuffer.wrap(value), 0, value.length, expireAtMillis);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean delete(byte[] key) {
        lock.lock();
        try {
            Value v = index.get(ByteBuffer.wrap(key), 0, key.length, KeyIndex.hash(ByteBuffer.wrap(key), 0, key.length));
            if (v == null) {
                return false;
            }
            index.remove(v);
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
            return live(ByteBuffer.wrap(key), 0, key.length) != null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long incrBy(byte[] key, long delta) {
        lock.lock();
        try {
            ByteBuffer k = ByteBuffer.wrap(key);
            Value v = live(k, 0, key.length);
            long current = v == null ? 0 : Store.parseLong(read(v));
            long next = Math.addExact(current, delta);
            byte[] digits = Long.toString(next).getBytes(StandardCharsets.US_ASCII);
            put(k, 0, key.length, ByteBuffer.wrap(digits), 0, digits.length, v == null ? 0 : v.expireAtMillis);
            return next;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void clear() {
        lock.lock();
        try {
            index.forEach(this::retire);
            index.clear();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int size() {
        lock.lock();
        try {
            return index.size();
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

    /** {@return the live value of the key at {@code offset} of {@code key}, or null; drops it if expired} */
    private Value live(ByteBuffer key, int offset, int length) {
        Value v = index.get(key, offset, length, KeyIndex.hash(key, offset, length));
        if (v != null && v.expired(now())) {
            index.remove(v);
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

    /**
     * Stores a copy of the value bytes for the key; the previous value (if any) is overwritten in
     * place when nothing pins it and the new bytes fit its block, else retired. Keeps it on failure.
     */
    private void put(ByteBuffer key, int keyOffset, int keyLength, ByteBuffer value, int valueOffset, int valueLength,
            long expireAtMillis) {
        if (valueLength > allocator.maxLength()) {
            throw new StoreFullException("OOM value of " + valueLength + " bytes is larger than the arena allows ("
                    + allocator.maxLength() + ")");
        }
        int hash = KeyIndex.hash(key, keyOffset, keyLength);
        Value old = index.get(key, keyOffset, keyLength, hash);
        if (old != null && old.pins == 0 && sameBlock(old, valueLength)) {
            if (valueLength > 0) {
                memoryBuffer.put((int) old.offset, value, valueOffset, valueLength);
            }
            old.length = valueLength;
            old.expireAtMillis = expireAtMillis;
            return;
        }
        long offset = -1;
        if (valueLength > 0) {
            offset = allocator.allocate(valueLength);
            if (offset < 0 && dropExpired() > 0) {
                offset = allocator.allocate(valueLength);
            }
            if (offset < 0) {
                throw new StoreFullException("OOM arena full");
            }
            memoryBuffer.put((int) offset, value, valueOffset, valueLength);
        }
        byte[] keyBytes = old != null ? old.key : KeyIndex.copy(key, keyOffset, keyLength);
        Value replaced = index.put(new Value(keyBytes, hash, offset, valueLength, expireAtMillis));
        if (replaced != null) {
            retire(replaced);
        }
    }

    /** {@return whether a value of {@code length} bytes goes in {@code v}'s block (same size class, or both empty)} */
    private static boolean sameBlock(Value v, int length) {
        if (length == 0 || v.offset < 0) {
            return length == 0 && v.offset < 0;
        }
        return ArenaAllocator.orderFor(length) == ArenaAllocator.orderFor(v.length);
    }

    private int dropExpired() {
        long now = now();
        int n = 0;
        for (Value v : index.removeIf(v -> v.expired(now))) {
            retire(v);
            n++;
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
