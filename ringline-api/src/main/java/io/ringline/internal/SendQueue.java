package io.ringline.internal;

import io.ringline.BufferRelease;
import io.ringline.ConnectionClosedException;
import io.ringline.MemoryRegion;
import io.ringline.spi.OutboundQueue;
import io.ringline.spi.ReceivedMemory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A connection's ordered send queue, of four kinds of entry ({@link OutboundEntry.Kind}): copied
 * bytes coalesced into pooled direct chunks (so many small sends become one gathered write),
 * region sends as views of the region's memory, owned buffers the application handed over
 * ({@code sendOwned}) and lent receive memory ({@code sendReceived}); only the first kind is a
 * copy. Entries live in a ring array and are recycled, views of regions and lent memory are
 * reused and every entry knows its native address: the backend reads them by index and nothing is
 * allocated per send or flush in steady state.
 *
 * <p>An entry finishes when written whole or dropped at close. A finished entry is released at
 * once (chunk back to the pool, region reference dropped, {@link BufferRelease} called, lent memory
 * returned, {@code sendAsync} future completed, in that order), unless the backend
 * {@linkplain #retain() retained} the queue: then it is held until the matching {@link #release()}
 * and released then, in finishing order. Used only on the worker thread.
 */
final class SendQueue implements OutboundQueue {

    private static final Logger log = LoggerFactory.getLogger(SendQueue.class);

    private final BufferPool pool;
    private final RegionTable regions;
    private final LentViews lentViews;
    /** Ring of pending entries: {@code count} of them from {@code head}; the length is a power of two. */
    private OutboundEntry[] entries = new OutboundEntry[8];
    private int head;
    private int count;
    private long bytes;
    private int retained;
    /** Finished entries held while retained, in finishing order. */
    private OutboundEntry[] held = new OutboundEntry[0];
    private int heldCount;
    /** Released entries for reuse, at most {@link #MAX_SPARE_ENTRIES}. */
    private OutboundEntry[] spare = new OutboundEntry[4];
    private int spareCount;
    private static final int MAX_SPARE_ENTRIES = 64;
    /**
     * The last owned buffer queued and its native address: a handler that sends the same buffer
     * again and again costs no address lookup. Keeps that buffer reachable until another one is
     * sent or the connection is gone.
     */
    private ByteBuffer lastOwned;
    private long lastOwnedBase;

    /**
     * @param pool      the worker's send chunks
     * @param regions   the worker's registered regions
     * @param lentViews the worker's views of lent receive memory
     */
    SendQueue(BufferPool pool, RegionTable regions, LentViews lentViews) {
        this.pool = pool;
        this.regions = regions;
        this.lentViews = lentViews;
    }

    /** {@return the size of this queue's chunks} */
    int chunkSize() {
        return pool.bufferSize();
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public boolean isEmpty() {
        return count == 0;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public ByteBuffer buffer(int index) {
        return entry(index).buf;
    }

    @Override
    public long address(int index) {
        OutboundEntry e = entry(index);
        return e.base + e.buf.position();
    }

    @Override
    public int regionSlot(int index) {
        return entry(index).regionSlot;
    }

    /** {@return the kind of entry {@code index} (for tests and benchmarks)} */
    OutboundEntry.Kind kind(int index) {
        return entry(index).kind;
    }

    private OutboundEntry entry(int index) {
        return entries[(head + Objects.checkIndex(index, count)) & (entries.length - 1)];
    }

    private OutboundEntry tail() {
        return count == 0 ? null : entries[(head + count - 1) & (entries.length - 1)];
    }

    private void addLast(OutboundEntry e) {
        if (count == entries.length) {
            OutboundEntry[] grown = new OutboundEntry[entries.length * 2];
            for (int i = 0; i < count; i++) {
                grown[i] = entries[(head + i) & (entries.length - 1)];
            }
            entries = grown;
            head = 0;
        }
        entries[(head + count) & (entries.length - 1)] = e;
        count++;
        bytes += e.buf.remaining();
    }

    private OutboundEntry pollFirst() {
        if (count == 0) {
            return null;
        }
        OutboundEntry e = entries[head];
        entries[head] = null;
        head = (head + 1) & (entries.length - 1);
        count--;
        return e;
    }

    /** Copies {@code src}'s remaining bytes to the tail, advancing its position. */
    void appendCopy(ByteBuffer src) {
        bytes += src.remaining();
        while (src.hasRemaining()) {
            OutboundEntry tail = tail();
            if (tail == null || tail.sealed || tail.buf.limit() == tail.buf.capacity()) { // only COPIED is unsealed
                BufferPool.Chunk chunk = pool.acquire();
                chunk.buffer.limit(0);
                tail = newEntry().set(OutboundEntry.Kind.COPIED, chunk.buffer, chunk.address);
                tail.chunk = chunk;
                addLast(tail); // counts 0 bytes: counted above
            }
            ByteBuffer b = tail.buf;
            int lim = b.limit();
            int k = Math.min(src.remaining(), b.capacity() - lim);
            b.limit(lim + k);
            b.put(lim, src, src.position(), k);
            src.position(src.position() + k);
        }
    }

    /**
     * {@return a buffer over the free space of the tail chunk for writing bytes straight into the
     * queue (TLS records are encrypted there): position where the queued bytes end, limit the
     * chunk's end} The tail is a copied chunk with at least {@code minFree} bytes free, or a new
     * chunk (then nothing may be appended to the old one any more). The bytes count as queued only
     * after {@link #tailWritten}; until then nothing else may be appended.
     *
     * @param minFree the least free space needed, at most the pool's buffer size
     * @throws IllegalArgumentException if {@code minFree} exceeds the pool's buffer size
     */
    ByteBuffer tailSpace(int minFree) {
        if (minFree > pool.bufferSize()) {
            throw new IllegalArgumentException("need " + minFree + " bytes free in a send chunk of " + pool.bufferSize() + " bytes");
        }
        OutboundEntry tail = tail();
        if (tail == null || tail.sealed || tail.buf.capacity() - tail.buf.limit() < minFree) {
            if (tail != null && tail.kind == OutboundEntry.Kind.COPIED) {
                tail.sealed = true; // too little room left: the next records go to the new chunk
            }
            BufferPool.Chunk chunk = pool.acquire();
            chunk.buffer.limit(0);
            tail = newEntry().set(OutboundEntry.Kind.COPIED, chunk.buffer, chunk.address);
            tail.chunk = chunk;
            addLast(tail);
        }
        ByteBuffer w = tail.chunk.writer();
        w.limit(w.capacity()).position(tail.buf.limit());
        return w;
    }

    /**
     * {@code n} bytes were written into the buffer {@link #tailSpace} returned, at its old
     * position: they are queued now.
     */
    void tailWritten(int n) {
        OutboundEntry tail = tail();
        if (n == 0) {
            if (!tail.buf.hasRemaining() && tail.buf.limit() == 0) { // a fresh chunk nothing went into: give it back
                entries[(head + count - 1) & (entries.length - 1)] = null;
                count--;
                release(tail);
            }
            return;
        }
        tail.buf.limit(tail.buf.limit() + n);
        bytes += n;
    }

    /**
     * Queues {@code length} bytes of {@code region} (in {@code slot}) from {@code offset}, without
     * copying; the reference was taken with {@link RegionTable#acquire} and is dropped when the
     * entry is released.
     */
    void appendRegion(MemoryRegion region, int slot, long offset, int length) {
        ViewSource views = regions.views(slot);
        OutboundEntry e = newEntry();
        if (views != null) {
            ByteBuffer v = views.acquire();
            int from = (int) offset;
            v.limit(from + length).position(from);
            e.set(OutboundEntry.Kind.REGION, v, views.base());
            e.viewSource = views;
        } else { // beyond a ByteBuffer's reach: a slice per send
            e.set(OutboundEntry.Kind.REGION, region.segment().asSlice(offset, length).asByteBuffer(), region.address() + offset);
        }
        e.regionSlot = slot;
        addLast(e);
    }

    /**
     * Queues {@code data}'s remaining bytes as they are (a direct buffer the application handed
     * over): the queue advances its position as bytes are written, and calls {@code onRelease}
     * once when the entry is released.
     */
    void appendOwned(ByteBuffer data, BufferRelease onRelease) {
        if (data != lastOwned) {
            lastOwnedBase = NativeAddress.base(data);
            lastOwned = data;
        }
        OutboundEntry e = newEntry().set(OutboundEntry.Kind.OWNED, data, lastOwnedBase);
        e.onRelease = onRelease;
        addLast(e);
    }

    /**
     * Queues the bytes of {@code data} (position to limit) from the lent memory behind it, which
     * the caller {@linkplain ReceivedMemory#tryRetain() retained}: the queue releases it once when
     * the entry is released (also when this throws). Does not change {@code data}.
     *
     * @param memory the memory behind {@code data}: its index {@code offset()} is {@code data}'s index 0
     * @param data   the buffer delivered from {@code memory}
     */
    void appendLent(ReceivedMemory memory, ByteBuffer data) {
        ViewSource views;
        ByteBuffer v;
        try {
            views = lentViews.of(memory.memory());
            v = views.acquire();
            int at = memory.offset();
            v.limit(at + data.limit()).position(at + data.position());
        } catch (RuntimeException e) {
            memory.release();
            throw e;
        }
        OutboundEntry e = newEntry().set(OutboundEntry.Kind.LENT, v, views.base());
        e.viewSource = views;
        e.lent = memory;
        addLast(e);
    }

    /** Completes {@code done} when every byte queued so far was written; seals the tail. */
    void completeWhenWritten(CompletableFuture<Void> done) {
        OutboundEntry tail = tail();
        if (tail == null) {
            done.complete(null);
            return;
        }
        tail.sealed = true;
        if (tail.done == null) {
            tail.done = done;
        } else {
            tail.done.whenComplete((v, t) -> {
                if (t == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(t);
                }
            });
        }
    }

    /**
     * Marks {@code n} bytes from the head as written: advances positions, and finishes every entry
     * written whole, in order. Stops early if a release callback closed the connection meanwhile
     * (the queue was discarded).
     *
     * @throws IllegalStateException if more than {@link #bytes()} bytes
     */
    void consumed(long n) {
        if (n > bytes) {
            throw new IllegalStateException("consumed " + n + " bytes but only " + bytes + " are queued");
        }
        bytes -= n;
        while (count > 0 && (n > 0 || !entries[head].buf.hasRemaining())) {
            OutboundEntry e = entries[head];
            ByteBuffer b = e.buf;
            int k = (int) Math.min(n, b.remaining());
            b.position(b.position() + k);
            n -= k;
            if (!b.hasRemaining()) {
                pollFirst();
                finished(e);
            }
        }
    }

    /** Drops every entry (connection closed): fails their futures now; their memory is released (or held while retained). */
    void discard(String why) {
        OutboundEntry e;
        while ((e = pollFirst()) != null) {
            CompletableFuture<Void> done = e.done;
            e.done = null;
            finished(e);
            if (done != null) {
                done.completeExceptionally(new ConnectionClosedException(why));
            }
        }
        bytes = 0;
        lastOwned = null;
    }

    private void finished(OutboundEntry e) {
        if (retained == 0) {
            release(e);
            return;
        }
        if (heldCount == held.length) {
            held = Arrays.copyOf(held, Math.max(8, held.length * 2));
        }
        held[heldCount++] = e;
    }

    private void release(OutboundEntry e) {
        ByteBuffer buf = e.buf;
        BufferRelease onRelease = e.onRelease;
        ReceivedMemory lent = e.lent;
        CompletableFuture<Void> done = e.done;
        switch (e.kind) {
            case COPIED -> pool.release(e.chunk);
            case REGION -> {
                if (e.viewSource != null) {
                    e.viewSource.release(buf);
                }
                regions.release(e.regionSlot);
            }
            case LENT -> e.viewSource.release(buf);
            case OWNED -> { }
        }
        e.clear();
        if (spareCount < MAX_SPARE_ENTRIES) {
            if (spareCount == spare.length) {
                spare = Arrays.copyOf(spare, spare.length * 2);
            }
            spare[spareCount++] = e;
        }
        // Callbacks last, on a recycled entry: they may send on this connection.
        if (onRelease != null) {
            callRelease(onRelease, buf);
        }
        if (lent != null) {
            lent.release();
        }
        if (done != null) {
            done.complete(null);
        }
    }

    /** Calls {@code onRelease} for {@code buf} now (an owned buffer with nothing to write), logging what it throws. */
    void releaseNow(ByteBuffer buf, BufferRelease onRelease) {
        callRelease(onRelease, buf);
    }

    private static void callRelease(BufferRelease onRelease, ByteBuffer buf) {
        try {
            onRelease.released(buf);
        } catch (Throwable t) {
            Throwables.rethrowIfFatal(t);
            log.warn("ringline: BufferRelease {} threw (ignored, the connection goes on)", onRelease, t);
        }
    }

    private OutboundEntry newEntry() {
        if (spareCount == 0) {
            return new OutboundEntry();
        }
        OutboundEntry e = spare[--spareCount];
        spare[spareCount] = null;
        return e;
    }

    @Override
    public void retain() {
        retained++;
    }

    @Override
    public void release() {
        if (retained == 0) {
            throw new IllegalStateException("OutboundQueue.release without a matching retain");
        }
        if (--retained > 0) {
            return;
        }
        // Entries released here may complete futures whose callbacks queue more: take them first.
        for (int i = 0; i < heldCount && retained == 0; i++) {
            OutboundEntry e = held[i];
            held[i] = null;
            release(e);
            if (retained > 0) { // a callback retained again (via a flush): keep the rest held
                int rest = heldCount - i - 1;
                System.arraycopy(held, i + 1, held, 0, rest);
                Arrays.fill(held, rest, heldCount, null);
                heldCount = rest;
                return;
            }
        }
        heldCount = 0;
    }

    /** {@return how many {@link #retain()}s are not yet balanced (for tests)} */
    int retainCount() {
        return retained;
    }

    /** {@return finished entries held while retained (for tests)} */
    int heldCount() {
        return heldCount;
    }
}
