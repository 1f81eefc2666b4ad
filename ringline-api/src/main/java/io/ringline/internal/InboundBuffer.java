package io.ringline.internal;

import io.ringline.Config;

import java.nio.ByteBuffer;

/**
 * The received bytes of one connection that its handler has not consumed yet, kept between reads.
 * Works like the merge cumulator of Netty's {@code ByteToMessageDecoder}: bytes are appended at the
 * write index, the handler is shown {@code [readIndex, writeIndex)}, and what it consumed only
 * advances the read index, so a handler that answers "need more" costs nothing but the append.
 *
 * <ul>
 *   <li>When the buffer empties, both indexes go back to 0.</li>
 *   <li>When an append does not fit behind the write index, the unread bytes are moved to the front
 *       (compaction) only if the read index has passed half of the capacity, so a compaction never
 *       moves more bytes than were consumed since the previous one (Netty's
 *       {@code discardSomeReadBytes} rule). Otherwise the storage is replaced by one of at least
 *       twice the capacity, at most the {@code maxCapacity} of the append (a full-size buffer
 *       compacts instead). Appends and compactions together therefore copy at most twice the
 *       bytes received (except in a buffer already at {@code maxCapacity}, which cannot grow and
 *       compacts whenever that makes room); replacements copy the unread bytes once more, in
 *       total less than twice the bytes received, because capacities at least double and every
 *       replacement happens once more bytes arrived than the outgrown capacity.</li>
 *   <li>The storage is a direct buffer, so the handler always sees the same kind of buffer (direct,
 *       read-only) whether it is shown a fresh read or kept bytes.</li>
 *   <li>Memory: storage is allocated on the first append. When the buffer empties and its capacity
 *       exceeds {@link #retainedCapacity(Config)} (64 KiB or two receive buffers), the storage is
 *       handed to the worker's {@link InboundSpare} (which keeps one such buffer per worker), so a
 *       connection that once received a large frame does not keep it while idle: an idle
 *       connection keeps at most the retained capacity. Growth beyond the retained capacity takes
 *       the spare when it is large enough, so repeated large frames reuse one buffer instead of
 *       allocating and zeroing fresh direct memory each time (what Netty's pooled allocator does
 *       for an emptied cumulation). {@link #release()} hands the storage over when the connection
 *       closes; a buffer that is simply dropped is freed by its cleaner once the garbage collector
 *       finds it unreachable, like any {@code allocateDirect} buffer (the JVM collects when
 *       {@code -XX:MaxDirectMemorySize} would be exceeded).</li>
 * </ul>
 *
 * <p>Not thread-safe: used by the owning worker's thread only.
 */
final class InboundBuffer {

    /** Smallest storage allocated. */
    static final int MIN_CAPACITY = 1024;

    private final int retainedCapacity;
    private final InboundSpare spare;
    /** Direct storage, or null before the first append and after {@link #release()}. */
    private ByteBuffer storage;
    /** Read-only duplicate of {@link #storage}, handed out by {@link #readable()}. */
    private ByteBuffer view;
    private int readIndex;
    private int writeIndex;
    private long appendedBytes;
    private long compactedBytes;
    private long regrownBytes;

    /**
     * @param retainedCapacity the largest storage kept while the buffer is empty
     * @param spare            the worker's cache of one larger storage
     * @throws IllegalArgumentException if {@code retainedCapacity} is below {@link #MIN_CAPACITY}
     */
    InboundBuffer(int retainedCapacity, InboundSpare spare) {
        if (retainedCapacity < MIN_CAPACITY) {
            throw new IllegalArgumentException("retainedCapacity " + retainedCapacity + " is below " + MIN_CAPACITY);
        }
        this.retainedCapacity = retainedCapacity;
        this.spare = spare;
    }

    /** {@return the largest storage an empty buffer keeps under {@code config}: 64 KiB or two receive buffers} */
    static int retainedCapacity(Config config) {
        return (int) Math.max(64 * 1024, 2L * config.recvBufferSize());
    }

    /** {@return whether no unconsumed bytes are kept} */
    boolean isEmpty() {
        return readIndex == writeIndex;
    }

    /** {@return the number of unconsumed bytes kept} */
    int readableBytes() {
        return writeIndex - readIndex;
    }

    /** {@return the storage's capacity, 0 when none is allocated} */
    int capacity() {
        return storage == null ? 0 : storage.capacity();
    }

    /** {@return the read index: where the unconsumed bytes start in the storage} */
    int readIndex() {
        return readIndex;
    }

    /**
     * Appends {@code src} from its position to its limit, making room as described in the class
     * comment. {@code src}'s position is not changed.
     *
     * @param src         the bytes to keep
     * @param maxCapacity the most bytes the buffer may hold after the append
     * @throws IllegalArgumentException if the kept bytes plus {@code src} exceed {@code maxCapacity}
     */
    void append(ByteBuffer src, int maxCapacity) {
        int need = src.remaining();
        long total = (long) readableBytes() + need;
        if (total > maxCapacity) {
            throw new IllegalArgumentException("appending " + need + " bytes to " + readableBytes()
                    + " kept bytes exceeds the maximum of " + maxCapacity + " bytes");
        }
        if (need == 0) {
            return;
        }
        ensureWritable(need, maxCapacity);
        storage.put(writeIndex, src, src.position(), need);
        writeIndex += need;
        appendedBytes += need;
    }

    private void ensureWritable(int need, int maxCapacity) {
        if (storage == null) {
            allocate(Math.min(maxCapacity, Math.max(need, MIN_CAPACITY)));
            return;
        }
        int capacity = storage.capacity();
        if (capacity - writeIndex >= need) {
            return;
        }
        int held = readableBytes();
        boolean fitsAfterCompaction = held + need <= capacity;
        if (fitsAfterCompaction && (readIndex >= capacity >>> 1 || capacity >= maxCapacity)) {
            storage.put(0, storage, readIndex, held);
            compactedBytes += held;
        } else {
            long doubled = Math.min(maxCapacity, 2L * capacity);
            ByteBuffer old = storage;
            allocate((int) Math.max(held + need, doubled));
            storage.put(0, old, readIndex, held);
            regrownBytes += held;
        }
        readIndex = 0;
        writeIndex = held;
    }

    /**
     * Installs a storage of at least {@code capacity} bytes: the worker's spare when the size is
     * beyond the retained capacity and the spare is large enough, else a new direct buffer.
     */
    private void allocate(int capacity) {
        ByteBuffer reused = capacity > retainedCapacity ? spare.take(capacity) : null;
        storage = reused != null ? reused : ByteBuffer.allocateDirect(capacity);
        view = storage.asReadOnlyBuffer();
    }

    /**
     * {@return a read-only direct view of the unconsumed bytes: position {@link #readIndex()},
     * limit the write index} The same view object is returned each time; it is valid until the next
     * {@link #append} or {@link #skip}. Must not be called while empty.
     */
    ByteBuffer readable() {
        view.limit(writeIndex);
        view.position(readIndex);
        return view;
    }

    /**
     * The handler consumed {@code n} bytes from the start of the unconsumed bytes. When none are
     * left, both indexes go back to 0 and a storage above the retained capacity goes to the worker's
     * spare.
     *
     * @param n consumed bytes, 0..{@link #readableBytes()}
     * @throws IllegalArgumentException if {@code n} is out of that range
     */
    void skip(int n) {
        if (n < 0 || n > readableBytes()) {
            throw new IllegalArgumentException("cannot skip " + n + " bytes, " + readableBytes() + " are kept");
        }
        readIndex += n;
        if (readIndex == writeIndex) {
            readIndex = 0;
            writeIndex = 0;
            if (storage != null && storage.capacity() > retainedCapacity) {
                release();
            }
        }
    }

    /**
     * Drops the kept bytes and the storage; a storage beyond the retained capacity goes to the
     * worker's spare. For the connection's close; the buffer may be used again afterwards.
     */
    void release() {
        if (storage != null && storage.capacity() > retainedCapacity) {
            spare.offer(storage);
        }
        storage = null;
        view = null;
        readIndex = 0;
        writeIndex = 0;
    }

    /** {@return bytes copied in by {@link #append}, in total} */
    long appendedBytes() {
        return appendedBytes;
    }

    /** {@return bytes moved to the front of the storage by compactions, in total} */
    long compactedBytes() {
        return compactedBytes;
    }

    /** {@return bytes copied from an outgrown storage into its larger replacement, in total} */
    long regrownBytes() {
        return regrownBytes;
    }

    /** {@return every byte copied: appends, compactions and growth} */
    long copiedBytes() {
        return appendedBytes + compactedBytes + regrownBytes;
    }
}
