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
    static class Recorder implements Handler {
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

    @Test
    void sendAsyncCompletesOnlyOnceTheCiphertextHoldingItWasWritten() {
        Recorder h = new Recorder();
        h.echo = false;
        TlsPeer p = TlsPeer.server(h).open();
        p.pump();
        p.writable = false;
        java.util.concurrent.CompletableFuture<Void> first = p.conn.sendAsync(ByteBuffer.wrap(random(1000, 1))).toCompletableFuture();
        java.util.concurrent.CompletableFuture<Void> second = p.conn.sendAsync(ByteBuffer.wrap(random(30_000, 2))).toCompletableFuture();
        int[] released = {0};
        ByteBuffer owned = ByteBuffer.allocateDirect(500);
        p.conn.sendOwned(owned, b -> released[0]++);
        p.pump(); // encrypted, nothing written
        long cipher = p.conn.outbound().bytes();
        assertTrue(cipher > 31_500, "all encrypted ahead: " + cipher);
        assertEquals(31_500, p.conn.pendingSendBytes(), "pendingSendBytes counts plaintext until its ciphertext was written");
        assertFalse(first.isDone());
        p.writable = true;
        p.writeSize = () -> 7; // odd pieces
        while (!p.conn.outbound().isEmpty()) {
            p.flush();
            if (!first.isDone()) {
                assertEquals(31_500, p.conn.pendingSendBytes(), "nothing finished before the first send's ciphertext was written");
            }
            if (!second.isDone()) {
                assertEquals(0, released[0], "the owned buffer goes after the second send");
            }
        }
        assertTrue(first.isDone() && second.isDone());
        assertEquals(1, released[0], "the owned buffer is released once its ciphertext was written");
        assertEquals(0, p.conn.pendingSendBytes());
        p.pump();
        byte[] got = p.takePeerReceived();
        assertEquals(31_500, got.length);
    }

    @Test
    void eachSendCompletesExactlyWhenTheLastCiphertextByteOfItsRecordsIsWritten() {
        Recorder h = new Recorder();
        h.echo = false;
        TlsPeer p = TlsPeer.server(h).open();
        p.pump();
        p.writable = false;
        int sends = 20;
        List<java.util.concurrent.CompletableFuture<Void>> done = new ArrayList<>();
        List<Long> cipherAfter = new ArrayList<>();
        for (int i = 0; i < sends; i++) {
            done.add(p.conn.sendAsync(ByteBuffer.wrap(random(1 + i * 997, i))).toCompletableFuture());
            p.worker.runOnce(); // encrypt this send now: its records end where the ciphertext queue ends
            cipherAfter.add(p.conn.outbound().bytes());
        }
        p.writable = true;
        p.writeSize = () -> 13;
        long base = p.written;
        while (!p.conn.outbound().isEmpty()) {
            p.flush();
            long written = p.written - base;
            for (int i = 0; i < sends; i++) {
                assertEquals(written >= cipherAfter.get(i), done.get(i).isDone(),
                        "send " + i + " after " + written + " ciphertext bytes (its records end at " + cipherAfter.get(i) + ")");
            }
        }
    }

    @Test
    void oneMebibyteEachWay() {
        Recorder h = new Recorder();
        TlsPeer p = TlsPeer.server(io.ringline.Config.builder().workers(1).sendQueueLimit(4 << 20).build(), h,
                io.ringline.TlsConfig.server(TlsPeer.CERT, TlsPeer.KEY).build()).open();
        Random r = new Random(7);
        p.readSize = () -> 1 + r.nextInt(70_000);
        p.writeSize = () -> 1 + r.nextInt(100_000);
        p.pump();
        byte[] msg = random(1 << 20, 3);
        p.peerSend(msg);
        p.pump();
        assertArrayEquals(msg, h.data.toByteArray());
        assertArrayEquals(msg, p.takePeerReceived());
        assertEquals(0, p.conn.pendingSendBytes());
    }

    @Test
    void sendReceivedCopiesTheDecryptedBytes() {
        Handler h = new Handler() {
            @Override
            public int onData(Connection c, ByteBuffer d) {
                int n = d.remaining();
                c.sendReceived(d);
                return n;
            }
        };
        TlsPeer p = TlsPeer.server(h).open();
        p.pump();
        p.peerSend("abc".getBytes());
        p.pump();
        assertArrayEquals("abc".getBytes(), p.takePeerReceived());
        assertEquals(1, p.worker.stats().copiedSends());
        assertEquals(0, p.worker.stats().passThroughSends());
    }

    @Test
    void aClientConnectionCompletesItsStageAfterTheHandshake() {
        Recorder h = new Recorder();
        h.sendOnOpen = "request".getBytes();
        TlsPeer p = TlsPeer.client(io.ringline.Config.builder().workers(1).build(), h,
                io.ringline.TlsConfig.clientTrusting(TlsPeer.CERT).build(), "localhost").open();
        assertFalse(p.stage.isDone());
        p.pump();
        assertTrue(p.stage.isDone() && !p.stage.isCompletedExceptionally());
        assertEquals(List.of("open", "handshake TLSv1.3"), h.events);
        assertEquals(java.util.Optional.of("localhost"), p.conn.tls().orElseThrow().serverName());
        assertEquals(1, p.conn.tls().orElseThrow().peerCertificates().size(), "the server's certificate");
        assertArrayEquals("request".getBytes(), p.takePeerReceived());
    }

    @Test
    void aClientRefusesACertificateForAnotherName() {
        Recorder h = new Recorder();
        TlsPeer p = TlsPeer.client(io.ringline.Config.builder().workers(1).build(), h,
                io.ringline.TlsConfig.clientTrusting(TlsPeer.CERT).serverName("other.example").build(), "other.example").open();
        p.pump();
        assertTrue(p.stage.isCompletedExceptionally());
        assertEquals(CloseReason.TLS_FAILED, h.closeReason);
        assertTrue(h.closeCause instanceof javax.net.ssl.SSLHandshakeException, String.valueOf(h.closeCause));
        assertEquals(List.of("open", "close TLS_FAILED"), h.events);
        assertEquals(1, p.worker.stats().tlsFailures());
    }

    @Test
    void shutdownOutputSendsCloseNotifyThenTheFin() {
        Recorder h = new Recorder();
        h.echo = false;
        TlsPeer p = TlsPeer.server(h).open();
        p.pump();
        p.conn.send("last".getBytes());
        p.conn.shutdownOutput();
        assertEquals(0, p.shutdowns, "not before the plaintext and close_notify were written");
        p.pump();
        assertEquals(1, p.shutdowns);
        assertArrayEquals("last".getBytes(), p.takePeerReceived());
        assertTrue(p.peerInboundClosed);
        p.peerSend("still reading".getBytes());
        p.pump();
        assertArrayEquals("still reading".getBytes(), h.data.toByteArray(), "TLS 1.3: the input stays open");
    }

    @Test
    void endOfStreamAfterTheHandshakeWithoutCloseNotifyIsStillTheEndOfStream() {
        Recorder h = new Recorder();
        TlsPeer p = TlsPeer.server(h).open();
        p.pump();
        p.conn.inputEnded();
        p.pump();
        assertEquals(List.of("open", "handshake TLSv1.3", "inputClosed", "close PEER_CLOSED"), h.events);
    }
}
