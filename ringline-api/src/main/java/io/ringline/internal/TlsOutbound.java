package io.ringline.internal;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import java.nio.ByteBuffer;

/**
 * The send side of one TLS connection: encrypts the connection's plaintext {@link SendQueue} into
 * a second, ciphertext queue (what the backend writes from), and maps the ciphertext written back
 * to the plaintext it holds.
 *
 * <p><b>No copies of its own.</b> Records are encrypted straight into the ciphertext queue's tail
 * chunk ({@link SendQueue#tailSpace}), from the plaintext entries' own buffers: one
 * {@link SSLEngine#wrap(ByteBuffer[], int, int, ByteBuffer)} gathers several small entries into
 * one record (their positions are put back after it: the plaintext queue advances them itself). The plaintext queue keeps its entries until the ciphertext that holds them was
 * written, so {@code sendAsync} futures, {@code BufferRelease} callbacks and region references
 * complete then; a cursor (entry index and offset) marks how far the plaintext was encrypted, and
 * a ring of marks (ciphertext end, plaintext end, both as running totals) says how much plaintext
 * each written ciphertext byte finishes. At most {@link #CIPHERTEXT_AHEAD} bytes of ciphertext are
 * queued ahead; more is encrypted as it drains.
 *
 * <p>Worker thread only.
 */
final class TlsOutbound {

    /** The most ciphertext queued ahead of the socket before encrypting waits for it to drain. */
    static final long CIPHERTEXT_AHEAD = 256 * 1024;
    /** Plaintext offered to one wrap: one full record. */
    /** The engine's packet buffer size after the handshake; 0 before: ask the session. */
    private int packetSize;
    private static final int RECORD_PLAINTEXT = 16 * 1024;
    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};

    private final SendQueue plain;
    private final SendQueue cipher;
    private final ByteBuffer[] srcs = new ByteBuffer[16];
    private final int[] positions = new int[srcs.length];
    /** Plaintext encrypted so far: the first {@code cursorOffset} pending bytes of entry {@code cursorIndex} and everything before. */
    private int cursorIndex;
    private int cursorOffset;
    /** Plaintext bytes encrypted and not yet finished (their ciphertext not yet written). */
    private long encryptedPending;
    private long cipherQueuedTotal;
    private long cipherWrittenTotal;
    private long plainEncryptedTotal;
    private long plainFinishedTotal;
    private long[] markCipher = new long[16];
    private long[] markPlain = new long[16];
    private int markHead;
    private int markCount;

    /**
     * @param plain  the connection's plaintext queue (the handler's sends)
     * @param cipher the ciphertext queue the backend writes from, of chunks of at least one packet
     */
    TlsOutbound(SendQueue plain, SendQueue cipher) {
        this.plain = plain;
        this.cipher = cipher;
    }

    /** {@return the ciphertext queue (the backend's {@code outbound()})} */
    SendQueue ciphertext() {
        return cipher;
    }

    /** {@return whether plaintext waits to be encrypted} */
    boolean hasPlaintextToEncrypt() {
        return plain.bytes() > encryptedPending;
    }

    /** {@return whether there is room to encrypt more ahead of the socket} */
    boolean hasRoom() {
        return cipher.bytes() < CIPHERTEXT_AHEAD;
    }

    /**
     * Encrypts queued plaintext into the ciphertext queue while there is both.
     *
     * @return the last result, null if nothing was wrapped; a status of {@code CLOSED} means the
     *         engine's output is closed (no more plaintext can go out)
     * @throws SSLException if the engine fails
     */
    SSLEngineResult encrypt(SSLEngine engine) throws SSLException {
        SSLEngineResult last = null;
        while (hasPlaintextToEncrypt() && hasRoom()) {
            int n = gather();
            for (int i = 0; i < n; i++) {
                positions[i] = srcs[i].position();
            }
            srcs[0].position(positions[0] + cursorOffset);
            SSLEngineResult r;
            try {
                r = wrapInto(engine, srcs, n);
            } finally {
                for (int i = 0; i < n; i++) { // the plaintext queue advances its entries itself, once written
                    srcs[i].position(positions[i]);
                    srcs[i] = null;
                }
            }
            last = r;
            advance(r.bytesConsumed());
            if (r.getStatus() == SSLEngineResult.Status.CLOSED
                    || r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK
                    || r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_UNWRAP
                    || (r.bytesConsumed() == 0 && r.bytesProduced() == 0)) {
                break; // the session decides what comes next
            }
        }
        return last;
    }

    /**
     * Wraps with no plaintext: handshake messages, a post-handshake message, an alert or
     * {@code close_notify}.
     *
     * @throws SSLException if the engine fails
     */
    SSLEngineResult wrapControl(SSLEngine engine) throws SSLException {
        return wrapInto(engine, NOTHING, 1);
    }

    /** One wrap into the ciphertext tail, retried once in a fresh chunk if the tail had too little room. */
    private SSLEngineResult wrapInto(SSLEngine engine, ByteBuffer[] from, int n) throws SSLException {
        int packet = packetSize > 0 ? packetSize : engine.getSession().getPacketBufferSize();
        for (int attempt = 0; ; attempt++) {
            ByteBuffer dst = cipher.tailSpace(Math.min(packet, cipherChunkSize()));
            int start = dst.position();
            SSLEngineResult r = engine.wrap(from, 0, n, dst);
            int produced = dst.position() - start;
            cipher.tailWritten(produced);
            if (r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                if (produced > 0 || r.bytesConsumed() > 0) {
                    cipherQueuedTotal += produced;
                    plainEncryptedTotal += r.bytesConsumed();
                    mark(cipherQueuedTotal, plainEncryptedTotal);
                }
                return r;
            }
            if (attempt > 0 || dst.capacity() - start >= cipherChunkSize()) {
                throw new SSLException("the TLS engine needs more than a whole send chunk of " + cipherChunkSize()
                        + " bytes for one record (packet buffer size " + packet + ")");
            }
            cipher.tailSpace(cipherChunkSize()); // overflow in a partly used chunk: retry in a fresh one
        }
    }

    /**
     * The engine's packet buffer size once the handshake settled it: asking the session on every
     * wrap cost ~5% of a TLS echo server's user time (Netty's OpenSSL session computes it).
     */
    void packetSize(int bytes) {
        packetSize = bytes;
    }

    private int cipherChunkSize() {
        return cipher.chunkSize();
    }

    /** Fills {@link #srcs} from the cursor with up to one record's plaintext; {@return how many} */
    private int gather() {
        int n = 0;
        long total = -cursorOffset;
        for (int i = cursorIndex; i < plain.size() && n < srcs.length && total < RECORD_PLAINTEXT; i++) {
            ByteBuffer b = plain.buffer(i);
            srcs[n++] = b;
            total += b.remaining();
        }
        return n;
    }

    /** Moves the cursor {@code k} plaintext bytes on (they were encrypted). */
    private void advance(int k) {
        encryptedPending += k;
        while (k > 0) {
            int rest = plain.buffer(cursorIndex).remaining() - cursorOffset;
            if (k >= rest && cursorIndex + 1 < plain.size()) {
                k -= rest;
                cursorIndex++;
                cursorOffset = 0;
            } else {
                cursorOffset += k;
                k = 0;
            }
        }
        if (cursorIndex + 1 < plain.size() && cursorOffset == plain.buffer(cursorIndex).remaining()) {
            cursorIndex++;
            cursorOffset = 0;
        }
    }

    private void mark(long cipherEnd, long plainEnd) {
        if (markCount > 0) {
            int last = (markHead + markCount - 1) & (markCipher.length - 1);
            if (markCipher[last] == cipherEnd) { // nothing produced: the plaintext rides on the last mark
                markPlain[last] = plainEnd;
                return;
            }
        }
        if (markCount == markCipher.length) {
            long[] c = new long[markCount * 2];
            long[] p = new long[markCount * 2];
            for (int i = 0; i < markCount; i++) {
                c[i] = markCipher[(markHead + i) & (markCipher.length - 1)];
                p[i] = markPlain[(markHead + i) & (markCipher.length - 1)];
            }
            markCipher = c;
            markPlain = p;
            markHead = 0;
        }
        int at = (markHead + markCount) & (markCipher.length - 1);
        markCipher[at] = cipherEnd;
        markPlain[at] = plainEnd;
        markCount++;
    }

    /**
     * The socket took {@code n} ciphertext bytes: finishes them, and the plaintext whose ciphertext
     * is now written whole (its entries complete in order; their callbacks may send or close).
     */
    void written(long n) {
        cipher.consumed(n);
        cipherWrittenTotal += n;
        long finishTo = plainFinishedTotal;
        while (markCount > 0 && markCipher[markHead] <= cipherWrittenTotal) {
            finishTo = markPlain[markHead];
            markHead = (markHead + 1) & (markCipher.length - 1);
            markCount--;
        }
        finishPlaintext(finishTo - plainFinishedTotal);
    }

    /** Consumes {@code k} encrypted bytes from the head of the plaintext queue, keeping the cursor in step. */
    private void finishPlaintext(long k) {
        plainFinishedTotal += k;
        while (k > 0 && !plain.isEmpty()) {
            int rest = plain.buffer(0).remaining();
            if (cursorIndex == 0) {
                int take = (int) Math.min(k, cursorOffset);
                cursorOffset -= take;
                encryptedPending -= take;
                k -= take;
                plain.consumed(take); // may call back into the connection (release callbacks)
                if (take == 0) {
                    break;
                }
            } else {
                int take = (int) Math.min(k, rest);
                encryptedPending -= take;
                k -= take;
                if (take == rest) {
                    cursorIndex--;
                }
                plain.consumed(take);
            }
        }
    }

    /** The plaintext queue was discarded (the connection closes or the engine closed its output): forget it. */
    void plaintextDropped() {
        cursorIndex = 0;
        cursorOffset = 0;
        encryptedPending = 0;
        markCount = 0;
        plainFinishedTotal = plainEncryptedTotal;
    }
}
