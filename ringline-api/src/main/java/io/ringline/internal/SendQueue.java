package io.ringline.internal;

import io.ringline.ConnectionClosedException;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A connection's ordered send queue. Copied bytes are coalesced into pooled direct chunks (so many
 * small sends become one gathered write); region sends are queued as references to the region's
 * memory. Used only on the worker thread.
 */
public final class SendQueue {

    private final ArrayDeque<OutboundEntry> entries = new ArrayDeque<>();
    private final BufferPool pool;
    private long bytes;

    SendQueue(BufferPool pool) {
        this.pool = pool;
    }

    /** {@return bytes queued} */
    public long bytes() {
        return bytes;
    }

    /** {@return whether nothing is queued} */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** {@return the number of entries} */
    public int entryCount() {
        return entries.size();
    }

    /** Copies {@code src}'s remaining bytes to the tail, advancing its position. */
    void appendCopy(ByteBuffer src) {
        int n = src.remaining();
        bytes += n;
        while (src.hasRemaining()) {
            OutboundEntry tail = entries.peekLast();
            if (tail == null || tail.sealed || !tail.pooled || tail.buf.limit() == tail.buf.capacity()) {
                ByteBuffer chunk = pool.acquire();
                chunk.limit(0);
                tail = new OutboundEntry(chunk, true, -1);
                entries.addLast(tail);
            }
            ByteBuffer b = tail.buf;
            int lim = b.limit();
            int k = Math.min(src.remaining(), b.capacity() - lim);
            b.limit(lim + k);
            b.put(lim, src, src.position(), k);
            src.position(src.position() + k);
        }
    }

    /** Queues a region slice; {@code slice} must stay valid until written. */
    void appendRegion(ByteBuffer slice, int slot) {
        bytes += slice.remaining();
        entries.addLast(new OutboundEntry(slice, false, slot));
    }

    /** Completes {@code done} when every byte queued so far was written; seals the tail. */
    void completeWhenWritten(CompletableFuture<Void> done) {
        OutboundEntry tail = entries.peekLast();
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

    /** {@return the first entry, or null} */
    public OutboundEntry peek() {
        return entries.peekFirst();
    }

    /** {@return an iterator over the entries, head first (do not modify the queue while iterating)} */
    public Iterator<OutboundEntry> iterator() {
        return entries.iterator();
    }

    /**
     * Fills {@code out} with the pending buffers from the head (duplicates are not made: the
     * buffers are the queue's own; write through them without changing their position yourself).
     *
     * @return how many were put in {@code out}
     */
    public int gather(ByteBuffer[] out) {
        int i = 0;
        for (OutboundEntry e : entries) {
            if (i == out.length) {
                break;
            }
            out[i++] = e.buf;
        }
        return i;
    }

    /**
     * Marks {@code n} bytes from the head as written: advances positions, and for every finished
     * entry calls {@code finished} (which releases its chunk or region reference and completes its
     * future) in order.
     */
    public void consumed(long n, Consumer<OutboundEntry> finished) {
        bytes -= n;
        while (n > 0 || (!entries.isEmpty() && !entries.peekFirst().buf.hasRemaining())) {
            OutboundEntry e = entries.peekFirst();
            if (e == null) {
                throw new IllegalStateException("consumed more bytes than queued: " + n + " left");
            }
            ByteBuffer b = e.buf;
            int k = (int) Math.min(n, b.remaining());
            b.position(b.position() + k);
            n -= k;
            if (!b.hasRemaining()) {
                entries.pollFirst();
                finished.accept(e);
            }
        }
    }

    /** Default completion of a finished entry: release the chunk, complete the future. */
    void finish(OutboundEntry e, RegionTable regions) {
        if (e.pooled) {
            pool.release(e.buf);
        } else if (e.regionSlot >= 0) {
            regions.release(e.regionSlot);
        }
        if (e.done != null) {
            e.done.complete(null);
        }
    }

    /** Drops every entry (connection closed): releases chunks and regions, fails futures. */
    void discard(RegionTable regions, Consumer<OutboundEntry> finisher, String why) {
        OutboundEntry e;
        while ((e = entries.pollFirst()) != null) {
            CompletableFuture<Void> done = e.done;
            e.done = null;
            finisher.accept(e);
            if (done != null) {
                done.completeExceptionally(new ConnectionClosedException(why));
            }
        }
        bytes = 0;
    }
}
