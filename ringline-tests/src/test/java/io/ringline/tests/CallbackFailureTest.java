package io.ringline.tests;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.RinglineException;
import io.ringline.Runtime;
import io.ringline.WorkerContext;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Clients;
import io.ringline.tests.support.OnWorker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever a handler callback or a task throws (short of a {@link VirtualMachineError}) closes that
 * connection or fails that task, never the worker, on every backend; a worker that does die takes
 * the whole runtime down within the grace period and {@code awaitTermination} reports why.
 */
class CallbackFailureTest extends BackendTest {

    /** Where the handler throws. */
    enum Where { ON_OPEN, ON_DATA, ON_WRITABLE, ON_INPUT_CLOSED, ON_CLOSE, ON_TICK, TIMER, TASK }

    /** What it throws: an unchecked exception, errors that are not VM errors, and a checked exception thrown sneakily. */
    enum Kind {
        RUNTIME_EXCEPTION(() -> new IllegalStateException("handler bug")),
        ASSERTION_ERROR(() -> new AssertionError("handler assertion")),
        LINKAGE_ERROR(() -> new NoSuchMethodError("handler linkage")),
        CHECKED_EXCEPTION(() -> new IOException("handler checked exception"));

        final Supplier<Throwable> make;

        Kind(Supplier<Throwable> make) {
            this.make = make;
        }
    }

    @SuppressWarnings("unchecked")
    static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }

    /** Echoes lines; throws once at {@link #where} while {@link #armed}. */
    static final class Thrower implements Handler {
        final Where where;
        final Kind kind;
        final AtomicBoolean armed = new AtomicBoolean();
        final AtomicInteger thrown = new AtomicInteger();
        volatile Throwable lastThrown;
        final ConcurrentLinkedQueue<Object[]> closes = new ConcurrentLinkedQueue<>();

        Thrower(Where where, Kind kind) {
            this.where = where;
            this.kind = kind;
        }

        private void maybeThrow(Where at) {
            if (where == at && armed.compareAndSet(true, false)) {
                Throwable t = kind.make.get();
                lastThrown = t;
                thrown.incrementAndGet();
                throw sneaky(t);
            }
        }

        @Override
        public void onOpen(Connection c) {
            maybeThrow(Where.ON_OPEN);
            if (where == Where.TIMER && armed.get()) {
                c.worker().schedule(Duration.ofMillis(1), () -> maybeThrow(Where.TIMER));
            }
            if (where == Where.TASK && armed.get()) {
                c.worker().execute(() -> maybeThrow(Where.TASK));
            }
        }

        @Override
        public int onData(Connection c, ByteBuffer data) {
            if (where == Where.ON_WRITABLE && armed.get()) {
                // fill the send queue until it refuses, so that onWritable fires once the client reads
                ByteBuffer junk = ByteBuffer.allocate(16 * 1024);
                while (c.trySend(junk.clear())) {
                    // keep filling
                }
                return data.remaining();
            }
            maybeThrow(Where.ON_DATA);
            int n = data.remaining();
            c.send(data);
            return n;
        }

        @Override
        public void onWritable(Connection c) {
            maybeThrow(Where.ON_WRITABLE);
        }

        @Override
        public void onInputClosed(Connection c) {
            maybeThrow(Where.ON_INPUT_CLOSED);
            c.close();
        }

        @Override
        public void onClose(Connection c, CloseReason reason, Throwable cause) {
            closes.add(new Object[] {reason, cause});
            maybeThrow(Where.ON_CLOSE);
        }

        @Override
        public void onTick(WorkerContext worker) {
            maybeThrow(Where.ON_TICK);
        }
    }

    @ParameterizedTest(name = "{0} throws {1}")
    @org.junit.jupiter.params.provider.MethodSource("cases")
    void aThrowingCallbackClosesOnlyItsConnection(Where where, Kind kind) throws Exception {
        Thrower h = new Thrower(where, kind);
        try (Runtime rt = start(serverConfig().workers(1).sendQueueLimit(64 * 1024), w -> h)) {
            h.armed.set(true);
            try (Socket a = Clients.connectWithSmallReceiveBuffer(address(rt), 4096)) {
                OutputStream out = a.getOutputStream();
                InputStream in = a.getInputStream();
                switch (where) {
                    case ON_DATA, ON_WRITABLE -> out.write('x');
                    case ON_INPUT_CLOSED -> a.shutdownOutput();
                    case ON_CLOSE -> a.close();
                    default -> { } // ON_OPEN, ON_TICK, TIMER, TASK fire by themselves
                }
                if (where == Where.ON_WRITABLE) {
                    // drain what the handler queued so that the queue empties and onWritable fires
                    byte[] b = new byte[64 * 1024];
                    long deadline = System.nanoTime() + Await.LONG.toNanos();
                    while (h.thrown.get() == 0 && System.nanoTime() < deadline) {
                        try {
                            if (in.read(b) < 0) {
                                break;
                            }
                        } catch (SocketException reset) {
                            break;
                        }
                    }
                }
                Await.until(() -> h.thrown.get() == 1, () -> where + " did not throw (armed=" + h.armed + ")");
                boolean connectionCallback = where != Where.ON_TICK && where != Where.TIMER && where != Where.TASK
                        && where != Where.ON_CLOSE;
                if (connectionCallback) {
                    Await.until(() -> !h.closes.isEmpty(), "the failing connection was closed");
                    Object[] close = h.closes.peek();
                    assertEquals(CloseReason.ERROR, close[0], "close reason of a connection whose " + where + " threw");
                    assertSame(h.lastThrown, close[1], "the cause is what the handler threw");
                    assertClosedByServer(a, in);
                }
            }
            // The worker goes on: a fresh client is served by the same (only) worker.
            try (Socket b = Clients.connect(address(rt))) {
                byte[] line = "still serving\n".getBytes(StandardCharsets.US_ASCII);
                b.getOutputStream().write(line);
                assertArrayEquals(line, Clients.readExactly(b.getInputStream(), line.length));
            }
            assertEquals("ran", OnWorker.call(rt.worker(0), () -> "ran"), "the worker loop still runs tasks");
            assertFalse(rt.isTerminated(), "the runtime is still running");
            assertEquals(1, h.thrown.get());
            // both connections, the failed one and the fresh one, were closed exactly once each
            Await.until(() -> h.closes.size() == 2, () -> "onClose called once per connection, got " + h.closes.size());
        }
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> cases() {
        java.util.List<org.junit.jupiter.params.provider.Arguments> all = new java.util.ArrayList<>();
        for (Where w : Where.values()) {
            for (Kind k : Kind.values()) {
                all.add(org.junit.jupiter.params.provider.Arguments.of(w, k));
            }
        }
        return all.stream();
    }

    /** The server closed or reset the client's connection: reading ends (after any echoed bytes). */
    private static void assertClosedByServer(Socket s, InputStream in) throws IOException {
        byte[] b = new byte[64 * 1024];
        try {
            while (in.read(b) >= 0) {
                // discard what was queued before the failure
            }
        } catch (SocketException reset) {
            // a reset is a close too (a read timeout would propagate and fail the test)
        }
    }

    /** Dies with a {@link VirtualMachineError} on the line "die". */
    static final class Dying implements Handler {
        final ConcurrentLinkedQueue<Connection> opened = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<CloseReason> closes = new ConcurrentLinkedQueue<>();

        @Override
        public void onOpen(Connection c) {
            opened.add(c);
        }

        @Override
        public int onData(Connection c, ByteBuffer data) {
            if (data.get(data.position()) == 'd') {
                throw new InternalError("simulated VM failure in onData");
            }
            int n = data.remaining();
            c.send(data);
            return n;
        }

        @Override
        public void onClose(Connection c, CloseReason reason, Throwable cause) {
            closes.add(reason);
        }
    }

    @Test
    void aDeadWorkerShutsTheRuntimeDownWithinTheGracePeriodAndAwaitTerminationReportsWhy() throws Exception {
        Dying h = new Dying();
        Duration grace = Duration.ofSeconds(1);
        Runtime rt = start(serverConfig().workers(2).shutdownGracePeriod(grace), w -> h);
        try (Socket a = Clients.connect(address(rt)); Socket b = Clients.connect(address(rt))) {
            Await.until(() -> h.opened.size() == 2, "both clients accepted");
            long t0 = System.nanoTime();
            a.getOutputStream().write("die\n".getBytes(StandardCharsets.US_ASCII));
            Await.until(grace.plusSeconds(4), rt::isTerminated, "the runtime terminated within the grace period after a worker died");
            long tookMillis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(tookMillis < grace.toMillis() + 4000, "terminated after " + tookMillis + " ms");
            RinglineException e = assertThrows(RinglineException.class, rt::awaitTermination);
            assertInstanceOf(InternalError.class, e.getCause(), "awaitTermination names the cause: " + e);
            assertTrue(e.getMessage().contains("simulated VM failure"), e.getMessage());
            RinglineException e2 = assertThrows(RinglineException.class, () -> rt.awaitTermination(Duration.ofSeconds(1)));
            assertSame(e.getCause(), e2.getCause());
            // both clients see their connection end
            for (Socket s : new Socket[] {a, b}) {
                assertClosedByServer(s, s.getInputStream());
            }
            Await.until(() -> h.closes.size() == 2, "every connection was closed");
        } finally {
            rt.close(); // idempotent, does not throw for a runtime that already died
        }
    }
}
