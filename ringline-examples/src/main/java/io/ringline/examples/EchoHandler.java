package io.ringline.examples;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.HandlerFactory;

import java.nio.ByteBuffer;

/**
 * Sends back every byte it receives, in order, to a reader of any speed, with bounded memory.
 *
 * <p>Bytes are queued with {@link Connection#trySendReceived(ByteBuffer)}: on io_uring the reply is
 * written straight from the receive buffer where the runtime can lend it (no copy, no allocation),
 * elsewhere it is copied into the send queue. {@code data} is narrowed (its limit) to one piece at a
 * time and its limit restored afterwards, so no buffer object is made per send.
 *
 * <p>Backpressure by TCP flow control: {@code trySendReceived} is the non-throwing form of
 * {@code sendReceived}. When the send queue refuses a piece, {@code onData}
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
        int end = data.limit();
        try {
            while (data.position() < end) {
                data.limit(data.position() + Math.min(chunk, end - data.position())); // narrow to one piece
                if (!connection.trySendReceived(data)) { // advances the position only when queued
                    connection.pauseReading(); // the rest stays with the runtime until onWritable resumes
                    break;
                }
            }
        } finally {
            data.limit(end);
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
