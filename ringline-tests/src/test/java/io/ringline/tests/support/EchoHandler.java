package io.ringline.tests.support;

import io.ringline.Connection;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Recorder} that sends back what it receives.
 *
 * <ul>
 *   <li>{@link #plain()}: {@code send(data)}, everything at once; the send queue limit must hold
 *       what a client writes before it reads (a refused send closes the connection);</li>
 *   <li>{@link #pausing()}: {@code trySend} in pieces; when the queue refuses one it consumes only
 *       what was queued and pauses reading until {@code onWritable}: a reader of any speed gets
 *       everything with bounded memory.</li>
 * </ul>
 */
public class EchoHandler extends Recorder {

    /** How the echo handles a full send queue. */
    public enum Mode {
        /** {@code send} everything at once (a full queue closes the connection). */
        PLAIN,
        /** {@code trySend} in pieces and pause reading while the queue is full. */
        PAUSING
    }

    private final boolean pausing;
    private final AtomicLong echoed = new AtomicLong();

    /** An echo in {@code mode}; subclass it to add behaviour to the callbacks (call {@code super}). */
    protected EchoHandler(Mode mode) {
        this.pausing = mode == Mode.PAUSING;
    }

    /** {@return an echo that queues every received byte at once} */
    public static EchoHandler plain() {
        return new EchoHandler(Mode.PLAIN);
    }

    /** {@return an echo that pauses reading while its send queue is full} */
    public static EchoHandler pausing() {
        return new EchoHandler(Mode.PAUSING);
    }

    @Override
    public int onData(Connection c, ByteBuffer data) {
        super.onData(c, data);
        int start = data.position();
        if (!pausing) {
            c.send(data);
        } else {
            while (data.hasRemaining()) {
                ByteBuffer piece = data.duplicate();
                piece.limit(piece.position() + Math.min(64 * 1024, piece.remaining()));
                if (!c.trySend(piece)) {
                    c.pauseReading();
                    break;
                }
                data.position(piece.position());
            }
        }
        int n = data.position() - start;
        echoed.addAndGet(n);
        return n;
    }

    @Override
    public void onWritable(Connection c) {
        super.onWritable(c);
        if (pausing) {
            c.resumeReading();
        }
    }

    /** {@return the bytes echoed so far, over every connection} */
    public long echoed() {
        return echoed.get();
    }
}
