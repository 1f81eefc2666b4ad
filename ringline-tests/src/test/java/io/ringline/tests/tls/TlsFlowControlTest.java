package io.ringline.tests.tls;

import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.OnWorker;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backpressure over TLS: a slow reader with a bounded send queue, and paused reading. */
class TlsFlowControlTest extends TlsBackendTest {

    private static final long LIMIT = 256 * 1024;

    /** Sends the pattern stream with trySend until {@code total}, resuming on onWritable; tracks the queue. */
    static final class Streamer implements Handler {
        final long total;
        final AtomicLong sent = new AtomicLong();
        final AtomicLong maxPending = new AtomicLong();
        final AtomicInteger refusals = new AtomicInteger();
        final AtomicInteger writables = new AtomicInteger();
        final List<String> problems = new CopyOnWriteArrayList<>();

        Streamer(long total) {
            this.total = total;
        }

        @Override
        public void onTlsHandshake(Connection c) {
            pump(c);
        }

        @Override
        public int onData(Connection c, ByteBuffer data) {
            return data.remaining();
        }

        @Override
        public void onWritable(Connection c) {
            writables.incrementAndGet();
            pump(c);
        }

        private void pump(Connection c) {
            while (sent.get() < total) {
                int n = (int) Math.min(32 * 1024, total - sent.get());
                if (!c.trySend(ByteBuffer.wrap(Bytes.pattern(sent.get(), n)))) {
                    refusals.incrementAndGet();
                    if (c.isWritable()) {
                        problems.add("isWritable() true after a refused trySend");
                    }
                    break;
                }
                sent.addAndGet(n);
                maxPending.accumulateAndGet(c.pendingSendBytes(), Math::max);
            }
        }
    }

    @Test
    void slowReaderGetsEverythingWithTheQueueBounded() throws Exception {
        long total = 4L << 20; // 16 times the queue limit
        Streamer h = new Streamer(total);
        try (Runtime rt = start(tlsServerConfig(TlsProviders.JDK.server().build()).sendQueueLimit(LIMIT), w -> h);
             TlsClient client = connectTls(rt, TlsClient.Options.defaults().receiveBuffer(64 * 1024))) {
            client.handshake();
            // read nothing until the queue refused a send: the reader is slower than the writer
            Await.until(() -> h.refusals.get() > 0, () -> "a refused trySend, sent " + h.sent.get());
            byte[] buf = new byte[16 * 1024];
            long got = 0;
            while (got < total) {
                int n = client.input().read(buf, 0, (int) Math.min(buf.length, total - got));
                assertTrue(n > 0, "end of stream after " + got + " of " + total + " bytes");
                Bytes.checkPattern(buf, n, got);
                got += n;
            }
            assertEquals(total, h.sent.get());
            assertEquals(List.of(), h.problems);
            assertTrue(h.maxPending.get() <= LIMIT, "pending bytes " + h.maxPending.get() + " over the limit " + LIMIT);
            assertTrue(h.writables.get() > 0, "onWritable fired");
        }
    }

    /** Checks the pattern stream; pauses on the first data; the test resumes it. */
    static final class PausingSink implements Handler {
        final BlockingQueue<Connection> opened = new ArrayBlockingQueue<>(1);
        final AtomicLong consumed = new AtomicLong();
        final List<String> problems = new CopyOnWriteArrayList<>();
        volatile boolean pauseOnData = true;

        @Override
        public void onOpen(Connection c) {
            opened.add(c);
        }

        @Override
        public int onData(Connection c, ByteBuffer data) {
            if (c.isReadingPaused()) {
                problems.add("onData while paused");
            }
            int n = Math.min(data.remaining(), 10_000); // consume partially: the rest is kept over the pause
            byte[] b = new byte[n];
            data.get(data.position(), b);
            try {
                Bytes.checkPattern(b, n, consumed.get());
            } catch (AssertionError e) {
                problems.add(e.getMessage());
            }
            consumed.addAndGet(n);
            if (pauseOnData) {
                pauseOnData = false;
                c.pauseReading();
            }
            return n;
        }
    }

    @Test
    void pausedReadingOverTlsLosesNothing() throws Exception {
        int total = 1 << 20;
        PausingSink h = new PausingSink();
        try (Runtime rt = startTls(TlsProviders.JDK.server().build(), w -> h);
             TlsClient client = connectTls(rt)) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    client.output().write(Bytes.pattern(0, total)); // blocks while the server does not read
                    client.output().flush();
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            Connection c = h.opened.poll(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);
            Await.until(() -> OnWorker.call(c.worker(), c::isReadingPaused), "reading paused on the first data");
            long atPause = h.consumed.get();
            assertTrue(atPause > 0 && atPause < total, "consumed " + atPause + " before the pause");
            OnWorker.run(c.worker(), c::resumeReading);
            writer.get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);
            Await.until(() -> h.consumed.get() == total, () -> "consumed " + h.consumed.get() + " of " + total);
            assertEquals(List.of(), h.problems);
        }
    }
}
