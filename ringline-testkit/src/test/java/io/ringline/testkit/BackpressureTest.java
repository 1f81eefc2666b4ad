package io.ringline.testkit;

import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import io.ringline.SendQueueFullException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A peer that does not read: the window fills, then the send queue, then the sender is refused until the peer reads. */
class BackpressureTest {

    private static final int TOTAL = 256 * 1024;
    private static final int BLOCK = 1024;
    private static final int WINDOW = 8 * 1024;
    private static final int QUEUE = 16 * 1024;

    /** Sends {@link #TOTAL} bytes of a pattern in blocks, stopping at each refusal until onWritable. */
    private static final class Pump implements Handler {
        final AtomicInteger refusals = new AtomicInteger();
        final AtomicInteger writables = new AtomicInteger();
        final AtomicLong pending = new AtomicLong();
        final AtomicInteger sentSoFar = new AtomicInteger();
        private final ByteBuffer block = ByteBuffer.allocate(BLOCK);
        private int sent;

        @Override
        public void onOpen(Connection c) {
            pump(c);
        }

        @Override
        public void onWritable(Connection c) {
            writables.incrementAndGet();
            pump(c);
        }

        private void pump(Connection c) {
            while (sent < TOTAL) {
                for (int i = 0; i < BLOCK; i++) {
                    block.put(i, (byte) (sent + i));
                }
                try {
                    c.send(block.clear());
                } catch (SendQueueFullException e) {
                    pending.set(c.pendingSendBytes());
                    refusals.incrementAndGet();
                    return;
                }
                sent += BLOCK;
                sentSoFar.set(sent);
            }
            c.close();
        }

        @Override
        public int onData(Connection c, ByteBuffer data) {
            return data.remaining();
        }
    }

    private static int available(TestPeer peer) {
        try {
            return peer.input().available();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aSlowPeerFillsTheQueueThenOnWritableResumesTheSender() throws Exception {
        Pump pump = new Pump();
        try (Runtime runtime = Runtime.start(Testkit.config().sendQueueLimit(QUEUE)
                .option(TestkitOptions.WINDOW.name(), WINDOW).build(), worker -> pump);
             TestPeer peer = Testkit.connect(runtime)) {
            Await.until(() -> pump.refusals.get() >= 1 && available(peer) == WINDOW,
                    "the send queue refused and the window filled");
            assertTrue(pump.pending.get() > QUEUE - BLOCK, "the queue was full: " + pump.pending.get());
            assertTrue(pump.sentSoFar.get() <= WINDOW + QUEUE,
                    "bounded memory: nothing beyond the window and the queue, sent " + pump.sentSoFar.get());
            assertTrue(pump.sentSoFar.get() < TOTAL, "the sender waits for the peer");

            byte[] all = peer.input().readNBytes(TOTAL + 1);
            assertEquals(TOTAL, all.length, "every byte, then the end of stream");
            for (int i = 0; i < TOTAL; i++) {
                if (all[i] != (byte) i) {
                    throw new AssertionError("byte " + i + " was " + all[i]);
                }
            }
            assertTrue(pump.writables.get() >= 1, "onWritable resumed the sender");
            assertEquals(pump.refusals.get(), pump.writables.get(), "one onWritable per refusal");
        }
    }
}
