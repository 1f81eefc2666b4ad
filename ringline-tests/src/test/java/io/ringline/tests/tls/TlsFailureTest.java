package io.ringline.tests.tls;

import io.ringline.CloseReason;
import io.ringline.Runtime;
import io.ringline.TlsConfig;
import io.ringline.TlsHandshakeTimeoutException;
import io.ringline.WorkerStats;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.EchoHandler;
import io.ringline.tests.support.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** TLS failures close with {@link CloseReason#TLS_FAILED}, are counted, and leave the worker serving. */
class TlsFailureTest extends TlsBackendTest {

    /** Echoes one byte over a fresh TLS connection: the listener still serves. */
    private void assertServes(Runtime rt) throws IOException {
        try (TlsClient ok = connectTls(rt)) {
            ok.write(new byte[] {42});
            assertArrayEquals(new byte[] {42}, ok.readExactly(1), "the next connection is served");
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProviders.class)
    void aClientThatDistrustsTheCertificateFailsAndTheServerNamesTheAlert(TlsProviders provider) throws Exception {
        EchoHandler echo = EchoHandler.plain();
        try (Runtime rt = startTls(provider.server().build(), w -> echo)) {
            try (TlsClient client = connectTls(rt, TlsClient.Options.defaults().trusting("other.crt"))) {
                assertThrows(SSLHandshakeException.class, client::handshake);
            }
            Recorder.Event close = echo.awaitClose();
            assertEquals(CloseReason.TLS_FAILED, close.reason());
            SSLException cause = assertInstanceOf(SSLException.class, close.cause());
            String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT).replace('_', ' ');
            assertTrue(message.contains("certificate unknown"), "the cause names the client's alert: " + cause);
            Await.until(() -> sum(rt, WorkerStats::tlsFailures) == 1, () -> "tlsFailures 1, got " + sum(rt, WorkerStats::tlsFailures));
            assertEquals(0, sum(rt, WorkerStats::tlsHandshakes));
            assertServes(rt);
        }
    }

    @Test
    void plaintextInsteadOfAClientHelloIsClosedAtOnce() throws Exception {
        EchoHandler echo = EchoHandler.plain();
        try (Runtime rt = startTls(TlsProviders.JDK.server().build(), w -> echo)) {
            long start = System.nanoTime();
            try (Client raw = connect(rt)) {
                raw.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                raw.expectClosed(); // an alert may come first
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < TlsConfig.DEFAULT_HANDSHAKE_TIMEOUT.toMillis() / 4,
                    "closed after " + millis + " ms, not at once (handshake timeout " + TlsConfig.DEFAULT_HANDSHAKE_TIMEOUT + ")");
            Recorder.Event close = echo.awaitClose();
            assertEquals(CloseReason.TLS_FAILED, close.reason());
            assertInstanceOf(SSLException.class, close.cause());
            assertEquals(0, echo.events("data").size(), "no plaintext reached the handler");
            assertServes(rt);
            assertEquals(1, sum(rt, WorkerStats::tlsFailures));
        }
    }

    @Test
    void silentAndPartialClientHellosAreClosedAtTheHandshakeTimeout() throws Exception {
        Duration timeout = Duration.ofMillis(300);
        EchoHandler echo = EchoHandler.plain();
        try (Runtime rt = startTls(TlsProviders.JDK.server().handshakeTimeout(timeout).build(), w -> echo)) {
            // a TLS record header announcing a 512-byte ClientHello, then only its first bytes
            byte[] partial = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};
            for (byte[] sent : new byte[][] {new byte[0], partial}) {
                long start = System.nanoTime();
                try (Client raw = connect(rt)) {
                    raw.write(sent);
                    raw.expectClosed();
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(millis >= timeout.toMillis() - 50 && millis < timeout.toMillis() + 5_000,
                        "closed after " + millis + " ms, handshake timeout " + timeout + " (sent " + sent.length + " bytes)");
            }
            echo.awaitCloses(2);
            for (Recorder.Event close : echo.closes()) {
                assertEquals(CloseReason.TLS_FAILED, close.reason());
                assertInstanceOf(TlsHandshakeTimeoutException.class, close.cause());
            }
            assertEquals(2, sum(rt, WorkerStats::tlsFailures));
            assertServes(rt);
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProviders.class)
    void renegotiationIsRefused(TlsProviders provider) throws Exception {
        EchoHandler echo = EchoHandler.plain();
        try (Runtime rt = startTls(provider.server().build(), w -> echo);
             TlsClient client = connectTls(rt, TlsClient.Options.defaults().protocols("TLSv1.2"))) {
            client.write(new byte[] {1});
            assertArrayEquals(new byte[] {1}, client.readExactly(1));
            client.socket().startHandshake(); // TLS 1.2: a second handshake, a renegotiation
            assertThrows(IOException.class, () -> {
                client.write(new byte[] {2});
                fail("the renegotiation went through: read " + client.read());
            });
            Recorder.Event close = echo.awaitClose();
            // JDK: the runtime refuses it; BoringSSL refuses it itself (TlsEngineFactory)
            assertEquals(CloseReason.TLS_FAILED, close.reason(), "refused renegotiation: " + close.cause());
            assertEquals(1, sum(rt, WorkerStats::tlsFailures));
            assertEquals(1, sum(rt, WorkerStats::tlsHandshakes), "one handshake, not two");
        }
    }
}
