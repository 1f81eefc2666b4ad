package io.ringline.tests;

import io.ringline.BufferRelease;
import io.ringline.Connection;
import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import io.ringline.Runtime;
import io.ringline.SendQueueFullException;
import io.ringline.WorkerStats;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.Recorder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pass-through sends: {@link Connection#sendOwned} (the application's direct buffer is sent as it
 * is and given back exactly once through its {@link BufferRelease}) and
 * {@link Connection#sendReceived} (received bytes sent on from the backend's receive memory where
 * it lends it, else copied), byte-exact on every backend, with the statistics saying which happened.
 */
class PassThroughSendTest extends BackendTest {

    /** One call of a {@link Releases} callback. */
    record Release(ByteBuffer buffer, int position, int limit, boolean onWorker, long pendingSendBytes, long bytesOut) {
    }

    /** A {@link BufferRelease} for one connection that records every call (thread-safe). */
    static final class Releases implements BufferRelease {
        private final Connection connection;
        final List<Release> calls = new CopyOnWriteArrayList<>();

        Releases(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void released(ByteBuffer buffer) {
            calls.add(new Release(buffer, buffer.position(), buffer.limit(), connection.worker().inWorkerThread(),
                    connection.pendingSendBytes(), connection.worker().stats().bytesOut()));
        }

        int count() {
            return calls.size();
        }

        /** Asserts each of {@code buffers} was released exactly once and nothing else was. */
        void assertEachOnce(List<ByteBuffer> buffers) {
            Set<ByteBuffer> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Release r : calls) {
                assertTrue(seen.add(r.buffer()), () -> "released twice: " + r);
                assertTrue(r.onWorker(), "released on the connection's worker thread");
            }
            Set<ByteBuffer> expected = Collections.newSetFromMap(new IdentityHashMap<>());
            expected.addAll(buffers);
            assertEquals(expected, seen, "released buffers");
        }
    }

    private static ByteBuffer direct(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    private static long[] counters(Connection c) {
        WorkerStats s = c.worker().stats();
        return new long[] {s.copiedSends(), s.passThroughSends()};
    }

    // ------------------------------------------------------------------ sendOwned

    @Test
    void anOwnedMebibyteArrivesByteExactAndIsReleasedOnceAfterItWasWritten() throws Exception {
        Recorder h = new Recorder();
        try (Runtime rt = start(serverConfig(), w -> h);
             Client s = connect(rt)) {
            Connection c = h.next();
            byte[] payload = Bytes.pattern(0, 1 << 20);
            ByteBuffer data = direct(payload);
            Releases releases = new Releases(c);
            long[] before = OnWorker.call(c.worker(), () -> {
                long[] counted = counters(c);
                long bytesOut = c.worker().stats().bytesOut();
                c.sendOwned(data, releases);
                assertEquals(0, releases.count(), "not released while queued");
                return new long[] {counted[0], counted[1], bytesOut};
            });
            assertArrayEquals(payload, s.readExactly(payload.length));
            Await.until(() -> releases.count() == 1, "the owned buffer was released");
            Release r = releases.calls.get(0);
            assertSame(data, r.buffer());
            assertTrue(r.onWorker(), "released on the worker thread");
            assertEquals(payload.length, r.position(), "released written whole: position at the limit");
            assertEquals(0, r.pendingSendBytes(), "released only once nothing of it is queued");
            assertTrue(r.bytesOut() - before[2] >= payload.length, "released after its bytes were handed to the kernel");
            long[] after = OnWorker.call(c.worker(), () -> counters(c)); // also a barrier: later releases would show
            assertEquals(before[0], after[0], "copiedSends: nothing was copied");
            assertEquals(before[1] + 1, after[1], "passThroughSends counts the sendOwned");
            assertEquals(1, releases.count(), "released exactly once");
        }
    }

    @Test
    void smallOwnedSendsMixedWithCopiesAndRegionSendsKeepTheirOrder() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment segment = arena.allocate(64 * 1024);
            segment.copyFrom(MemorySegment.ofArray(Bytes.random(random, 64 * 1024)));
            MemoryRegion region = MemoryRegion.of(segment);
            Recorder h = new Recorder();
            try (Runtime rt = start(serverConfig().initialRegion(region), w -> h);
                 Client s = connect(rt)) {
                Connection c = h.next();
                Releases releases = new Releases(c);
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                List<ByteBuffer> owned = new ArrayList<>();
                for (int batch = 0; batch < 20; batch++) { // tasks of their own: flushes come between them
                    OnWorker.run(c.worker(), () -> {
                        for (int i = 0; i < 150; i++) {
                            int n = 1 + random.nextInt(300);
                            byte[] bytes = Bytes.random(random, n);
                            switch (random.nextInt(3)) {
                                case 0 -> c.send(ByteBuffer.wrap(bytes));
                                case 1 -> {
                                    ByteBuffer b = direct(bytes);
                                    owned.add(b);
                                    c.sendOwned(b, releases);
                                }
                                default -> {
                                    int offset = random.nextInt(64 * 1024 - n);
                                    c.sendRegion(RegionId.of(0), offset, n);
                                    bytes = segment.asSlice(offset, n).toArray(ValueLayout.JAVA_BYTE);
                                }
                            }
                            expected.writeBytes(bytes);
                        }
                    });
                }
                byte[] want = expected.toByteArray();
                assertArrayEquals(want, s.readExactly(want.length), "every send in order (seed " + seed + ")");
                Await.until(() -> releases.count() == owned.size(),
                        () -> "every owned buffer released: " + releases.count() + " of " + owned.size());
                OnWorker.run(c.worker(), () -> { }); // a barrier: a late second release would show
                releases.assertEachOnce(owned);
                for (Release r : releases.calls) {
                    assertEquals(r.limit(), r.position(), "written whole");
                }
            }
        }
    }

    @Test
    void ownedBuffersStillQueuedAtAnAbortAreReleasedOnceWhereTheWriteStopped() throws Exception {
        int size = 8 << 20;
        Recorder h = new Recorder();
        try (Runtime rt = start(serverConfig().sendQueueLimit(4L * size), w -> h);
             Client s = connectWithSmallReceiveBuffer(rt, 8 * 1024)) {
            Connection c = h.next();
            Releases releases = new Releases(c);
            ByteBuffer big = ByteBuffer.allocateDirect(size);
            ByteBuffer next = ByteBuffer.allocateDirect(1000);
            OnWorker.run(c.worker(), () -> {
                c.sendOwned(big, releases);
                c.sendOwned(next, releases);
            });
            // The client does not read: the write stops part way into the big buffer.
            Await.until(() -> OnWorker.call(c.worker(), () -> c.worker().stats().bytesOut()) > 0, "some bytes were written");
            long pending = OnWorker.call(c.worker(), () -> {
                long p = c.pendingSendBytes();
                c.abort();
                return p;
            });
            s.expectClosed();
            // At once, or (io_uring) once the kernel is done with a send still in flight at the abort.
            Await.until(() -> releases.count() == 2, () -> "both owned buffers released after the abort: " + releases.calls);
            assertTrue(pending > next.capacity(), "bytes were still queued: " + pending);
            releases.assertEachOnce(List.of(big, next));
            Release first = releases.calls.get(0);
            assertSame(big, first.buffer(), "released in order");
            assertEquals(size + next.capacity() - pending, first.position(), "the big buffer's position is where the write stopped");
            assertEquals(0, releases.calls.get(1).position(), "the second buffer was never read");
            OnWorker.run(c.worker(), () -> { });
            assertEquals(2, releases.count());
        }
    }

    @Test
    void aHeapBufferIsRefusedNamingItAndNeverReleased() throws Exception {
        Recorder h = new Recorder();
        try (Runtime rt = start(serverConfig(), w -> h);
             Client s = connect(rt)) {
            Connection c = h.next();
            Releases releases = new Releases(c);
            ByteBuffer heap = ByteBuffer.allocate(64);
            OnWorker.run(c.worker(), () -> {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.sendOwned(heap, releases));
                assertTrue(e.getMessage().contains("direct") && e.getMessage().contains(heap.toString()), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> c.trySendOwned(heap, releases));
                assertTrue(c.isOpen() && c.pendingSendBytes() == 0);
                c.send(new byte[] {7}); // the connection goes on
            });
            assertEquals(7, s.read());
            assertEquals(0, releases.count());
        }
    }

    @Test
    void aFullQueueRefusesAnOwnedBufferWhichIsNotReleasedAndTakesItAfterOnWritable() throws Exception {
        int limit = 64 * 1024;
        Recorder h = new Recorder();
        try (Runtime rt = start(serverConfig().sendQueueLimit(limit), w -> h);
             Client s = connectWithSmallReceiveBuffer(rt, 8 * 1024)) {
            Connection c = h.next();
            Releases releases = new Releases(c);
            byte[] filler = Bytes.pattern(0, limit - 100);
            byte[] more = Bytes.pattern(limit - 100, 4096);
            ByteBuffer owned = direct(more);
            OnWorker.run(c.worker(), () -> {
                c.send(filler);
                assertFalse(c.trySendOwned(owned, releases), "over the limit: refused");
                SendQueueFullException e = assertThrows(SendQueueFullException.class, () -> c.sendOwned(owned, releases));
                assertTrue(e.getMessage().contains(String.valueOf(limit)), e.getMessage());
                assertEquals(0, owned.position());
                assertFalse(c.isWritable());
            });
            byte[] got = s.readExactly(filler.length);
            Await.until(() -> !h.events("writable").isEmpty(), "onWritable after the refusal");
            assertEquals(0, releases.count(), "a refused buffer stays the caller's: never released");
            OnWorker.run(c.worker(), () -> c.sendOwned(owned, releases));
            assertArrayEquals(filler, got);
            assertArrayEquals(more, s.readExactly(more.length));
            Await.until(() -> releases.count() == 1, "the accepted owned buffer was released");
        }
    }

    // ------------------------------------------------------------------ sendReceived

    /**
     * Sends what it receives with {@code sendReceived}, in one to three parts (narrowing the
     * limit), and checks every call: exactly one of {@code copiedSends}/{@code passThroughSends}
     * moved by one, and the buffer's position reached its limit.
     */
    static class ReceivedEcho extends Recorder {
        final AtomicLong lent = new AtomicLong();
        final AtomicLong copied = new AtomicLong();
        final List<String> violations = new CopyOnWriteArrayList<>();
        private final Random random = new Random(7);

        @Override
        public int onData(Connection c, ByteBuffer data) {
            super.onData(c, data);
            int start = data.position();
            int end = data.limit();
            while (data.position() < end) {
                int part = data.position() + 1 + random.nextInt(end - data.position());
                data.limit(random.nextInt(3) == 0 ? part : end);
                sendReceivedCounting(c, c, data);
                data.limit(end);
            }
            return end - start;
        }

        /** {@code to.sendReceived(data)}, checking and counting what the statistics say happened. */
        void sendReceivedCounting(Connection on, Connection to, ByteBuffer data) {
            long[] before = counters(on);
            to.sendReceived(data);
            long[] after = counters(on);
            long copies = after[0] - before[0];
            long passes = after[1] - before[1];
            if (copies + passes != 1) {
                violations.add("copiedSends moved " + copies + ", passThroughSends " + passes + " for one sendReceived");
            }
            if (data.hasRemaining()) {
                violations.add("position " + data.position() + " is not the limit " + data.limit() + " after sendReceived");
            }
            copied.addAndGet(copies);
            lent.addAndGet(passes);
        }
    }

    @Test
    void sendReceivedEchoesRandomSizesAndSplitsByteExact() throws Exception {
        long seed = System.nanoTime();
        int total = 4 << 20;
        byte[] payload = Bytes.random(new Random(seed), total);
        ReceivedEcho echo = new ReceivedEcho();
        try (Runtime rt = start(serverConfig().sendQueueLimit(4L * total), w -> echo);
             Client s = connect(rt);
             ExecutorService writer = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> written = writer.submit(() -> {
                Random sizes = new Random(seed + 1);
                OutputStream out = s.output();
                for (int off = 0; off < total; ) {
                    int n = Math.min(total - off, 1 + sizes.nextInt(sizes.nextBoolean() ? 100 : 64 * 1024));
                    out.write(payload, off, n);
                    off += n;
                }
                out.flush();
                return null;
            });
            assertArrayEquals(payload, s.readExactly(total), "echo by sendReceived (seed " + seed + ")");
            written.get(30, TimeUnit.SECONDS);
            assertEquals(List.of(), echo.violations);
            assertTrue(echo.lent.get() + echo.copied.get() > 0);
            assertLendingAsTheBackendDoes(echo.lent.get());
        }
    }

    /** NIO has no receive memory to lend: its sendReceived always copies. */
    private void assertLendingAsTheBackendDoes(long lent) {
        if (spec.backend().equals("nio")) {
            assertEquals(0, lent, "NIO copies every sendReceived");
        }
    }

    @Test
    void bytesReceivedOnOneConnectionAreForwardedByAnotherOfTheSameWorker() throws Exception {
        long seed = System.nanoTime();
        int total = 2 << 20;
        byte[] payload = Bytes.random(new Random(seed), total);
        List<Connection> opened = new CopyOnWriteArrayList<>();
        ReceivedEcho forward = new ReceivedEcho() {
            @Override
            public void onOpen(Connection c) {
                super.onOpen(c);
                opened.add(c);
            }

            @Override
            public int onData(Connection c, ByteBuffer data) {
                int n = data.remaining();
                if (c == opened.get(0)) {
                    sendReceivedCounting(c, opened.get(1), data); // from A's delivery, on B
                }
                return n;
            }
        };
        try (Runtime rt = start(serverConfig().workers(1).sendQueueLimit(4L * total), w -> forward);
             Client a = connect(rt)) {
            forward.awaitOpens(1);
            try (Client b = connect(rt);
                 ExecutorService writer = Executors.newVirtualThreadPerTaskExecutor()) {
                forward.awaitOpens(2);
                Future<?> written = writer.submit(() -> {
                    Random sizes = new Random(seed + 1);
                    for (int off = 0; off < total; ) {
                        int n = Math.min(total - off, 1 + sizes.nextInt(32 * 1024));
                        a.output().write(payload, off, n);
                        off += n;
                    }
                    a.output().flush();
                    return null;
                });
                assertArrayEquals(payload, b.readExactly(total), "A's bytes, forwarded on B (seed " + seed + ")");
                written.get(30, TimeUnit.SECONDS);
            }
            assertEquals(List.of(), forward.violations);
            assertLendingAsTheBackendDoes(forward.lent.get());
        }
    }

    @Test
    void aBufferThatIsNotTheOneShownIsCopied() throws Exception {
        List<String> violations = new CopyOnWriteArrayList<>();
        Recorder h = new Recorder() {
            private int calls;

            @Override
            public int onData(Connection c, ByteBuffer data) {
                int n = data.remaining();
                // not the buffer shown: a direct copy of it, or a heap copy, alternately
                ByteBuffer other = (calls++ % 2 == 0 ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n))
                        .put(data.duplicate()).flip();
                long[] before = counters(c);
                c.sendReceived(other);
                long[] after = counters(c);
                if (after[0] != before[0] + 1 || after[1] != before[1]) {
                    violations.add("an unrelated buffer was not counted as copied: copiedSends +" + (after[0] - before[0])
                            + ", passThroughSends +" + (after[1] - before[1]));
                }
                if (other.hasRemaining()) {
                    violations.add("its position was not advanced to its limit");
                }
                return n;
            }
        };
        try (Runtime rt = start(serverConfig(), w -> h);
             Client s = connect(rt)) {
            byte[] payload = Bytes.random(new Random(3), 200_000);
            for (int off = 0; off < payload.length; off += 10_000) {
                s.output().write(payload, off, 10_000);
                s.output().flush();
                assertArrayEquals(java.util.Arrays.copyOfRange(payload, off, off + 10_000), s.readExactly(10_000));
            }
            assertEquals(List.of(), violations);
        }
    }
}
