package io.ringline.tests;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.ConnectionClosedException;
import io.ringline.Handler;
import io.ringline.Runtime;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Clients;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Half-close in both directions, and a peer's reset. */
class HalfCloseTest extends BackendTest {

    /** Records close reasons and causes. */
    abstract static class Recording implements Handler {
        final List<String> events = new CopyOnWriteArrayList<>();
        final AtomicReference<CloseReason> reason = new AtomicReference<>();
        final AtomicReference<Throwable> cause = new AtomicReference<>();

        @Override
        public void onClose(Connection c, CloseReason r, Throwable t) {
            events.add("close:" + r);
            cause.set(t);
            reason.set(r);
        }
    }

    private static final int REPLY_TAIL = 200 * 1024;

    @Test
    void peerHalfCloseStillGetsTheWholeReplyThenEndOfStream() throws Exception {
        Recording h = new Recording() {
            final ByteArrayOutputStream request = new ByteArrayOutputStream();

            @Override
            public int onData(Connection c, ByteBuffer data) {
                events.add("data");
                byte[] b = new byte[data.remaining()];
                data.get(b);
                request.writeBytes(b);
                return b.length;
            }

            @Override
            public void onInputClosed(Connection c) {
                events.add("inputClosed:open=" + c.isOpen());
                byte[] req = request.toByteArray();
                byte[] reversed = new byte[req.length];
                for (int i = 0; i < req.length; i++) {
                    reversed[i] = req[req.length - 1 - i];
                }
                c.send(reversed);
                byte[] tail = new byte[REPLY_TAIL];
                Clients.fillPattern(tail, 0);
                c.send(tail);
                c.close();
            }
        };
        byte[] request = "request".getBytes(StandardCharsets.US_ASCII);
        try (Runtime rt = start(serverConfig().workers(1), w -> h);
             Socket s = Clients.connect(address(rt))) {
            s.getOutputStream().write(request);
            s.shutdownOutput();
            byte[] reply = Clients.readToEof(s.getInputStream());
            assertEquals("tseuqer", new String(reply, 0, request.length, StandardCharsets.US_ASCII));
            assertEquals(request.length + REPLY_TAIL, reply.length, "the whole reply arrives before end of stream");
            Clients.checkPattern(Arrays.copyOfRange(reply, request.length, reply.length), REPLY_TAIL, 0);
            Await.until(() -> h.reason.get() != null, "server saw the close");
            assertEquals(CloseReason.PEER_CLOSED, h.reason.get());
            assertNull(h.cause.get(), "PEER_CLOSED has no cause");
            List<String> ev = List.copyOf(h.events);
            assertEquals("inputClosed:open=true", ev.get(ev.size() - 2), "events " + ev);
            assertEquals("close:PEER_CLOSED", ev.get(ev.size() - 1), "events " + ev);
            assertEquals(1, ev.stream().filter(e -> e.startsWith("inputClosed")).count(), "onInputClosed once: " + ev);
        }
    }

    @Test
    void defaultOnInputClosedClosesWithPeerClosed() throws Exception {
        Recording h = new Recording() {
            @Override
            public int onData(Connection c, ByteBuffer data) {
                int n = data.remaining();
                c.send(data);
                return n;
            }
        };
        try (Runtime rt = start(serverConfig(), w -> h);
             Socket s = Clients.connect(address(rt))) {
            s.getOutputStream().write("abc".getBytes());
            s.shutdownOutput();
            assertArrayEquals("abc".getBytes(), Clients.readToEof(s.getInputStream()));
            Await.until(() -> h.reason.get() != null, "server saw the close");
            assertEquals(CloseReason.PEER_CLOSED, h.reason.get());
        }
    }

    /** A client closing with SO_LINGER 0 sends a RST: the server reports RESET with the error as cause. */
    @Test
    void peerResetWhileIdleIsReportedAsReset() throws Exception {
        AtomicLong received = new AtomicLong();
        Recording h = new Recording() {
            @Override
            public int onData(Connection c, ByteBuffer data) {
                received.addAndGet(data.remaining());
                return data.remaining();
            }
        };
        try (Runtime rt = start(serverConfig(), w -> h)) {
            Socket s = Clients.connect(address(rt));
            s.getOutputStream().write(1);
            Await.until(() -> received.get() == 1, "server consumed the byte");
            s.setSoLinger(true, 0);
            s.close();
            Await.until(() -> h.reason.get() != null, "server saw the reset");
            assertEquals(CloseReason.RESET, h.reason.get(), () -> "close reason (cause " + h.cause.get() + ")");
            assertNotNull(h.cause.get(), "RESET comes with the error as cause");
        }
    }

    /** A reset while the server is streaming to the peer (its writes fail): RESET with a cause. */
    @Test
    void peerResetWhileServerSendsIsReportedAsReset() throws Exception {
        AtomicInteger writables = new AtomicInteger();
        Recording h = new Recording() {
            final byte[] chunk = new byte[16 * 1024];

            @Override
            public void onOpen(Connection c) {
                pump(c);
            }

            private void pump(Connection c) {
                while (c.trySend(ByteBuffer.wrap(chunk))) {
                    // fill the queue
                }
            }

            @Override
            public void onWritable(Connection c) {
                writables.incrementAndGet();
                pump(c);
            }

            @Override
            public int onData(Connection c, ByteBuffer data) {
                return data.remaining();
            }
        };
        try (Runtime rt = start(serverConfig().sendQueueLimit(256 * 1024), w -> h)) {
            Socket s = Clients.connectWithSmallReceiveBuffer(address(rt), 8 * 1024);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            // Read until the server's queue drained once (it keeps sending), then reset.
            while (writables.get() == 0) {
                if (in.read(buf) < 0) {
                    throw new AssertionError("server closed the stream early; close reason " + h.reason.get());
                }
            }
            s.setSoLinger(true, 0);
            s.close();
            Await.until(() -> h.reason.get() != null, "server saw the reset");
            assertEquals(CloseReason.RESET, h.reason.get(), () -> "close reason (cause " + h.cause.get() + ")");
            assertNotNull(h.cause.get(), "RESET comes with the error as cause");
        }
    }

    /**
     * {@link Connection#shutdownOutput()}: the queued bytes are sent, then the client sees end of
     * stream, while the server still receives; sends after it fail.
     */
    @Test
    void localShutdownOutputSendsQueuedBytesThenEndOfStreamWhileStillReceiving() throws Exception {
        int size = 1 << 20;
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        AtomicReference<String> sendAfterShutdown = new AtomicReference<>();
        Recording h = new Recording() {
            @Override
            public void onOpen(Connection c) {
                byte[] b = new byte[size];
                Clients.fillPattern(b, 0);
                c.send(b);
                c.shutdownOutput();
                c.shutdownOutput(); // idempotent
                try {
                    c.send(new byte[] {1});
                    sendAfterShutdown.set("send after shutdownOutput succeeded");
                } catch (ConnectionClosedException e) {
                    sendAfterShutdown.set("refused");
                }
                events.add("open=" + c.isOpen());
            }

            @Override
            public int onData(Connection c, ByteBuffer data) {
                synchronized (received) {
                    byte[] b = new byte[data.remaining()];
                    data.get(b);
                    received.writeBytes(b);
                    events.add("data:open=" + c.isOpen());
                    return b.length;
                }
            }
        };
        try (Runtime rt = start(serverConfig(), w -> h);
             Socket s = Clients.connect(address(rt))) {
            byte[] got = Clients.readToEof(s.getInputStream());
            assertEquals(size, got.length, "every queued byte arrives before end of stream");
            Clients.checkPattern(got, size, 0);
            assertEquals("refused", sendAfterShutdown.get());
            OutputStream out = s.getOutputStream();
            out.write("after".getBytes());
            Await.until(() -> {
                synchronized (received) {
                    return received.size() == 5;
                }
            }, "server still receives after shutting down its output");
            synchronized (received) {
                assertEquals("after", received.toString(StandardCharsets.US_ASCII));
            }
            assertNull(h.reason.get(), "still open");
            s.shutdownOutput();
            Await.until(() -> h.reason.get() != null, "server closed after our half-close");
            assertEquals(CloseReason.PEER_CLOSED, h.reason.get());
            assertEquals("open=true", h.events.get(0));
            assertEquals("data:open=true", h.events.get(1));
        }
    }
}
