package io.ringline.internal;

import io.ringline.BufferRelease;
import io.ringline.spi.ReceivedMemory;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One element of a connection's send queue: bytes from {@link #buf}'s position to its limit, of
 * one {@link Kind}. Recycled by its {@link SendQueue} once released, so that steady-state sending
 * allocates no entries. Worker thread only.
 */
final class OutboundEntry {

    /** Where an entry's bytes live, and so what releasing it means. */
    enum Kind {
        /** Copied into a pooled chunk ({@link #chunk}); released: the chunk goes back to the pool. */
        COPIED,
        /** A view of a registered region ({@link #regionSlot}); released: the region reference is dropped. */
        REGION,
        /** The application's own buffer ({@code sendOwned}); released: its {@link #onRelease} is called. */
        OWNED,
        /** A view of a backend's lent receive memory ({@link #lent}); released: the memory is returned. */
        LENT
    }

    Kind kind;
    /** The bytes to send, position to limit: the chunk's buffer, a view, or the owned buffer itself. */
    ByteBuffer buf;
    /** Native address of index 0 of {@link #buf}. */
    long base;
    /** COPIED: the pooled chunk {@link #buf} belongs to. */
    BufferPool.Chunk chunk;
    /** REGION: the slot referenced, else -1. */
    int regionSlot = -1;
    /** REGION, LENT: where the view {@link #buf} goes back to, null if it was made for this entry alone. */
    ViewSource viewSource;
    /** OWNED: called with {@link #buf} when released. */
    BufferRelease onRelease;
    /** LENT: the borrowed memory, released when this entry is. */
    ReceivedMemory lent;
    CompletableFuture<Void> done;
    /** No more bytes may be appended (a completion waits for exactly these bytes, or not a chunk). */
    boolean sealed;

    /** Sets this (fresh or recycled) entry up for {@code buf} of {@code kind} at native address {@code base}. */
    OutboundEntry set(Kind kind, ByteBuffer buf, long base) {
        this.kind = kind;
        this.buf = buf;
        this.base = base;
        this.sealed = kind != Kind.COPIED;
        return this;
    }

    /** Forgets everything it referenced (the entry is free). */
    void clear() {
        kind = null;
        buf = null;
        chunk = null;
        regionSlot = -1;
        viewSource = null;
        onRelease = null;
        lent = null;
        done = null;
        sealed = false;
    }
}
