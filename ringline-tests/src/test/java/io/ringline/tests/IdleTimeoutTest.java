package io.ringline.tests;

import io.ringline.CloseReason;
import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Clients;
import io.ringline.tests.support.OnWorker;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A connection with no byte in either direction for its idle timeout is closed with IDLE_TIMEOUT. */
class IdleTimeoutTest extends BackendTest {

    static final Duration IDLE = Duration.ofMillis(300);

    /** Echoes; records opens and closes; optionally changes the idle timeout in onOpen, or queues bytes. */
    static final class Recorder implements Handler {
        final ConcurrentLinkedQueue<Connection> opened = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<CloseReason> closes = new ConcurrentLinkedQueue<>();
        volatile long closedAtNanos;
        final Duration override;
        final int sendOnOpen;

        Recorder(Duration override, int sendOnOpen) {
            this.override = override;
            this.sendOnOpen = sendOnOpen;
        }

        @Override
        public void onOpen(Connection c) {
            if (override != null) {
                c.setIdleTimeout(override);
            }
            if (sendOnOpen > 0) {
                c.send(new byte[sendOnOpen]);
            }
            opened.add(c);
        }

        @Override
        public int onData(Connection c, ByteBuffer data) {
            int n = data.remaining();
            c.send(data);
            return n;
        }

        @Override
        public void onClose(Connection c, CloseReason reason, Throwable cause) {
            closedAtNanos = System.nanoTime();
            closes.add(reason);
        }
    }

    @Test
    void aSilentConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        Recorder h = new Recorder(null, 0);
        try (Runtime rt = start(serverConfig().idleTimeout(IDLE), w -> h);
             Socket s = Clients.connect(address(rt))) {
            long start = System.nanoTime();
            Await.until(() -> h.opened.size() == 1, "accepted");
            assertEquals(IDLE, OnWorker.call(h.opened.peek().worker(), () -> h.opened.peek().idleTimeout()));
            assertEquals(-1, s.getInputStream().read(), "the server closed the idle connection cleanly");
            Await.until(() -> h.closes.size() == 1, "onClose");
            assertEquals(CloseReason.IDLE_TIMEOUT, h.closes.peek());
            long afterMs = (h.closedAtNanos - start) / 1_000_000;
            assertTrue(afterMs >= IDLE.toMillis() - 20, "closed after " + afterMs + " ms, before the idle timeout");
        }
    }

    @Test
    void trafficKeepsAConnectionOpenAndSilenceThenClosesIt() throws Exception {
        Recorder h = new Recorder(null, 0);
        Duration idle = Duration.ofMillis(800); // ten times the send interval: a loaded CI machine may stall the client
        try (Runtime rt = start(serverConfig().idleTimeout(idle), w -> h);
             Socket s = Clients.connect(address(rt))) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            // one byte every 80 ms for 3 idle periods: never idle for a whole period
            long end = System.nanoTime() + idle.multipliedBy(3).toNanos();
            while (System.nanoTime() < end) {
                out.write('x');
                assertEquals('x', in.read(), "echo while active");
                LockSupport.parkNanos(Duration.ofMillis(80).toNanos()); // the client's send interval, not a wait for an event
            }
            assertTrue(h.closes.isEmpty(), "an active connection stayed open, closes: " + h.closes);
            assertEquals(-1, in.read(), "closed once silent");
            Await.until(() -> h.closes.size() == 1, "onClose");
            assertEquals(CloseReason.IDLE_TIMEOUT, h.closes.peek());
        }
    }

    @Test
    void aConnectionCanTurnItsIdleTimeoutOff() throws Exception {
        Recorder h = new Recorder(Duration.ZERO, 0);
        try (Runtime rt = start(serverConfig().idleTimeout(Duration.ofMillis(100)), w -> h);
             Socket s = Clients.connect(address(rt))) {
            Await.until(() -> h.opened.size() == 1, "accepted");
            long end = System.nanoTime() + Duration.ofMillis(600).toNanos();
            while (System.nanoTime() < end) {
                assertTrue(h.closes.isEmpty(), "closed although its idle timeout is off: " + h.closes);
                LockSupport.parkNanos(10_000_000); // observing that nothing happens for six default periods
            }
            s.getOutputStream().write('y');
            assertEquals('y', s.getInputStream().read());
        }
    }

    @Test
    void aPeerThatStopsReadingIsResetWhenIdle() throws Exception {
        int queued = 8 << 20;
        Recorder h = new Recorder(null, queued);
        try (Runtime rt = start(serverConfig().sendQueueLimit(queued).idleTimeout(IDLE), w -> h);
             Socket s = Clients.connectWithSmallReceiveBuffer(address(rt), 8 * 1024)) {
            Await.until(() -> h.closes.size() == 1, "the stalled connection was closed");
            assertEquals(CloseReason.IDLE_TIMEOUT, h.closes.peek());
            byte[] b = new byte[64 * 1024];
            try {
                while (s.getInputStream().read(b) >= 0) {
                    // read what the kernel had buffered before the reset
                }
            } catch (SocketException reset) {
                return;
            }
            fail("clean end of stream although bytes were still queued: must be a reset");
        }
    }

    @Test
    void invalidTimeoutsAreRejectedWithTheValue() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Config.builder().idleTimeout(Duration.ofMillis(-5)));
        assertTrue(e.getMessage().contains("idleTimeout") && e.getMessage().contains("-0.005"), e.getMessage());
        Recorder h = new Recorder(null, 0);
        try (Runtime rt = start(serverConfig(), w -> h); Socket s = Clients.connect(address(rt))) {
            Await.until(() -> h.opened.size() == 1, "accepted");
            Connection c = h.opened.peek();
            assertEquals(Duration.ZERO, OnWorker.call(c.worker(), c::idleTimeout), "off by default");
            assertThrows(IllegalStateException.class, () -> c.setIdleTimeout(IDLE), "off the worker thread");
            IllegalArgumentException neg = assertThrows(IllegalArgumentException.class,
                    () -> OnWorker.run(c.worker(), () -> c.setIdleTimeout(Duration.ofSeconds(-1))));
            assertTrue(neg.getMessage().contains("-1"), neg.getMessage());
        }
    }
}
