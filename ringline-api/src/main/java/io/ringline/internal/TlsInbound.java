package io.ringline.internal;

import javax.net.ssl.SSLException;
import java.nio.ByteBuffer;

/**
 * The receive side of one TLS connection below the engine: decides what each unwrap reads from.
 * Whole records are unwrapped straight from the backend's buffer (no copy); only a record split
 * across receives is gathered, from its first bytes to its end, in a per-connection buffer taken
 * from the worker's TLS chunks when needed and given back as soon as it is empty. Bytes seen
 * before the engine exists (SNI selection) wait in the same buffer.
 *
 * <p>Worker thread only.
 */
final class TlsInbound {

    private static final int HEADER = 5;

    private final BufferPool chunks;
    /** The pending bytes of a split record, position to limit; null when none. */
    private BufferPool.Chunk partial;
    /** The engine asked for more than {@link #partial} holds: unwrap again only once bytes were added. */
    private boolean starved;

    TlsInbound(BufferPool chunks) {
        this.chunks = chunks;
    }

    /** {@return whether bytes of a split record (or bytes before the engine) are kept} */
    boolean hasPartial() {
        return partial != null;
    }

    /** {@return the kept bytes, position to limit (for the SNI parser); null if none} */
    ByteBuffer kept() {
        return partial == null ? null : partial.buffer;
    }

    /**
     * {@return what to unwrap from next: {@code src} itself when nothing is kept; else the kept
     * bytes, after moving from {@code src} what the kept record still lacks; null if there is
     * nothing new to unwrap}
     *
     * @throws SSLException if a record header announces more than a chunk can hold
     */
    ByteBuffer source(ByteBuffer src) throws SSLException {
        if (partial == null) {
            return src.hasRemaining() ? src : null;
        }
        ByteBuffer p = partial.buffer;
        int added = move(src, p, HEADER - p.remaining());
        if (p.remaining() < HEADER) {
            return null;
        }
        int record = HEADER + (((p.get(p.position() + 3) & 0xff) << 8) | (p.get(p.position() + 4) & 0xff));
        if (record > p.capacity()) {
            throw new SSLException("TLS record of " + record + " bytes exceeds the largest record possible");
        }
        added += move(src, p, record - p.remaining());
        if (p.remaining() < record) {
            return null;
        }
        if (starved && added == 0) { // the engine wants more than the header told (not a plain record layout)
            if (move(src, p, src.remaining()) == 0) {
                return null;
            }
        }
        starved = false;
        return p;
    }

    /** Moves up to {@code max} bytes from {@code src} to the end of {@code p}; {@return how many} */
    private static int move(ByteBuffer src, ByteBuffer p, int max) {
        if (max <= 0) {
            return 0;
        }
        if (p.position() > 0 && p.capacity() - p.limit() < max) {
            p.compact().flip();
        }
        int k = Math.min(Math.min(max, src.remaining()), p.capacity() - p.limit());
        if (k <= 0) {
            return 0;
        }
        int at = p.limit();
        p.limit(at + k);
        p.put(at, src, src.position(), k);
        src.position(src.position() + k);
        return k;
    }

    /**
     * The engine needs more bytes than {@code from} holds: keep them (when {@code from} is the
     * backend's buffer, its rest is moved into the kept buffer).
     */
    void underflow(ByteBuffer from, ByteBuffer src) throws SSLException {
        if (from == src) {
            keep(src);
        } else {
            starved = true;
        }
    }

    /**
     * Keeps {@code src}'s remaining bytes (moving its position to its limit).
     *
     * @throws SSLException if they do not fit a chunk with the bytes kept already
     */
    void keep(ByteBuffer src) throws SSLException {
        if (!src.hasRemaining()) {
            return;
        }
        if (partial == null) {
            partial = chunks.acquire();
            partial.buffer.limit(0);
        }
        ByteBuffer p = partial.buffer;
        if (p.capacity() - p.remaining() < src.remaining()) {
            throw new SSLException("more than " + p.capacity() + " bytes of an incomplete TLS record or ClientHello");
        }
        move(src, p, src.remaining());
        starved = false;
    }

    /** An unwrap read from {@code from}: gives the kept buffer back once it is empty. */
    void unwrapped(ByteBuffer from) {
        if (partial != null && from == partial.buffer && !from.hasRemaining()) {
            release();
        }
    }

    /** Gives the kept buffer back (also at close). */
    void release() {
        if (partial != null) {
            chunks.release(partial);
            partial = null;
            starved = false;
        }
    }
}
