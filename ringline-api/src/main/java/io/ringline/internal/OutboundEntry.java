package io.ringline.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One element of a connection's send queue: bytes from {@link #buf}'s position to its limit,
 * either copied into a pooled chunk or referencing a registered region (no copy). Recycled by its
 * {@link SendQueue} once released, so that steady-state sending allocates no entries.
 */
final class OutboundEntry {
    ByteBuffer buf;
    boolean pooled;
    int regionSlot;
    CompletableFuture<Void> done;
    boolean sealed;

    /** Sets this (fresh or recycled) entry up for {@code buf}. */
    OutboundEntry set(ByteBuffer buf, boolean pooled, int regionSlot) {
        this.buf = buf;
        this.pooled = pooled;
        this.regionSlot = regionSlot;
        this.sealed = regionSlot >= 0;
        this.done = null;
        return this;
    }

    /** Forgets the buffer and future (the entry is free). */
    void clear() {
        buf = null;
        done = null;
    }
}
