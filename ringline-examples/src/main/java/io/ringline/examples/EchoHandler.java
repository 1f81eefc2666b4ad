package io.ringline.examples;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.HandlerFactory;

import java.nio.ByteBuffer;

/**
 * Sends back every byte it receives, in order, to a reader of any speed, with bounded memory.
 *
 * <p>Backpressure by TCP flow control: bytes are queued with {@link Connection#trySend(ByteBuffer)}
 * (the non-throwing form of {@code send}). When the send queue refuses a piece, {@code onData}
 * returns only the bytes it queued and calls {@link Connection#pauseReading()}: the runtime keeps
 * the unconsumed bytes, stops reading the socket, and the peer is slowed down by TCP once the
 * kernel buffers are full. {@link #onWritable(Connection)} (the queue drained to half its limit)
 * calls {@link Connection#resumeReading()}, and the runtime presents the kept bytes again, even if
 * the peer sends nothing more. The handler keeps no state of its own.
 *
 * <p>Memory per connection: the send queue ({@link Config#sendQueueLimit()}) plus the unconsumed
 * bytes the runtime keeps while reading is paused: the rest of the delivery that was refused
 * (at most one receive buffer when nothing was kept before) plus what the backend had already
 * received when the pause took effect. The runtime bounds the latter by
 * {@link Config#inboundLimit()} plus what the backend still delivers after a pause ({@code WorkerIo.bytesReceivedAfterPause}).
 *
 * <p>End of stream: reported by the runtime only after the kept bytes were presented, so
 * {@link #onInputClosed(Connection)} closes gracefully (flushing the queue) with nothing left.
 *
 * <p>One instance per worker; every callback runs on that worker's thread, so there are no locks.
 */
public final class EchoHandler implements Handler {

    private final int chunk;

    /** @param sendQueueLimit the runtime's {@link Config#sendQueueLimit()}; sends are cut into pieces no larger */
    public EchoHandler(long sendQueueLimit) {
        this.chunk = (int) Math.max(1, Math.min(64 * 1024, sendQueueLimit));
    }

    /** {@return a factory giving each worker its own echo handler} */
    public static HandlerFactory factory(Config config) {
        long limit = config.sendQueueLimit();
        return worker -> new EchoHandler(limit);
    }

    @Override
    public int onData(Connection connection, ByteBuffer data) {
        int start = data.position();
        while (data.hasRemaining()) {
            ByteBuffer piece = data.duplicate();
            piece.limit(piece.position() + Math.min(chunk, piece.remaining()));
            if (!connection.trySend(piece)) {
                connection.pauseReading(); // the rest stays with the runtime until onWritable resumes
                break;
            }
            data.position(piece.position());
        }
        return data.position() - start;
    }

    @Override
    public void onWritable(Connection connection) {
        connection.resumeReading(); // the runtime presents the unconsumed bytes again
    }

    @Override
    public void onInputClosed(Connection connection) {
        connection.close(); // flushes what is queued, then closes
    }
}
