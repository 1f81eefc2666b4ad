package io.ringline.tests;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.RinglineException;
import io.ringline.Runtime;
import io.ringline.WorkerContext;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.EchoHandler;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.OncePerBackendTest;
import io.ringline.tests.support.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
class CallbackFailureTest extends OncePerBackendTest {

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
    static final class Thrower extends EchoHandler {
        final Where where;
        final Kind kind;
        final AtomicBoolean armed = new AtomicBoolean();
        final AtomicInteger thrown = new AtomicInteger();
        volatile Throwable lastThrown;

        Thrower(Where where, Kind kind) {
            super(Mode.PLAIN);
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
            super.onOpen(c);
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
            return super.onData(c, data);
        }

        @Override
        public void onWritable(Connection c) {
            maybeThrow(Where.ON_WRITABLE);
            super.onWritable(c);
        }

        @Override
        public void onInputClosed(Connection c) {
            maybeThrow(Where.ON_INPUT_CLOSED);
            super.onInputClosed(c);
        }

        @Override
        public void onClose(Connection c, CloseReason reason, Throwable cause) {
            super.onClose(c, reason, cause);
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
            try (Client a = connectWithSmallReceiveBuffer(rt, 4096)) {
                OutputStream out = a.output();
                InputStream in = a.input();
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
                    Recorder.Event close = h.awaitClose();
                    assertEquals(CloseReason.ERROR, close.reason(), "close reason of a connection whose " + where + " threw");
                    assertSame(h.lastThrown, close.cause(), "the cause is what the handler threw");
                    a.expectClosed();
                }
            }
            // The worker goes on: a fresh client is served by the same (only) worker.
            try (Client b = connect(rt)) {
                byte[] line = "still serving\n".getBytes(StandardCharsets.US_ASCII);
                b.output().write(line);
                assertArrayEquals(line, b.readExactly(line.length));
            }
            assertEquals("ran", OnWorker.call(rt.worker(0), () -> "ran"), "the worker loop still runs tasks");
            assertFalse(rt.isTerminated(), "the runtime is still running");
            assertEquals(1, h.thrown.get());
            // both connections, the failed one and the fresh one, were closed exactly once each
            h.awaitCloses(2);
            assertEquals(2, h.closes().size(), () -> "onClose called once per connection: " + h.names());
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

    /** Dies with a {@link VirtualMachineError} on the line "die". */
    static final class Dying extends EchoHandler {
        Dying() {
            super(Mode.PLAIN);
        }

        @Override
        public int onData(Connection c, ByteBuffer data) {
            if (data.get(data.position()) == 'd') {
                throw new InternalError("simulated VM failure in onData");
            }
            return super.onData(c, data);
        }
    }

    @Test
    void aDeadWorkerShutsTheRuntimeDownWithinTheGracePeriodAndAwaitTerminationReportsWhy() throws Exception {
        Dying h = new Dying();
        Duration grace = Duration.ofSeconds(1);
        Runtime rt = start(serverConfig().workers(2).shutdownGracePeriod(grace), w -> h);
        try (Client a = connect(rt); Client b = connect(rt)) {
            h.awaitOpens(2);
            long t0 = System.nanoTime();
            a.output().write("die\n".getBytes(StandardCharsets.US_ASCII));
            Await.until(grace.plusSeconds(4), rt::isTerminated, "the runtime terminated within the grace period after a worker died");
            long tookMillis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(tookMillis < grace.toMillis() + 4000, "terminated after " + tookMillis + " ms");
            RinglineException e = assertThrows(RinglineException.class, rt::awaitTermination);
            assertInstanceOf(InternalError.class, e.getCause(), "awaitTermination names the cause: " + e);
            assertTrue(e.getMessage().contains("simulated VM failure"), e.getMessage());
            RinglineException e2 = assertThrows(RinglineException.class, () -> rt.awaitTermination(Duration.ofSeconds(1)));
            assertSame(e.getCause(), e2.getCause());
            // both clients see their connection end
            for (Client s : new Client[] {a, b}) {
                s.expectClosed();
            }
            h.awaitCloses(2);
        } finally {
            rt.close(); // idempotent, does not throw for a runtime that already died
        }
    }
}
