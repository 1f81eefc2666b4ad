package io.ringline.examples;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.HandlerFactory;

import java.nio.ByteBuffer;

/**
 * Sends back every byte it receives, in order, respecting the send queue limit.
 *
 * <p>Backpressure: bytes are queued with {@link Connection#trySend(ByteBuffer)} (the non-throwing
 * form of {@code send}, which would throw {@link io.ringline.SendQueueFullException}). When the
 * queue is full, nothing more is sent until {@link #onWritable(Connection)} says it drained; the
 * bytes not yet sent wait in a per-connection backlog and are sent first then, so the order is
 * kept. (The backlog is needed because the runtime presents unconsumed bytes again only when new
 * bytes arrive: a handler that merely returned 0 would stall against a client that sends a burst
 * and then waits for its echo.) A client that keeps sending without reading is cut off once its
 * backlog would exceed {@link #MAX_BACKLOG}.
 *
 * <p>One instance per worker; every callback runs on that worker's thread, so there are no locks.
 */
public final class EchoHandler implements Handler {

    /** Most bytes kept per connection beyond the send queue before the connection is aborted. */
    public static final int MAX_BACKLOG = 64 << 20;

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

    /** Per-connection state, present only after a send was refused. */
    private static final class Backlog {
        /** Bytes not yet sent, in write mode: [0, position). */
        ByteBuffer bytes;
        /** The peer finished sending: close once the backlog is sent. */
        boolean closeWhenDrained;
    }

    @Override
    public int onData(Connection connection, ByteBuffer data) {
        int n = data.remaining();
        Backlog backlog = connection.attachment();
        if (backlog == null || backlog.bytes.position() == 0) {
            sendAvailable(connection, data);
            if (!data.hasRemaining()) {
                return n;
            }
            if (backlog == null) {
                backlog = new Backlog();
                backlog.bytes = ByteBuffer.allocate(Math.max(data.remaining(), 16 * 1024));
                connection.attach(backlog);
            }
        }
        // the queue is full (now, or since an earlier call): keep the rest behind what already waits
        if (!append(backlog, data)) {
            connection.abort(); // the client sends but does not read its echo
        }
        return n;
    }

    @Override
    public void onWritable(Connection connection) {
        Backlog backlog = connection.attachment();
        if (backlog == null) {
            return;
        }
        ByteBuffer bytes = backlog.bytes;
        bytes.flip();
        sendAvailable(connection, bytes);
        bytes.compact();
        if (bytes.position() == 0) {
            if (backlog.closeWhenDrained) {
                connection.close(); // flushes what is queued, then closes
            } else if (bytes.capacity() > 1 << 20) {
                backlog.bytes = ByteBuffer.allocate(16 * 1024); // give a large buffer back
            }
        }
    }

    @Override
    public void onInputClosed(Connection connection) {
        Backlog backlog = connection.attachment();
        if (backlog == null || backlog.bytes.position() == 0) {
            connection.close(); // flushes what is queued, then closes
        } else {
            backlog.closeWhenDrained = true;
        }
    }

    /** Queues as much of {@code src} as the send queue takes, in pieces; advances {@code src} past what was queued. */
    private void sendAvailable(Connection connection, ByteBuffer src) {
        while (src.hasRemaining()) {
            ByteBuffer piece = src.duplicate();
            piece.limit(piece.position() + Math.min(chunk, piece.remaining()));
            if (!connection.trySend(piece)) {
                return; // full: onWritable fires once the queue drained
            }
            src.position(piece.position());
        }
    }

    /** {@return false if the backlog would exceed {@link #MAX_BACKLOG}} */
    private static boolean append(Backlog backlog, ByteBuffer data) {
        ByteBuffer bytes = backlog.bytes;
        int need = data.remaining();
        if (bytes.remaining() < need) {
            long size = Math.max(2L * bytes.capacity(), (long) bytes.position() + need);
            if ((long) bytes.position() + need > MAX_BACKLOG) {
                return false;
            }
            ByteBuffer bigger = ByteBuffer.allocate((int) Math.min(size, MAX_BACKLOG));
            bytes.flip();
            bigger.put(bytes);
            backlog.bytes = bytes = bigger;
        }
        bytes.put(data);
        return true;
    }
}
