package io.ringline.internal;

import io.ringline.CloseReason;
import io.ringline.Config;
import io.ringline.TlsConfig;
import io.ringline.TlsHandshakeTimeoutException;
import io.ringline.internal.TlsSessionTest.Recorder;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How TLS failures close a connection: TLS_FAILED with the cause, the alert sent, the counter. */
class TlsFailureTest {

    private static final Config CONFIG = Config.builder().workers(1).build();

    @Test
    void garbageInsteadOfAClientHelloFailsAtOnceWithAnAlert() {
        Recorder h = new Recorder();
        TlsPeer p = TlsPeer.server(h).open();
        p.deliverRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
        p.pump();
        assertEquals(List.of("open", "close TLS_FAILED"), h.events);
        assertInstanceOf(SSLException.class, h.closeCause);
        assertTrue(p.written > 0, "the alert was written before the close");
        assertFalse(p.lastCloseReset);
        assertEquals(1, p.worker.stats().tlsFailures());
        assertEquals(0, p.worker.stats().tlsHandshakes());
    }

    @Test
    void aCorruptRecordAfterTheHandshakeSendsAnAlertAndFails() {
        Recorder h = new Recorder();
        TlsPeer p = TlsPeer.server(h).open();
        p.pump();
        long before = p.written;
        // A record header for 40 bytes of application data whose contents do not decrypt.
        byte[] bad = new byte[45];
        bad[0] = 23;
        bad[1] = 3;
        bad[2] = 3;
        bad[4] = 40;
        p.deliverRaw(bad);
        p.pump();
        assertEquals(CloseReason.TLS_FAILED, h.closeReason);
        assertInstanceOf(SSLException.class, h.closeCause);
        assertTrue(p.written > before, "an alert went out");
        assertNotNull(p.peerFailure, "the peer read the alert: " + p.peerFailure);
        assertEquals(1, p.worker.stats().tlsFailures());
    }

    @Test
    void renegotiationOnTls12IsRefused() throws Exception {
        Recorder h = new Recorder();
        TlsPeer p = TlsPeer.server(CONFIG, h, TlsConfig.server(TlsPeer.CERT, TlsPeer.KEY).protocols("TLSv1.2").build()).open();
        p.pump();
        assertEquals(List.of("open", "handshake TLSv1.2"), h.events);
        p.peer.beginHandshake(); // the client asks to renegotiate
        p.pump();
        assertEquals(CloseReason.TLS_FAILED, h.closeReason);
        assertInstanceOf(SSLException.class, h.closeCause);
        assertTrue(h.closeCause.getMessage().contains("TLS renegotiation refused"), h.closeCause.getMessage());
    }

    @Test
    void tls13KeyUpdatesAndTicketsAreNotRenegotiation() throws Exception {
        Recorder h = new Recorder();
        TlsPeer p = TlsPeer.server(h).open();
        p.pump();
        p.peer.beginHandshake(); // on TLS 1.3 the JDK sends a KeyUpdate
        p.peerSend("after key update".getBytes());
        p.pump();
        assertEquals(List.of("open", "handshake TLSv1.3", "data"), h.events);
        assertEquals("after key update", h.data.toString());
    }

    @Test
    void aHandshakeNotCompletedInTimeFailsWithTheTimeoutException() {
        Recorder h = new Recorder();
        TlsPeer p = TlsPeer.server(CONFIG, h, TlsConfig.server(TlsPeer.CERT, TlsPeer.KEY)
                .handshakeTimeout(Duration.ofMillis(50)).build()).open();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!p.conn.isClosed() && System.nanoTime() < deadline) {
            p.worker.runOnce(); // the client never speaks
            Thread.onSpinWait();
        }
        assertEquals(CloseReason.TLS_FAILED, h.closeReason);
        TlsHandshakeTimeoutException e = assertInstanceOf(TlsHandshakeTimeoutException.class, h.closeCause);
        assertTrue(e.getMessage().contains("127.0.0.1:40000") && e.getMessage().contains("PT0.05S"), e.getMessage());
        assertEquals(1, p.worker.stats().tlsFailures());
    }

    @Test
    void aCompletedHandshakeCancelsTheTimeout() {
        Recorder h = new Recorder();
        long opened = System.nanoTime();
        TlsPeer p = TlsPeer.server(CONFIG, h, TlsConfig.server(TlsPeer.CERT, TlsPeer.KEY)
                .handshakeTimeout(Duration.ofSeconds(1)).build()).open();
        p.pump();
        assertTrue(p.conn.tls().isPresent(), "handshake done well within the timeout");
        long until = opened + Duration.ofMillis(1300).toNanos(); // past the timeout
        while (System.nanoTime() < until) {
            p.worker.runOnce();
        }
        assertFalse(p.conn.isClosed());
    }

    @Test
    void endOfStreamDuringTheHandshakeFails() {
        Recorder h = new Recorder();
        TlsPeer p = TlsPeer.server(h).open();
        p.conn.inputEnded();
        p.pump();
        assertEquals(List.of("open", "close TLS_FAILED"), h.events);
        assertInstanceOf(SSLHandshakeException.class, h.closeCause);
    }

    @Test
    void abortSendsNoCloseNotify() {
        Recorder h = new Recorder();
        TlsPeer p = TlsPeer.server(h).open();
        p.pump();
        long before = p.written;
        p.conn.abort();
        p.pump();
        assertEquals(before, p.written);
        assertFalse(p.peerInboundClosed);
        assertEquals(CloseReason.LOCAL, h.closeReason);
    }

    @Test
    void aFailingOnTlsHandshakeClosesWithError() {
        Recorder h = new Recorder() {
            @Override
            public void onTlsHandshake(io.ringline.Connection c) {
                throw new IllegalStateException("boom");
            }
        };
        TlsPeer p = TlsPeer.server(h).open();
        p.pump();
        assertEquals(CloseReason.ERROR, h.closeReason);
        assertEquals("boom", h.closeCause.getMessage());
    }

    @Test
    void closingBeforeTheHandshakeDropsTheQueuedPlaintext() {
        Recorder h = new Recorder();
        TlsPeer p = TlsPeer.server(h).open();
        java.util.concurrent.CompletableFuture<Void> f = p.conn.sendAsync(ByteBuffer.wrap(new byte[10])).toCompletableFuture();
        p.conn.close();
        p.pump();
        assertTrue(p.conn.isClosed());
        assertTrue(f.isCompletedExceptionally());
        assertEquals(CloseReason.LOCAL, h.closeReason);
    }
}
