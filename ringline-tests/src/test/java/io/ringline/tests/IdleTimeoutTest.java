package io.ringline.tests;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Runtime;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.EchoHandler;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.OncePerBackendTest;
import io.ringline.tests.support.Recorder;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A connection with no byte in either direction for its idle timeout is closed with IDLE_TIMEOUT. */
class IdleTimeoutTest extends OncePerBackendTest {

    static final Duration IDLE = Duration.ofMillis(300);

    /** The echo, changing the idle timeout in onOpen ({@code override}, if not null) and queuing {@code sendOnOpen} bytes. */
    private static EchoHandler echo(Duration override, int sendOnOpen) {
        return new EchoHandler(EchoHandler.Mode.PLAIN) {
            @Override
            public void onOpen(Connection c) {
                if (override != null) {
                    c.setIdleTimeout(override);
                }
                if (sendOnOpen > 0) {
                    c.send(new byte[sendOnOpen]);
                }
                super.onOpen(c);
            }
        };
    }

    @Test
    void aSilentConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        EchoHandler h = echo(null, 0);
        try (Runtime rt = start(serverConfig().idleTimeout(IDLE), w -> h);
             Client s = connect(rt)) {
            long start = System.nanoTime();
            Connection c = h.next();
            assertEquals(IDLE, OnWorker.call(c.worker(), c::idleTimeout));
            assertEquals(-1, s.read(), "the server closed the idle connection cleanly");
            Recorder.Event close = h.awaitClose();
            assertEquals(CloseReason.IDLE_TIMEOUT, close.reason());
            long afterMs = (close.nanos() - start) / 1_000_000;
            assertTrue(afterMs >= IDLE.toMillis() - 20, "closed after " + afterMs + " ms, before the idle timeout");
        }
    }

    @Test
    void trafficKeepsAConnectionOpenAndSilenceThenClosesIt() throws Exception {
        EchoHandler h = echo(null, 0);
        Duration idle = Duration.ofMillis(800); // ten times the send interval: a loaded CI machine may stall the client
        try (Runtime rt = start(serverConfig().idleTimeout(idle), w -> h);
             Client s = connect(rt)) {
            OutputStream out = s.output();
            InputStream in = s.input();
            // one byte every 80 ms for 3 idle periods: never idle for a whole period
            long end = System.nanoTime() + idle.multipliedBy(3).toNanos();
            while (System.nanoTime() < end) {
                out.write('x');
                assertEquals('x', in.read(), "echo while active");
                LockSupport.parkNanos(Duration.ofMillis(80).toNanos()); // the client's send interval, not a wait for an event
            }
            assertEquals(List.of(), h.closeReasons(), "an active connection stayed open");
            assertEquals(-1, in.read(), "closed once silent");
            assertEquals(CloseReason.IDLE_TIMEOUT, h.awaitClose().reason());
        }
    }

    @Test
    void aConnectionCanTurnItsIdleTimeoutOff() throws Exception {
        EchoHandler h = echo(Duration.ZERO, 0);
        try (Runtime rt = start(serverConfig().idleTimeout(Duration.ofMillis(100)), w -> h);
             Client s = connect(rt)) {
            h.next();
            long end = System.nanoTime() + Duration.ofMillis(600).toNanos();
            while (System.nanoTime() < end) {
                assertEquals(List.of(), h.closeReasons(), "closed although its idle timeout is off");
                LockSupport.parkNanos(10_000_000); // observing that nothing happens for six default periods
            }
            s.write('y');
            assertEquals('y', s.read());
        }
    }

    @Test
    void aPeerThatStopsReadingIsResetWhenIdle() throws Exception {
        int queued = 8 << 20;
        EchoHandler h = echo(null, queued);
        try (Runtime rt = start(serverConfig().sendQueueLimit(queued).idleTimeout(IDLE), w -> h);
             Client s = connectWithSmallReceiveBuffer(rt, 8 * 1024)) {
            assertEquals(CloseReason.IDLE_TIMEOUT, h.awaitClose().reason(), "the stalled connection was closed");
            s.expectReset(); // bytes were still queued: a reset, not a clean end of stream
        }
    }

    @Test
    void theIdleTimeoutIsOffByDefaultAndSetOnTheWorkerOnly() throws Exception {
        EchoHandler h = echo(null, 0);
        try (Runtime rt = start(serverConfig(), w -> h); Client s = connect(rt)) {
            Connection c = h.next();
            assertEquals(Duration.ZERO, OnWorker.call(c.worker(), c::idleTimeout), "off by default");
            assertThrows(IllegalStateException.class, () -> c.setIdleTimeout(IDLE), "off the worker thread");
            IllegalArgumentException neg = assertThrows(IllegalArgumentException.class,
                    () -> OnWorker.run(c.worker(), () -> c.setIdleTimeout(Duration.ofSeconds(-1))));
            assertTrue(neg.getMessage().contains("-1"), neg.getMessage());
        }
    }
}
