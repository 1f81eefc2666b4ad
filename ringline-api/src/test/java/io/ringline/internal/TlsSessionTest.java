package io.ringline.internal;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Handler;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core's TLS layer on one connection against a JDK engine in memory ({@link TlsPeer}):
 * handshake, echo over any split of the ciphertext, plaintext sent before the handshake, close.
 */
class TlsSessionTest {

    /** Records callbacks; echoes what it receives if {@link #echo}. */
    static final class Recorder implements Handler {
        final List<String> events = new ArrayList<>();
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        boolean echo = true;
        CloseReason closeReason;
        Throwable closeCause;
        byte[] sendOnOpen;

        @Override
        public void onOpen(Connection c) {
            events.add("open");
            if (sendOnOpen != null) {
                c.send(sendOnOpen);
            }
        }

        @Override
        public void onTlsHandshake(Connection c) {
            events.add("handshake " + c.tls().orElseThrow().protocol());
        }

        @Override
        public int onData(Connection c, ByteBuffer d) {
            if (events.isEmpty() || !events.getLast().equals("data")) {
                events.add("data");
            }
            int n = d.remaining();
            byte[] b = new byte[n];
            d.get(d.position(), b);
            data.writeBytes(b);
            if (echo) {
                c.send(b);
            }
            return n;
        }

        @Override
        public void onInputClosed(Connection c) {
            events.add("inputClosed");
            c.close();
        }

        @Override
        public void onClose(Connection c, CloseReason reason, Throwable cause) {
            events.add("close " + reason);
            closeReason = reason;
            closeCause = cause;
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void handshakeThenEchoThenCloseNotify() throws Exception {
        Recorder h = new Recorder();
        TlsPeer p = TlsPeer.server(h).open();
        assertTrue(p.conn.isTls());
        assertTrue(p.conn.tls().isEmpty(), "no TlsInfo before the handshake");
        p.pump();
        assertEquals(List.of("open", "handshake TLSv1.3"), h.events);
        assertEquals(1, p.worker.stats().tlsHandshakes());
        byte[] msg = "hello over tls".getBytes();
        p.peerSend(msg);
        p.pump();
        assertArrayEquals(msg, h.data.toByteArray());
        assertArrayEquals(msg, p.takePeerReceived());
        p.conn.close();
        p.pump();
        assertTrue(p.peerInboundClosed, "the peer got close_notify");
        assertEquals(1, p.closes);
        assertFalse(p.lastCloseReset);
        assertEquals(CloseReason.LOCAL, h.closeReason);
        assertTrue(p.worker.stats().bytesOut() > msg.length, "bytesOut counts ciphertext");
        assertEquals(p.written, p.worker.stats().bytesOut());
    }

    @Test
    void echoesEveryByteWhateverTheSplitsOfTheCiphertext() throws Exception {
        for (int readSize : new int[] {1, 3, 7, 100, 4096, 17000}) {
            Random r = new Random(readSize);
            Recorder h = new Recorder();
            TlsPeer p = TlsPeer.server(h).open();
            p.readSize = () -> 1 + r.nextInt(readSize);
            p.writeSize = () -> 1 + r.nextInt(2 * readSize + 10);
            p.pump();
            byte[] msg = random(70_000, readSize);
            ByteArrayOutputStream echoed = new ByteArrayOutputStream();
            for (int off = 0; off < msg.length; ) {
                int n = Math.min(msg.length - off, 1 + r.nextInt(20_000));
                byte[] part = new byte[n];
                System.arraycopy(msg, off, part, 0, n);
                p.peerSend(part);
                off += n;
                p.pump();
                echoed.writeBytes(p.takePeerReceived());
            }
            assertArrayEquals(msg, h.data.toByteArray(), "read size " + readSize);
            assertArrayEquals(msg, echoed.toByteArray(), "read size " + readSize);
        }
    }

    @Test
    void plaintextSentBeforeTheHandshakeArrivesAfterIt() throws Exception {
        Recorder h = new Recorder();
        h.sendOnOpen = "early".getBytes();
        TlsPeer p = TlsPeer.server(h).open();
        assertEquals(5, p.conn.pendingSendBytes(), "queued as plaintext");
        p.pump();
        assertArrayEquals("early".getBytes(), p.takePeerReceived());
        assertEquals(0, p.conn.pendingSendBytes());
    }

    @Test
    void peerCloseNotifyIsTheEndOfStream() throws Exception {
        Recorder h = new Recorder();
        TlsPeer p = TlsPeer.server(h).open();
        p.pump();
        p.peer.closeOutbound();
        p.pump();
        assertEquals(List.of("open", "handshake TLSv1.3", "inputClosed", "close PEER_CLOSED"), h.events);
        assertTrue(p.peerInboundClosed, "our close_notify answered");
        assertNotNull(p.conn.tls().orElseThrow().cipherSuite());
    }
}
