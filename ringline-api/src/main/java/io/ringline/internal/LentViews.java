package io.ringline.internal;

import java.nio.ByteBuffer;
import java.util.IdentityHashMap;

/**
 * One worker's {@link ViewSource}s of lent receive memory ({@link io.ringline.spi.ReceivedMemory#memory()}),
 * by identity: a backend reports the same buffer object for every delivery from one receive
 * buffer, so each receive buffer gets its views once, whichever connection sends from it. At most
 * {@code maxSources} are kept (a backend has a fixed set of receive buffers); past that, views are
 * made per send and left to the garbage collector. Used only on the worker thread.
 */
final class LentViews {

    private final IdentityHashMap<ByteBuffer, ViewSource> sources = new IdentityHashMap<>();
    private final int maxSources;

    /** @param maxSources how many distinct memories to keep views of */
    LentViews(int maxSources) {
        this.maxSources = maxSources;
    }

    /** {@return the views of {@code memory}, kept from the first call on while there is room} */
    ViewSource of(ByteBuffer memory) {
        ViewSource s = sources.get(memory);
        if (s == null) {
            s = new ViewSource(memory);
            if (sources.size() < maxSources) {
                sources.put(memory, s);
            }
        }
        return s;
    }

    /** {@return how many memories views are kept of (for tests)} */
    int size() {
        return sources.size();
    }
}
