package io.ringline.tests;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.Recorder;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Receive-side backpressure: {@link Connection#pauseReading()} / {@link Connection#resumeReading()} and {@link io.ringline.Config#inboundLimit()}. */
class ReadPauseTest extends BackendTest {

    /** Checks the pattern stream, counts onData calls, records closes; pausing is driven by the test. */
    static final class PatternSink implements Handler {
        final BlockingQueue<Connection> opened = new ArrayBlockingQueue<>(1);
        final AtomicLong consumed = new AtomicLong();
        final AtomicInteger calls = new AtomicInteger();
        final List<String> events = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> cause = new AtomicReference<>();
        volatile boolean pauseOnFirstData;
        private final byte[] buf = new byte[64 * 1024];

        @Override
        public void onOpen(Connection c) {
            opened.add(c);
        }

        @Override
        public int onData(Connection c, ByteBuffer data) {
            calls.incrementAndGet();
            if (c.isReadingPaused()) {
                events.add("onData while paused");
            }
            int n = Math.min(data.remaining(), buf.length);
            data.get(data.position(), buf, 0, n);
            try {
                Bytes.checkPattern(buf, n, consumed.get());
            } catch (AssertionError e) {
                events.add(e.getMessage());
            }
            consumed.addAndGet(n);
            if (pauseOnFirstData) {
                pauseOnFirstData = false;
                c.pauseReading();
                c.pauseReading(); // idempotent
                events.add("paused");
            }
            return n;
        }

        @Override
        public void onInputClosed(Connection c) {
            events.add("inputClosed@" + consumed.get());
            c.close();
        }

        @Override
        public void onClose(Connection c, CloseReason reason, Throwable t) {
            cause.set(t);
            events.add("close:" + reason);
        }
    }

    /**
     * While paused no onData is called and the backend stops reading the socket: the peer, writing
     * far more than inboundLimit, is held back by TCP flow control instead of overflowing the
     * runtime (which would close the connection). After resuming, every byte arrives in order.
     */
    @Test
    void pausedReadingHoldsThePeerBackAndResumingDeliversEverything() throws Exception {
        long total = 48L << 20;
        PatternSink h = new PatternSink();
        h.pauseOnFirstData = true;
        int inboundLimit = 64 * 1024;
        try (Runtime rt = start(serverConfig().workers(1).inboundLimit(inboundLimit), w -> h);
             Client s = connect(rt)) {
            AtomicLong written = new AtomicLong();
            // A daemon thread, not an executor: closing the socket (try-with-resources) ends it if the test fails.
            CompletableFuture<Void> writing = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("pause-test-writer").start(() -> {
                try {
                    OutputStream out = s.output();
                    byte[] chunk = new byte[16 * 1024];
                    for (long pos = 0; pos < total; pos += chunk.length) {
                        Bytes.fillPattern(chunk, pos);
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                    s.shutdownOutput();
                    writing.complete(null);
                } catch (Throwable t) {
                    writing.completeExceptionally(t);
                }
            });
            Connection c = h.opened.poll(20, TimeUnit.SECONDS);
            assertNotNull(c);
            Await.until(() -> h.events.contains("paused"), "the handler paused reading");
            // The writer fills the kernel buffers (at least the server's initial receive buffer) and then blocks.
            // Had the backend kept reading, what it read would be kept and exceed inboundLimit: closed.
            int callsAtPause = h.calls.get();
            long enough = 2L * inboundLimit;
            Await.until(() -> written.get() >= enough, () -> "the client wrote " + enough + " bytes while reading was paused, wrote "
                    + written.get());
            OnWorker.run(c.worker(), () -> {
                assertTrue(c.isReadingPaused());
                assertTrue(c.isOpen(), "still open: the paused backend did not buffer beyond inboundLimit");
            });
            assertEquals(callsAtPause, h.calls.get(), "no onData while paused");
            assertFalse(writing.isDone(), "the writer is held back by flow control while paused");
            OnWorker.run(c.worker(), () -> {
                c.resumeReading();
                c.resumeReading(); // idempotent
                assertFalse(c.isReadingPaused());
            });
            writing.get(60, TimeUnit.SECONDS);
            assertTrue(written.get() == total);
            Await.until(() -> h.events.stream().anyMatch(e -> e.startsWith("close:")), () -> "closed after end of stream: " + h.events);
            assertEquals(total, h.consumed.get(), "every byte delivered after resuming");
            assertEquals(List.of("paused", "inputClosed@" + total, "close:PEER_CLOSED"), h.events);
        }
    }

    /** Bytes kept while paused are presented again after resumeReading even if the peer sends nothing more. */
    @Test
    void resumingPresentsKeptBytesWithoutNewInput() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        CompletableFuture<Connection> paused = new CompletableFuture<>();
        Handler h = new Handler() {
            @Override
            public int onData(Connection c, ByteBuffer data) {
                byte[] b = new byte[data.remaining()];
                data.get(data.position(), b);
                calls.add(new String(b));
                if (calls.size() == 1 && b.length == 10) {
                    c.pauseReading();
                    paused.complete(c);
                    return 3; // keep 7 bytes
                }
                return b.length;
            }
        };
        try (Runtime rt = start(serverConfig().workers(1), w -> h);
             Client s = connect(rt)) {
            s.output().write("0123456789".getBytes());
            Connection c = OnWorker.Stages.await(paused);
            OnWorker.run(c.worker(), () -> { }); // a loop iteration while paused: nothing presented
            assertEquals(List.of("0123456789"), calls);
            OnWorker.run(c.worker(), c::resumeReading);
            Await.until(() -> calls.size() == 2, () -> "kept bytes presented again: " + calls);
            assertEquals(List.of("0123456789", "3456789"), calls);
        }
    }

    /** End of stream that arrives while paused is reported after resuming, after the data. */
    @Test
    void endOfStreamWhilePausedIsReportedAfterResuming() throws Exception {
        PatternSink h = new PatternSink();
        h.pauseOnFirstData = true;
        try (Runtime rt = start(serverConfig().workers(1), w -> h);
             Client s = connect(rt)) {
            byte[] b = new byte[1000];
            Bytes.fillPattern(b, 0);
            s.output().write(b, 0, 10);
            Connection c = h.opened.poll(20, TimeUnit.SECONDS);
            assertNotNull(c);
            Await.until(() -> h.events.contains("paused"), "paused");
            s.output().write(b, 10, 990);
            s.shutdownOutput();
            // A paused backend does not read, so there is no event to wait for; a loop iteration must not
            // report the end of stream (a backend that kept reading would be caught here or by inboundLimit).
            OnWorker.run(c.worker(), () -> { });
            assertEquals(List.of("paused"), h.events, "no onInputClosed while paused");
            OnWorker.run(c.worker(), c::resumeReading);
            Await.until(() -> h.events.size() == 3, () -> "events " + h.events);
            assertEquals(List.of("paused", "inputClosed@1000", "close:PEER_CLOSED"), h.events);
        }
    }

    /** A handler that never consumes: beyond inboundLimit the connection is closed with ERROR naming the limit. */
    @Test
    void unconsumedInputBeyondInboundLimitClosesWithError() throws Exception {
        Recorder h = new Recorder() {
            @Override
            public int onData(Connection c, ByteBuffer data) {
                super.onData(c, data);
                return 0; // need more, forever
            }
        };
        int limit = 4096;
        try (Runtime rt = start(serverConfig().inboundLimit(limit), w -> h);
             Client s = connect(rt)) {
            try {
                s.output().write(new byte[64 * 1024]);
            } catch (java.io.IOException e) {
                // the server may close (reset) while we write
            }
            Recorder.Event close = h.awaitClose();
            assertEquals(CloseReason.ERROR, close.reason());
            assertNotNull(close.cause());
            assertTrue(String.valueOf(close.cause().getMessage()).contains(String.valueOf(limit)), close.cause().getMessage());
        }
    }

    @Test
    void pauseAndResumeOffTheWorkerThrow() throws Exception {
        PatternSink h = new PatternSink();
        try (Runtime rt = start(serverConfig(), w -> h);
             Client s = connect(rt)) {
            Connection c = h.opened.poll(20, TimeUnit.SECONDS);
            assertNotNull(c);
            assertThrows(IllegalStateException.class, c::pauseReading);
            assertThrows(IllegalStateException.class, c::resumeReading);
            assertFalse(OnWorker.call(c.worker(), c::isReadingPaused));
        }
    }
}
