package io.ringline.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One element of a connection's send queue: bytes from {@link #buf}'s position to its limit,
 * either copied into a pooled chunk or referencing a registered region (no copy).
 */
final class OutboundEntry {
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
}
