package io.ringline.tests;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.ConnectionClosedException;
import io.ringline.Runtime;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.EchoHandler;
import io.ringline.tests.support.Recorder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Half-close in both directions, and a peer's reset. */
class HalfCloseTest extends BackendTest {

    private static final int REPLY_TAIL = 200 * 1024;

    @Test
    void peerHalfCloseStillGetsTheWholeReplyThenEndOfStream() throws Exception {
        AtomicBoolean openInOnInputClosed = new AtomicBoolean();
        Recorder h = new Recorder() {
            final ByteArrayOutputStream request = new ByteArrayOutputStream();

            @Override
            public int onData(Connection c, ByteBuffer data) {
                super.onData(c, data);
                byte[] b = new byte[data.remaining()];
                data.get(b);
                request.writeBytes(b);
                return b.length;
            }

            @Override
            public void onInputClosed(Connection c) {
                openInOnInputClosed.set(c.isOpen());
                byte[] req = request.toByteArray();
                byte[] reversed = new byte[req.length];
                for (int i = 0; i < req.length; i++) {
                    reversed[i] = req[req.length - 1 - i];
                }
                c.send(reversed);
                byte[] tail = new byte[REPLY_TAIL];
                Bytes.fillPattern(tail, 0);
                c.send(tail);
                super.onInputClosed(c); // records it and closes
            }
        };
        byte[] request = "request".getBytes(StandardCharsets.US_ASCII);
        try (Runtime rt = start(serverConfig().workers(1), w -> h);
             Client s = connect(rt)) {
            s.output().write(request);
            s.shutdownOutput();
            byte[] reply = s.readToEof();
            assertEquals("tseuqer", new String(reply, 0, request.length, StandardCharsets.US_ASCII));
            assertEquals(request.length + REPLY_TAIL, reply.length, "the whole reply arrives before end of stream");
            Bytes.checkPattern(Arrays.copyOfRange(reply, request.length, reply.length), REPLY_TAIL, 0);
            Recorder.Event close = h.awaitClose();
            assertEquals(CloseReason.PEER_CLOSED, close.reason());
            assertNull(close.cause(), "PEER_CLOSED has no cause");
            assertTrue(openInOnInputClosed.get(), "the connection is still open in onInputClosed");
            List<String> ev = h.names();
            assertEquals(List.of("inputClosed", "close:PEER_CLOSED"), ev.subList(ev.size() - 2, ev.size()), "events " + ev);
            assertEquals(1, h.events("inputClosed").size(), "onInputClosed once: " + ev);
        }
    }

    @Test
    void defaultOnInputClosedClosesWithPeerClosed() throws Exception {
        EchoHandler h = EchoHandler.plain();
        try (Runtime rt = start(serverConfig(), w -> h);
             Client s = connect(rt)) {
            s.write("abc".getBytes());
            s.shutdownOutput();
            assertArrayEquals("abc".getBytes(), s.readToEof());
            assertEquals(CloseReason.PEER_CLOSED, h.awaitClose().reason());
        }
    }

    /** A client closing with SO_LINGER 0 sends a RST: the server reports RESET with the error as cause. */
    @Test
    void peerResetWhileIdleIsReportedAsReset() throws Exception {
        Recorder h = new Recorder();
        try (Runtime rt = start(serverConfig(), w -> h)) {
            Client s = connect(rt);
            s.write(1);
            Await.until(() -> h.events("data").size() == 1, "server consumed the byte");
            s.reset();
            Recorder.Event close = h.awaitClose();
            assertEquals(CloseReason.RESET, close.reason(), () -> "close reason (cause " + close.cause() + ")");
            assertNotNull(close.cause(), "RESET comes with the error as cause");
        }
    }

    /** A reset while the server is streaming to the peer (its writes fail): RESET with a cause. */
    @Test
    void peerResetWhileServerSendsIsReportedAsReset() throws Exception {
        Recorder h = new Recorder() {
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
                super.onWritable(c);
                pump(c);
            }
        };
        try (Runtime rt = start(serverConfig().sendQueueLimit(256 * 1024), w -> h)) {
            Client s = connectWithSmallReceiveBuffer(rt, 8 * 1024);
            InputStream in = s.input();
            byte[] buf = new byte[64 * 1024];
            // Read until the server's queue drained once (it keeps sending), then reset.
            while (h.events("writable").isEmpty()) {
                if (in.read(buf) < 0) {
                    throw new AssertionError("server closed the stream early; events " + h.names());
                }
            }
            s.reset();
            Recorder.Event close = h.awaitClose();
            assertEquals(CloseReason.RESET, close.reason(), () -> "close reason (cause " + close.cause() + ")");
            assertNotNull(close.cause(), "RESET comes with the error as cause");
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
        List<String> openState = new CopyOnWriteArrayList<>();
        Recorder h = new Recorder() {
            @Override
            public void onOpen(Connection c) {
                byte[] b = new byte[size];
                Bytes.fillPattern(b, 0);
                c.send(b);
                c.shutdownOutput();
                c.shutdownOutput(); // idempotent
                try {
                    c.send(new byte[] {1});
                    sendAfterShutdown.set("send after shutdownOutput succeeded");
                } catch (ConnectionClosedException e) {
                    sendAfterShutdown.set("refused");
                }
                openState.add("open=" + c.isOpen());
                super.onOpen(c);
            }

            @Override
            public int onData(Connection c, ByteBuffer data) {
                synchronized (received) {
                    byte[] b = new byte[data.remaining()];
                    data.get(b);
                    received.writeBytes(b);
                    openState.add("data:open=" + c.isOpen());
                    return b.length;
                }
            }
        };
        try (Runtime rt = start(serverConfig(), w -> h);
             Client s = connect(rt)) {
            byte[] got = s.readToEof();
            assertEquals(size, got.length, "every queued byte arrives before end of stream");
            Bytes.checkPattern(got, size, 0);
            assertEquals("refused", sendAfterShutdown.get());
            s.write("after".getBytes());
            Await.until(() -> {
                synchronized (received) {
                    return received.size() == 5;
                }
            }, "server still receives after shutting down its output");
            synchronized (received) {
                assertEquals("after", received.toString(StandardCharsets.US_ASCII));
            }
            assertEquals(List.of(), h.closes(), "still open");
            s.shutdownOutput();
            assertEquals(CloseReason.PEER_CLOSED, h.awaitClose().reason(), "server closed after our half-close");
            assertEquals(List.of("open=true", "data:open=true"), openState.subList(0, 2));
        }
    }
}
