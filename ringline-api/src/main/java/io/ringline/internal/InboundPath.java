package io.ringline.internal;

import io.ringline.CloseReason;
import io.ringline.Config;
import io.ringline.RinglineException;
import io.ringline.spi.ReceivedMemory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The receive side of one connection: the parse contract with the handler ({@code onData} sees
 * fresh bytes in place, and what it leaves unconsumed is kept in an {@link InboundBuffer} and shown
 * again with the next bytes), the paused-reading flow (bytes the driver still reports after a pause
 * are kept, within the driver's {@code bytesReceivedAfterPause} beyond the inbound limit, and
 * presented after the resume, before the driver reads again) and the end of stream, which waits for
 * the bytes kept. Worker thread only.
 *
 * <p>Its owner, {@link ConnectionImpl}, decides whether input is wanted at all (its lifecycle) and
 * is the handler's view of the connection; this class reports failures to it.
 */
final class InboundPath {

    private final Worker worker;
    private final ConnectionImpl owner;
    /** Unconsumed received bytes; null until the handler first leaves bytes unconsumed, and once dropped. */
    private InboundBuffer inbound;
    private boolean readingPaused;
    /** The peer's end of stream arrived while bytes kept had still to be presented: reported after them. */
    private boolean inputEndPending;
    /**
     * Between {@code resumeReading} and the task that presents the kept bytes: an end of stream
     * arriving meanwhile must wait for them, or the handler would learn of it with bytes unseen.
     */
    private boolean presentationPending;
    private boolean inputClosed;
    /** Paused-reading slack on top of the driver's, for plaintext decrypted from bytes read before the pause (TLS). */
    private long extraPausedSlack;

    InboundPath(Worker worker, ConnectionImpl owner) {
        this.worker = worker;
        this.owner = owner;
    }

    /**
     * While paused, also keeps {@code bytes} beyond the driver's {@code bytesReceivedAfterPause}:
     * under TLS a record split across reads decrypts only once complete, so one read may present
     * up to a record more plaintext than it brought.
     */
    void allowPausedSlack(long bytes) {
        this.extraPausedSlack = bytes;
    }

    /**
     * Fresh bytes, while the handler takes input: {@code src} (read-only, direct) from its position
     * to its limit. When nothing is kept, {@code src} itself is shown to the handler (no copy, no
     * wrapper) and only what it leaves unconsumed is copied into the accumulator; otherwise the
     * bytes are appended to the kept ones and the accumulator is shown.
     *
     * @param memory the backend memory behind {@code src} if it can be lent, else null
     */
    void received(ByteBuffer src, ReceivedMemory memory) {
        if (readingPaused) {
            stash(src); // read before the pause took effect: keep for resumeReading
            return;
        }
        if (inbound == null || inbound.isEmpty()) {
            consume(src, memory);
            if (owner.takesInput() && src.hasRemaining()) {
                stash(src);
            }
        } else if (stash(src)) {
            presentKept();
        }
    }

    /** Presents the kept unconsumed bytes to the handler again; what it consumes is dropped from the front. */
    void presentKept() {
        if (inbound == null || inbound.isEmpty()) {
            return;
        }
        ByteBuffer view = inbound.readable();
        int start = view.position();
        consume(view, null); // accumulator memory is never lent
        if (inbound != null) { // null when the handler closed the connection
            inbound.skip(view.position() - start);
        }
    }

    /**
     * Calls the handler with {@code view} while it consumes bytes, takes input and has not paused.
     * The handler sees {@code view} itself, from its position to its limit, and may move its
     * position, limit and byte order: after each call they are set back to where the unconsumed
     * bytes start, the end of the bytes and big-endian, so what the handler did to them cannot
     * corrupt the stream. On return {@code view}'s position is after the bytes consumed.
     *
     * @param memory what {@link CurrentDelivery} offers for lending while {@code view} is shown
     */
    private void consume(ByteBuffer view, ReceivedMemory memory) {
        int end = view.limit();
        int pos = view.position();
        view.order(ByteOrder.BIG_ENDIAN);
        CurrentDelivery delivery = worker.delivery();
        while (pos < end && owner.takesInput() && !readingPaused) {
            int available = end - pos;
            int n = 0;
            Throwable failure = null;
            delivery.begin(view, memory);
            Object stall = JfrEvents.stallBegin();
            try {
                n = worker.handler().onData(owner, view);
            } catch (Throwable t) {
                Throwables.rethrowIfFatal(t);
                failure = t;
            } finally {
                delivery.end();
                restore(view, pos, end);
            }
            JfrEvents.stallEnd(stall, worker.workerId(), worker.handler(), "onData");
            if (failure != null) {
                owner.failed(CloseReason.ERROR, failure);
                return;
            }
            if (n < 0 || n > available) {
                owner.failed(CloseReason.ERROR, new IllegalStateException(
                        "Handler.onData returned " + n + " consumed bytes, must be in [0, " + available + "]"));
                return;
            }
            if (n == 0) {
                return;
            }
            pos += n;
            view.position(pos);
        }
    }

    /** Undoes what a handler did to {@code view}'s indexes and byte order. */
    private static void restore(ByteBuffer view, int position, int limit) {
        view.limit(limit); // first: the handler may have moved the position beyond the old limit
        view.position(position);
        view.order(ByteOrder.BIG_ENDIAN);
    }

    /**
     * Keeps unconsumed bytes ({@code rest} from position to limit; its position is not changed);
     * closes the connection (and returns false) beyond {@link Config#inboundLimit()} (plus, while
     * reading is paused, what the driver may still report after a pause).
     */
    private boolean stash(ByteBuffer rest) {
        int need = rest.remaining();
        long have = inbound == null ? 0 : inbound.readableBytes();
        Config cfg = worker.config();
        long limit = cfg.inboundLimit();
        long slack = readingPaused ? worker.bytesReceivedAfterPause() + extraPausedSlack : 0;
        if (have + need > limit + slack) {
            owner.failed(CloseReason.ERROR, new RinglineException("unconsumed input of " + (have + need)
                    + " bytes exceeds Config.inboundLimit " + limit + " bytes on " + owner));
            return false;
        }
        if (inbound == null) {
            inbound = new InboundBuffer(InboundBuffer.retainedCapacity(cfg), worker.inboundSpare());
        }
        inbound.append(rest, (int) Math.min(Integer.MAX_VALUE, limit + slack));
        return true;
    }

    /** Discards the kept input; a large storage goes back to the worker's spare at once. */
    void drop() {
        if (inbound != null) {
            inbound.release();
            inbound = null;
        }
    }

    /** {@return the kept unconsumed bytes, null if none were ever kept or they were dropped; for tests} */
    InboundBuffer buffer() {
        return inbound;
    }

    // ---------------------------------------------------------------- pause and resume

    boolean isPaused() {
        return readingPaused;
    }

    /** {@return true if this paused reading now (the driver must be told)} */
    boolean pause() {
        if (readingPaused) {
            return false;
        }
        readingPaused = true;
        return true;
    }

    /** {@return true if this lifted a pause: the kept bytes must be presented by {@link #presentAfterResume}} */
    boolean resume() {
        if (!readingPaused) {
            return false;
        }
        readingPaused = false;
        presentationPending = true;
        return true;
    }

    /** The presentation task after a resume starts: an end of stream no longer waits for it. */
    void presentationStarted() {
        presentationPending = false;
    }

    /** At shutdown: input stops mattering; {@return true if reading was paused (the driver must resume it)} */
    boolean drain() {
        drop();
        if (inputEndPending) {
            inputEndPending = false; // the peer already closed while paused: nothing to linger for
            inputClosed = true;
        }
        boolean wasPaused = readingPaused;
        readingPaused = false;
        return wasPaused;
    }

    // ---------------------------------------------------------------- end of stream

    boolean isInputClosed() {
        return inputClosed;
    }

    /** {@return whether an end of stream waits for the kept bytes to be presented} */
    boolean takeInputEndPending() {
        boolean p = inputEndPending;
        inputEndPending = false;
        return p;
    }

    /** The peer closed its output while the handler takes input: report it now, or after the kept bytes. */
    void inputEnded() {
        if (inputClosed) {
            return;
        }
        if (readingPaused || presentationPending) {
            inputEndPending = true; // reported after resumeReading presented the buffered bytes
            return;
        }
        inputClosed = true;
        try {
            worker.handler().onInputClosed(owner);
        } catch (Throwable t) {
            Throwables.rethrowIfFatal(t);
            owner.failed(CloseReason.ERROR, t);
        }
    }

    /** The peer closed while the connection lingered at shutdown. */
    void markInputClosed() {
        inputClosed = true;
    }
}
