package io.ringline.tests;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.ConnectionClosedException;
import io.ringline.Handler;
import io.ringline.Runtime;
import io.ringline.SendQueueFullException;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.Recorder;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounded send queue: refused sends, onWritable, the limit, and no loss or reordering. */
class BackpressureTest extends BackendTest {

    private static final long LIMIT = 64 * 1024;
    private static final int CHUNK = 8 * 1024;
    /**
     * Long enough that the slow rounds cannot reach the end: each round may drain the server's kernel
     * send buffer too, which autotuning grows up to net.ipv4.tcp_wmem's maximum (4 MiB by default).
     */
    private static final long TOTAL = 40L << 20;
    private static final int SLOW_ROUNDS = 3;

    /** Streams TOTAL pattern bytes as fast as the queue takes them, alternating trySend and send. */
    static final class Streamer implements Handler {
        final AtomicInteger refusals = new AtomicInteger();
        final AtomicInteger writables = new AtomicInteger();
        final AtomicLong maxPending = new AtomicLong();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final ConcurrentLinkedQueue<CloseReason> closes = new ConcurrentLinkedQueue<>();
        private final byte[] chunk = new byte[CHUNK];
        private long position;
        private boolean useTrySend;
        private boolean blocked;

        @Override
        public void onOpen(Connection c) {
            pump(c);
        }

        private void pump(Connection c) {
            while (position < TOTAL) {
                int n = (int) Math.min(CHUNK, TOTAL - position);
                Bytes.fillPattern(chunk, position);
                ByteBuffer b = ByteBuffer.wrap(chunk, 0, n);
                long before = c.pendingSendBytes();
                boolean queued;
                useTrySend = !useTrySend;
                if (useTrySend) {
                    queued = c.trySend(b);
                    if (!queued && b.position() != 0) {
                        violations.add("refused trySend advanced the buffer to " + b.position());
                    }
                } else {
                    try {
                        c.send(b);
                        queued = true;
                    } catch (SendQueueFullException e) {
                        queued = false;
                        if (e.limit() != LIMIT || e.requested() != n || e.queued() != before) {
                            violations.add("SendQueueFullException fields: queued " + e.queued() + " requested "
                                    + e.requested() + " limit " + e.limit() + ", expected " + before + "/" + n + "/" + LIMIT);
                        }
                    }
                }
                if (!queued) {
                    refusals.incrementAndGet();
                    blocked = true;
                    if (c.pendingSendBytes() != before) {
                        violations.add("a refused send changed pendingSendBytes from " + before + " to " + c.pendingSendBytes());
                    }
                    if (c.isWritable()) {
                        violations.add("isWritable() is true right after a refused send");
                    }
                    return; // resume in onWritable
                }
                position += n;
                long pending = c.pendingSendBytes();
                maxPending.accumulateAndGet(pending, Math::max);
                if (pending > LIMIT) {
                    violations.add("pendingSendBytes " + pending + " > sendQueueLimit " + LIMIT);
                }
            }
            c.close(); // graceful: the queued bytes are flushed first
        }

        @Override
        public void onWritable(Connection c) {
            if (!blocked) {
                violations.add("onWritable without a refused send before it");
            }
            blocked = false;
            writables.incrementAndGet();
            if (!c.isWritable()) {
                violations.add("isWritable() is false in onWritable");
            }
            pump(c);
        }

        @Override
        public int onData(Connection c, ByteBuffer data) {
            return data.remaining();
        }

        @Override
        public void onClose(Connection c, CloseReason reason, Throwable cause) {
            closes.add(reason);
        }
    }

    @Test
    void slowReaderThrottlesTheSenderWithoutLossOrReordering() throws Exception {
        Streamer h = new Streamer();
        try (Runtime rt = start(serverConfig().workers(1).sendQueueLimit(LIMIT), w -> h);
             Client s = connectWithSmallReceiveBuffer(rt, 8 * 1024)) {
            InputStream in = s.input();
            // The client does not read: the sender must hit the limit.
            Await.until(() -> h.refusals.get() >= 1, "a send was refused while the client did not read");
            byte[] buf = new byte[64 * 1024];
            long received = 0;
            // Slow phase: read 1 KiB at a time until the queue drains (onWritable), then pause until the sender
            // is throttled again; SLOW_ROUNDS rounds.
            for (int round = 0; round < SLOW_ROUNDS; round++) {
                int writables = h.writables.get();
                int refusals = h.refusals.get();
                while (h.writables.get() == writables) {
                    int k = in.read(buf, 0, 1024);
                    assertTrue(k > 0, "stream ended early at " + received);
                    Bytes.checkPattern(buf, k, received);
                    received += k;
                }
                Await.until(() -> h.refusals.get() > refusals, "the sender was throttled again (round " + round + ")");
            }
            // Fast phase: read everything else.
            int k;
            while ((k = in.read(buf)) >= 0) {
                Bytes.checkPattern(buf, k, received);
                received += k;
            }
            assertEquals(TOTAL, received, "bytes received");
            Await.until(() -> !h.closes.isEmpty(), "server closed");
            assertEquals(CloseReason.LOCAL, h.closes.peek());
            assertEquals(List.of(), h.violations);
            assertTrue(h.writables.get() >= SLOW_ROUNDS, "onWritable fired at least once per slow round: " + h.writables.get());
            assertTrue(h.maxPending.get() <= LIMIT && h.maxPending.get() > 0, "max pending " + h.maxPending.get());
        }
    }

    /** A refused send of any kind queues nothing; what was queued arrives intact. */
    @Test
    void refusedGatherAndAsyncSendsQueueNothing() throws Exception {
        Recorder h = new Recorder();
        try (Runtime rt = start(serverConfig().workers(1).sendQueueLimit(LIMIT), w -> h);
             Client s = connectWithSmallReceiveBuffer(rt, 8 * 1024)) {
            Connection c = h.next();
            long queuedTotal = OnWorker.call(c.worker(), () -> {
                // Everything below runs in one task: nothing is flushed in between, so the queue only grows.
                long position = 0;
                byte[] chunk = new byte[1000];
                while (true) {
                    Bytes.fillPattern(chunk, position);
                    if (!c.trySend(ByteBuffer.wrap(chunk))) {
                        break;
                    }
                    position += chunk.length;
                }
                long pending = c.pendingSendBytes();
                assertTrue(pending <= LIMIT && pending > LIMIT - chunk.length, "queue filled up to the limit: " + pending);
                assertFalse(c.isWritable());
                // sendGather: the first buffer alone would fit, both do not: all or nothing.
                int room = (int) (LIMIT - pending);
                ByteBuffer small = ByteBuffer.allocate(Math.max(1, room));
                ByteBuffer big = ByteBuffer.allocate(chunk.length);
                SendQueueFullException e = assertThrows(SendQueueFullException.class, () -> c.sendGather(small, big));
                assertEquals(LIMIT, e.limit());
                assertEquals(pending, c.pendingSendBytes(), "a refused sendGather queued nothing");
                assertEquals(0, small.position(), "a refused sendGather consumed nothing");
                // sendAsync over the limit: the stage fails at once.
                CompletionStage<Void> st = c.sendAsync(ByteBuffer.allocate(chunk.length));
                assertTrue(st.toCompletableFuture().isCompletedExceptionally(), "sendAsync over the limit fails at once");
                assertInstanceOf(SendQueueFullException.class, OnWorker.Stages.failure(st));
                assertEquals(pending, c.pendingSendBytes(), "a refused sendAsync queued nothing");
                // A send that is larger than the whole limit can never be queued: IllegalArgumentException naming both.
                IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                        () -> c.send(new byte[(int) LIMIT + 1]));
                assertTrue(tooBig.getMessage().contains(String.valueOf(LIMIT + 1)) && tooBig.getMessage().contains(String.valueOf(LIMIT)),
                        tooBig.getMessage());
                assertEquals(pending, c.pendingSendBytes());
                c.close();
                return position;
            });
            byte[] all = s.readToEof();
            assertEquals(queuedTotal, all.length, "exactly the accepted sends arrive");
            Bytes.checkPattern(all, all.length, 0);
        }
    }

    /** sendAsync completes (on the worker) once its bytes were handed to the kernel. */
    @Test
    void sendAsyncCompletesOnTheWorkerAfterTheBytesWereWritten() throws Exception {
        Recorder h = new Recorder();
        try (Runtime rt = start(serverConfig().workers(1), w -> h);
             Client s = connect(rt)) {
            Connection c = h.next();
            AtomicInteger completedOnWorker = new AtomicInteger();
            AtomicLong pendingAfter = new AtomicLong(-1);
            CompletionStage<Void> st = OnWorker.call(c.worker(), () -> c.sendAsync(ByteBuffer.wrap("hello".getBytes()))
                    .whenComplete((v, t) -> {
                        if (c.worker().inWorkerThread()) {
                            completedOnWorker.incrementAndGet();
                        }
                        pendingAfter.set(c.pendingSendBytes());
                    }));
            OnWorker.Stages.await(st);
            assertEquals(1, completedOnWorker.get(), "completed on the worker thread");
            assertEquals(0, pendingAfter.get(), "nothing pending once completed");
            assertEquals("hello", new String(s.readExactly(5)));
            // Queued but not yet written when the connection closes (same task: no flush in between): fails.
            CompletionStage<Void> dropped = OnWorker.call(c.worker(), () -> {
                CompletionStage<Void> pending = c.sendAsync(ByteBuffer.allocate(1000));
                c.abort();
                return pending;
            });
            assertInstanceOf(ConnectionClosedException.class, OnWorker.Stages.failure(dropped));
            // On a closed connection the stage fails with ConnectionClosedException instead of throwing.
            CompletionStage<Void> late = OnWorker.call(c.worker(), () -> c.sendAsync(ByteBuffer.allocate(1)));
            assertInstanceOf(ConnectionClosedException.class, OnWorker.Stages.failure(late));
        }
    }
}
