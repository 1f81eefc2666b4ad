package io.ringline.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One element of a connection's send queue: bytes from {@link #buffer()}'s position to its limit,
 * either copied into a pooled chunk or referencing a registered region (no copy).
 */
public final class OutboundEntry {
    final ByteBuffer buf;
    final boolean pooled;
    final int regionSlot;
    CompletableFuture<Void> done;
    boolean sealed;

    OutboundEntry(ByteBuffer buf, boolean pooled, int regionSlot) {
        this.buf = buf;
        this.pooled = pooled;
        this.regionSlot = regionSlot;
        this.sealed = regionSlot >= 0;
    }

    /** {@return the pending bytes, position to limit; backends must not change position or limit} */
    public ByteBuffer buffer() {
        return buf;
    }

    /** {@return the registered-region slot these bytes live in, or -1 for copied bytes} */
    public int regionSlot() {
        return regionSlot;
    }
}
