package io.ringline.internal;

import io.ringline.ConnectionClosedException;
import io.ringline.spi.OutboundQueue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * A connection's ordered send queue. Copied bytes are coalesced into pooled direct chunks (so many
 * small sends become one gathered write); region sends are queued as references to the region's
 * memory. Entries live in a ring array: the backend reads them by index, nothing is allocated per
 * flush. Finished entries release their chunk or region reference and complete their future, unless
 * the backend {@linkplain #retain() retained} the queue: then they are held until the matching
 * {@link #release()}. Used only on the worker thread.
 */
final class SendQueue implements OutboundQueue {

    private final BufferPool pool;
    private final RegionTable regions;
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

    SendQueue(BufferPool pool, RegionTable regions) {
        this.pool = pool;
        this.regions = regions;
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
        ByteBuffer b = entry(index).buf;
        return java.lang.foreign.MemorySegment.ofBuffer(b).address();
    }

    @Override
    public int regionSlot(int index) {
        return entry(index).regionSlot;
    }

    private OutboundEntry entry(int index) {
        return entries[(head + java.util.Objects.checkIndex(index, count)) & (entries.length - 1)];
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
        int n = src.remaining();
        bytes += n;
        while (src.hasRemaining()) {
            OutboundEntry tail = tail();
            if (tail == null || tail.sealed || !tail.pooled || tail.buf.limit() == tail.buf.capacity()) {
                ByteBuffer chunk = pool.acquire();
                chunk.limit(0);
                tail = newEntry().set(chunk, true, -1);
                addLast(tail);
            }
            ByteBuffer b = tail.buf;
            int lim = b.limit();
            int k = Math.min(src.remaining(), b.capacity() - lim);
            b.limit(lim + k);
            b.put(lim, src, src.position(), k);
            src.position(src.position() + k);
        }
    }

    /** Queues a region slice whose reference was taken with {@link RegionTable#acquire}; {@code slice} must stay valid until released. */
    void appendRegion(ByteBuffer slice, int slot) {
        bytes += slice.remaining();
        addLast(newEntry().set(slice, false, slot));
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
     * written whole, in order.
     *
     * @throws IllegalStateException if more than {@link #bytes()} bytes
     */
    void consumed(long n) {
        if (n > bytes) {
            throw new IllegalStateException("consumed " + n + " bytes but only " + bytes + " are queued");
        }
        bytes -= n;
        while (n > 0 || (count > 0 && !entries[head].buf.hasRemaining())) {
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
        if (e.pooled) {
            pool.release(e.buf);
        } else if (e.regionSlot >= 0) {
            regions.release(e.regionSlot);
        }
        CompletableFuture<Void> done = e.done;
        e.clear();
        if (spareCount < MAX_SPARE_ENTRIES) {
            if (spareCount == spare.length) {
                spare = Arrays.copyOf(spare, spare.length * 2);
            }
            spare[spareCount++] = e;
        }
        if (done != null) {
            done.complete(null); // last: its callbacks may send on this connection
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
