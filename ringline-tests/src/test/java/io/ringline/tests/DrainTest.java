package io.ringline.tests;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import io.ringline.Runtime;
import io.ringline.SendQueueFullException;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.Recorder;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Graceful shutdown never truncates a stream silently: within the grace period every byte the
 * handler sends (copies and region sends, and replies it still held when shutdown began, flushed
 * from {@link Handler#onDrain}) reaches the peer before a clean end of stream; past it, the peer
 * sees a reset, never a clean end in the middle.
 */
class DrainTest extends BackendTest {

    /** Bytes of the pattern stream each connection sends. */
    static final int STREAM = 3 << 20;
    /** Region part of each round: above the io_uring zero-copy threshold, so it goes as SEND_ZC there. */
    static final int REGION_PART = 256 * 1024;
    static final int COPY_PART = 100_000;

    /**
     * Sends the pattern stream as rounds of a copied piece and a region piece, as fast as the send
     * queue takes it, holding the rest itself (like a server with a reply backlog) until
     * {@code onWritable}; on drain, finishes the stream and then closes.
     */
    static final class StreamingHandler implements Handler {
        final MemorySegment pattern;
        final ConcurrentLinkedQueue<Connection> opened = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<CloseReason> closes = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Connection> drained = new ConcurrentLinkedQueue<>();

        StreamingHandler(MemorySegment pattern) {
            this.pattern = pattern;
        }

        static final class State {
            long sent;
            boolean draining;
        }

        @Override
        public void onOpen(Connection c) {
            c.attach(new State());
            pump(c);
            opened.add(c);
        }

        /** Queues the next pieces of the stream until the queue refuses or the stream is done. */
        private void pump(Connection c) {
            State s = c.attachment();
            while (s.sent < STREAM) {
                long round = s.sent % (COPY_PART + REGION_PART);
                long left = STREAM - s.sent;
                if (round < COPY_PART) {
                    int n = (int) Math.min(COPY_PART - round, left);
                    ByteBuffer piece = pattern.asSlice(s.sent, n).asByteBuffer();
                    if (!c.trySend(piece)) {
                        return;
                    }
                    s.sent += n;
                } else {
                    int n = (int) Math.min(COPY_PART + REGION_PART - round, left);
                    try {
                        c.sendRegion(RegionId.of(0), s.sent, n);
                    } catch (SendQueueFullException full) {
                        return; // refused: onWritable will fire
                    }
                    s.sent += n;
                }
            }
            if (s.draining) {
                c.close();
            }
        }

        @Override
        public int onData(Connection c, ByteBuffer data) {
            return data.remaining(); // requests are ignored
        }

        @Override
        public void onWritable(Connection c) {
            pump(c);
        }

        @Override
        public void onDrain(Connection c) {
            State s = c.attachment();
            s.draining = true;
            drained.add(c);
            if (s.sent == STREAM) {
                c.close();
            }
        }

        @Override
        public void onClose(Connection c, CloseReason reason, Throwable cause) {
            closes.add(reason);
        }
    }

    @Test
    void withinTheGracePeriodEveryByteIncludingHeldRepliesArrivesBeforeACleanEnd() throws Exception {
        int clients = 8;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment pattern = arena.allocate(STREAM);
            byte[] bytes = new byte[STREAM];
            Bytes.fillPattern(bytes, 0);
            MemorySegment.copy(bytes, 0, pattern, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, STREAM);
            StreamingHandler h = new StreamingHandler(pattern);
            Runtime rt = start(serverConfig().initialRegion(MemoryRegion.of(pattern)).sendQueueLimit(1 << 20)
                    .shutdownGracePeriod(Duration.ofSeconds(30)), w -> h);
            ExecutorService readers = Executors.newFixedThreadPool(clients);
            try {
                List<Client> sockets = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    // small receive buffers, not read yet: the handlers hold most of their streams
                    sockets.add(connectWithSmallReceiveBuffer(rt, 16 * 1024));
                }
                Await.until(() -> h.opened.size() == clients, "all clients accepted");
                for (Client s : sockets) {
                    s.output().write("requests that arrive during the drain are discarded\n".getBytes());
                }
                rt.shutdownHandle().shutdown();
                Await.until(() -> h.drained.size() == clients, "every handler was asked to drain");
                List<Future<byte[]>> got = new ArrayList<>();
                for (Client s : sockets) {
                    got.add(readers.submit(() -> {
                        byte[] b = s.readToEof();
                        s.close(); // the server lingers for our end of stream before it closes
                        return b;
                    }));
                }
                for (int i = 0; i < clients; i++) {
                    byte[] b = got.get(i).get(60, TimeUnit.SECONDS);
                    assertEquals(STREAM, b.length, "client " + i + " got the whole stream before end of stream");
                    Bytes.checkPattern(b, b.length, 0);
                }
                assertTrue(rt.awaitTermination(Duration.ofSeconds(10)), "terminated once the clients closed, well before the 30 s grace period");
                Await.until(() -> h.closes.size() == clients, "every connection closed");
                assertEquals(List.of(CloseReason.SHUTDOWN), List.copyOf(h.closes).stream().distinct().toList());
            } finally {
                readers.shutdownNow();
                rt.close(); // the arena outlives the runtime
            }
        }
    }

    /** Sends 100 bytes on open and ignores the drain request: it never closes by itself. */
    static final class Stubborn extends Recorder {
        @Override
        public void onOpen(Connection c) {
            c.send(new byte[100]);
            super.onOpen(c);
        }

        @Override
        public void onDrain(Connection c) {
            // holds on: e.g. waiting for an answer it never gets
        }
    }

    @Test
    void aConnectionStillOpenAtTheEndOfTheGracePeriodIsResetNotClosedCleanly() throws Exception {
        Stubborn h = new Stubborn();
        Duration grace = Duration.ofMillis(300);
        Runtime rt = start(serverConfig().shutdownGracePeriod(grace), w -> h);
        try (Client s = connect(rt)) {
            h.awaitOpens(1);
            InputStream in = s.input();
            s.readExactly(100);
            rt.shutdownHandle().shutdown();
            assertTrue(rt.awaitTermination(grace.plusSeconds(10)));
            s.expectReset();
        } finally {
            rt.close();
        }
    }

    @Test
    void aConnectionWhoseQueueCannotDrainInTheGracePeriodIsReset() throws Exception {
        ShutdownTest.Sender h = new ShutdownTest.Sender(8 << 20);
        Duration grace = Duration.ofMillis(300);
        Runtime rt = start(serverConfig().sendQueueLimit(8 << 20).shutdownGracePeriod(grace), w -> h);
        try (Client s = connectWithSmallReceiveBuffer(rt, 8 * 1024)) {
            h.awaitOpens(1);
            rt.shutdownHandle().shutdown();
            assertTrue(rt.awaitTermination(grace.plusSeconds(10)));
            s.expectReset();
        } finally {
            rt.close();
        }
    }

}
