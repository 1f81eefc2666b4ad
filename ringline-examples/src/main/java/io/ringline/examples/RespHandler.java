package io.ringline.examples;

import io.ringline.CloseReason;
import io.ringline.ConnectionClosedException;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.RegionId;
import io.ringline.SendQueueFullException;
import io.ringline.examples.resp.RegionOutput;
import io.ringline.examples.resp.RegionStore;
import io.ringline.examples.resp.Resp;
import io.ringline.examples.resp.RespArgs;
import io.ringline.examples.resp.RespCommands;
import io.ringline.examples.resp.RespParser;
import io.ringline.examples.resp.RespProtocolException;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The RESP server's handler (one per worker): parses pipelined commands with {@link RespParser}
 * (in place: a command is a view of the received buffer, not a copy), runs them with
 * {@link RespCommands} on the shared {@link RegionStore}, and sends the replies of one
 * {@code onData} call coalesced (a value of at least the region threshold goes by
 * {@link Connection#sendRegion} straight from the arena: header by copy, region, CRLF by copy).
 *
 * <p><b>Pinning:</b> a region reply pins its value; the pin is released when the queue entry of
 * the region was written, detected with an empty {@link Connection#sendAsync} right after the
 * {@code sendRegion}: its stage completes when the queue entry it was attached to (the region's)
 * was handed to the kernel, or fails when the connection closed (see {@code SendQueue.completeWhenWritten}).
 *
 * <p><b>Backpressure:</b> when the connection's send queue refuses a reply ({@code trySend} false,
 * {@link SendQueueFullException}), the rest of the replies wait in this connection's pending list
 * (region replies keep their pin), no further command is executed, the bytes not consumed are
 * left to the runtime and reading is paused; {@link #onWritable} sends the pending replies and
 * resumes reading, and the runtime presents the unconsumed bytes again.
 *
 * <p><b>Protocol errors</b> (malformed RESP, a bulk length over the limit, an absurd array count,
 * an over-long inline line) are answered with {@code -ERR Protocol error: ...}, then the
 * connection is closed after the replies were sent ({@link Linger}: output shut down, input
 * discarded until the peer closes).
 *
 * <p><b>Limits on partial requests</b> ({@link RespLimits}): the heap a partial command holds is
 * bounded per connection and by a process-wide budget (see {@link RespParser}); exceeding either is
 * a protocol error as above. A request that stays incomplete longer than the request timeout gets
 * {@code -ERR Protocol error: request not completed within ...} and the connection is closed the
 * same way ({@link RequestTimer}: armed only while a partial request is held at the end of an
 * {@code onData} call). A connection idle between commands is never timed out.
 */
final class RespHandler implements Handler {

    /** Region slot of the arena: it is the runtime's first (and only) initial region. */
    static final RegionId ARENA = RegionId.of(0);
    /** Replies are handed to the connection once this many bytes were built. */
    static final int FLUSH_AT = 64 * 1024;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final RespCommands commands;
    private final RespLimits limits;
    /** Largest single copy send; a piece must fit the send queue limit. */
    private final int piece;
    /** This worker's reply buffer (write mode), reused by every connection. */
    private ByteBuffer scratch = ByteBuffer.allocate(FLUSH_AT * 2);

    RespHandler(RespCommands commands, RespLimits limits, long sendQueueLimit) {
        this.commands = commands;
        this.limits = limits;
        this.piece = (int) Math.max(1, Math.min(FLUSH_AT, sendQueueLimit));
    }

    /** A region reply waiting for room in the send queue. */
    private record RegionSend(long offset, int length, RegionStore.Pin pin) {
    }

    /** Per-connection state; also the {@link RegionOutput} the commands write to. */
    private final class Session implements RegionOutput {
        final Connection connection;
        final RespParser parser = limits.parser();
        final RequestTimer requestTimer;
        /** Commands executed so far: the request timer's progress counter. */
        long completed;
        /** Replies refused by the send queue, in order: ByteBuffer (read mode) or RegionSend. */
        final ArrayDeque<Object> pending = new ArrayDeque<>();
        boolean closing;
        boolean finished;
        /** The runtime is shutting down: close (not linger) once the pending replies were sent. */
        boolean draining;

        Session(Connection connection) {
            this.connection = connection;
            this.requestTimer = new RequestTimer(connection, limits.requestTimeout(), this::requestTimedOut);
        }

        /** The partial request held was not completed within the request timeout: answer and close. */
        void requestTimedOut() {
            if (closing) {
                return;
            }
            parser.release();
            Resp.error(this, "ERR Protocol error: request not completed within "
                    + limits.requestTimeout().toMillis() + " ms (request-timeout)");
            closing = true;
            flushScratch();
            if (pending.isEmpty()) {
                finish();
            }
        }

        @Override
        public void writeByte(int b) {
            ensure(1).put((byte) b);
        }

        @Override
        public void writeBytes(byte[] bytes, int offset, int length) {
            ensure(length).put(bytes, offset, length);
        }

        @Override
        public void writeBytes(ByteBuffer src, int offset, int length) {
            ByteBuffer b = ensure(length);
            b.put(b.position(), src, offset, length);
            b.position(b.position() + length);
        }

        @Override
        public void writeRegion(long offset, int length, RegionStore.Pin pin) {
            flushScratch(); // keep the order: everything written before goes first
            if (pending.isEmpty() && sendRegion(offset, length, pin)) {
                return;
            }
            pending.addLast(new RegionSend(offset, length, pin));
        }

        /** Hands the built replies to the connection (or to {@link #pending}). */
        void flushScratch() {
            if (scratch.position() == 0) {
                return;
            }
            scratch.flip();
            int end = scratch.limit();
            while (scratch.position() < end && pending.isEmpty() && connection.isOpen()) {
                scratch.limit(scratch.position() + Math.min(piece, end - scratch.position())); // one piece
                boolean queued = connection.trySend(scratch); // advances the position only when queued
                scratch.limit(end);
                if (!queued) {
                    break;
                }
            }
            if (scratch.hasRemaining()) {
                ByteBuffer copy = ByteBuffer.allocate(scratch.remaining());
                copy.put(scratch).flip();
                pending.addLast(copy);
            }
            scratch.clear();
        }

        /** Sends pending replies in order; {@return true when none is left} */
        boolean drain() {
            Object head;
            while ((head = pending.peekFirst()) != null) {
                if (!connection.isOpen()) {
                    return false;
                }
                if (head instanceof ByteBuffer b) {
                    while (b.hasRemaining()) {
                        ByteBuffer p = b.duplicate();
                        p.limit(p.position() + Math.min(piece, p.remaining()));
                        if (!connection.trySend(p)) {
                            return false;
                        }
                        b.position(p.position());
                    }
                } else {
                    RegionSend r = (RegionSend) head;
                    if (!sendRegion(r.offset, r.length, r.pin)) {
                        return false;
                    }
                }
                pending.pollFirst();
            }
            return true;
        }

        /** {@return false if the send queue is full (the pin is kept)}; releases the pin once written. */
        boolean sendRegion(long offset, int length, RegionStore.Pin pin) {
            try {
                connection.sendRegion(ARENA, offset, length);
            } catch (SendQueueFullException full) {
                return false; // onWritable fires once the queue drained
            } catch (ConnectionClosedException closed) {
                pin.release();
                return true; // nothing more will be sent; drop it
            }
            // Barrier: an empty sendAsync completes with the queue entry it is attached to, the region's.
            connection.sendAsync(EMPTY).whenComplete((v, t) -> pin.release());
            return true;
        }

        /**
         * Every reply was queued and no more will come: shut the output down and linger; at shutdown
         * simply close (the runtime discards input while draining, so the close stays clean).
         */
        void finish() {
            if (!finished) {
                finished = true;
                if (draining) {
                    connection.close();
                } else {
                    Linger.start(connection);
                }
            }
        }

        /** Releases the pins of replies that will never be sent, the parser's budget and the timer. */
        void discard() {
            parser.release();
            requestTimer.cancel();
            for (Object o : pending) {
                if (o instanceof RegionSend r) {
                    r.pin.release();
                }
            }
            pending.clear();
        }
    }

    /** {@return the scratch buffer with room for {@code n} more bytes} */
    private ByteBuffer ensure(int n) {
        if (scratch.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8,
                    Math.max(scratch.capacity() * 2L, (long) scratch.position() + n)));
            scratch.flip();
            bigger.put(scratch);
            scratch = bigger;
        }
        return scratch;
    }

    @Override
    public void onOpen(Connection connection) {
        connection.attach(new Session(connection));
    }

    @Override
    public int onData(Connection connection, ByteBuffer data) {
        Session s = connection.attachment();
        int start = data.position();
        if (s.closing) {
            return data.remaining(); // replies of a failed or quitting connection are being flushed: discard input
        }
        try {
            while (s.pending.isEmpty()) {
                if (scratch.position() >= FLUSH_AT) {
                    s.flushScratch();
                    continue;
                }
                RespArgs args = s.parser.next(data); // a view of data: read in place, not copied
                if (args == null) {
                    break; // need more bytes
                }
                if (args.count() == 0) {
                    continue;
                }
                s.completed++;
                if (commands.execute(args, s) == RespCommands.After.CLOSE) {
                    s.closing = true;
                    break;
                }
            }
        } catch (RespProtocolException e) {
            Resp.error(s, e.getMessage());
            s.closing = true;
        }
        s.flushScratch();
        if (scratch.capacity() > 4 * FLUSH_AT) {
            scratch = ByteBuffer.allocate(FLUSH_AT * 2); // give a large reply's buffer back
        }
        if (s.closing) {
            s.parser.release();
            s.requestTimer.cancel();
            if (s.pending.isEmpty()) {
                s.finish();
            }
            return data.limit() - start;
        }
        if (!s.pending.isEmpty()) {
            connection.pauseReading(); // resumed by onWritable; unconsumed bytes are presented again
            s.requestTimer.afterData(false, s.completed); // waiting for the client to read, not for its request
        } else {
            s.requestTimer.afterData(s.parser.inCommand() || data.hasRemaining(), s.completed);
        }
        return data.position() - start;
    }

    @Override
    public void onWritable(Connection connection) {
        Session s = connection.attachment();
        if (s == null || !s.drain()) {
            return;
        }
        if (s.closing) {
            s.finish();
        } else {
            connection.resumeReading();
        }
    }

    /**
     * Graceful shutdown: no more commands will arrive (the runtime discards input from now on), so
     * send the replies still pending, then close; a reply is never cut off by the shutdown.
     */
    @Override
    public void onDrain(Connection connection) {
        Session s = connection.attachment();
        s.draining = true;
        s.closing = true;
        s.requestTimer.cancel();
        s.parser.release();
        if (s.pending.isEmpty()) {
            s.finish();
        } // else onWritable sends them and then finishes
    }

    @Override
    public void onInputClosed(Connection connection) {
        Session s = connection.attachment();
        if (s.pending.isEmpty() || s.finished) {
            connection.close(); // flushes the queued replies, then closes
        } else {
            s.closing = true; // close once the pending replies were sent
        }
    }

    @Override
    public void onClose(Connection connection, CloseReason reason, Throwable cause) {
        Session s = connection.attachment();
        if (s != null) {
            s.discard();
        }
    }
}
