package io.ringline.tests.tls;

import io.ringline.ClientAuth;
import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Runtime;
import io.ringline.TlsInfo;
import io.ringline.WorkerStats;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.EchoHandler;
import io.ringline.tests.support.Recorder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The TLS handshake of a listener with a JDK SSLSocket client: callbacks, {@link Connection#tls()}, counters, client auth. */
class TlsHandshakeTest extends TlsBackendTest {

    /** An echo that also checks, in each callback, what {@link Connection#tls()} shows. */
    static final class CheckingEcho extends EchoHandler {
        final Queue<String> problems = new ConcurrentLinkedQueue<>();

        CheckingEcho() {
            super(Mode.PLAIN);
        }

        @Override
        public void onOpen(Connection c) {
            if (!c.isTls()) {
                problems.add("isTls() false at onOpen");
            }
            if (c.tls().isPresent()) {
                problems.add("tls() present at onOpen, before the handshake: " + c.tls());
            }
            super.onOpen(c);
        }

        @Override
        public void onTlsHandshake(Connection c) {
            if (c.tls().isEmpty()) {
                problems.add("tls() empty in onTlsHandshake");
            }
            super.onTlsHandshake(c);
        }

        @Override
        public int onData(Connection c, ByteBuffer data) {
            if (c.tls().isEmpty()) {
                problems.add("tls() empty in onData");
            }
            return super.onData(c, data);
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProviders.class)
    void handshakeAndEchoOnTls13AndTls12(TlsProviders provider) throws Exception {
        CheckingEcho echo = new CheckingEcho();
        try (Runtime rt = startTls(provider.server().build(), w -> echo)) {
            int n = 0;
            for (String version : List.of("TLSv1.3", "TLSv1.2")) {
                byte[] msg = Bytes.random(new Random(n), 3000);
                TlsInfo info;
                try (TlsClient client = connectTls(rt, TlsClient.Options.defaults().protocols(version))) {
                    client.handshake();
                    assertEquals(version, client.socket().getSession().getProtocol());
                    client.write(msg);
                    assertArrayEquals(msg, client.readExactly(msg.length), version + " echo");
                    Connection c = echo.next();
                    info = c.tls().orElseThrow(() -> new AssertionError("tls() empty after the handshake"));
                    assertEquals(version, info.protocol());
                    assertEquals(client.socket().getSession().getCipherSuite(), info.cipherSuite());
                    assertEquals(Optional.empty(), info.applicationProtocol(), "no ALPN configured");
                    assertEquals(List.of(), info.peerCertificates(), "no client certificate was asked for");
                }
                n++;
                echo.awaitCloses(n);
            }
            assertEquals(List.of(), List.copyOf(echo.problems));
            for (Connection c : echo.connections()) {
                List<String> mine = echo.events().stream().filter(e -> e.token() == c.token())
                        .map(Recorder.Event::what).toList();
                assertEquals(List.of("open", "tls", "data"), mine.subList(0, 3), "callback order of " + mine);
                assertEquals(1, mine.stream().filter("tls"::equals).count(), "onTlsHandshake once: " + mine);
                assertEquals("close", mine.get(mine.size() - 1));
            }
            assertEquals(List.of(CloseReason.PEER_CLOSED, CloseReason.PEER_CLOSED), echo.closeReasons());
            Await.until(() -> sum(rt, WorkerStats::tlsHandshakes) == 2,
                    () -> "tlsHandshakes 2, got " + sum(rt, WorkerStats::tlsHandshakes));
            assertEquals(0, sum(rt, WorkerStats::tlsFailures), "tlsFailures");
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProviders.class)
    void alpnIsAgreedInTheServersPreference(TlsProviders provider) throws Exception {
        EchoHandler echo = EchoHandler.plain();
        try (Runtime rt = startTls(provider.serverWithAlpn("h2", "http/1.1").build(), w -> echo)) {
            for (String version : List.of("TLSv1.3", "TLSv1.2")) {
                try (TlsClient client = connectTls(rt, TlsClient.Options.defaults().protocols(version).alpn("http/1.1", "h2"))) {
                    client.handshake();
                    assertEquals("h2", client.socket().getApplicationProtocol(), version + ": the ALPN protocol the client sees");
                    client.write(new byte[] {5});
                    assertArrayEquals(new byte[] {5}, client.readExactly(1));
                    assertEquals(Optional.of("h2"), echo.next().tls().orElseThrow().applicationProtocol(), version);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProviders.class)
    void requiredClientCertificateIsVisibleAndItsAbsenceFails(TlsProviders provider) throws Exception {
        EchoHandler echo = EchoHandler.plain();
        try (Runtime rt = startTls(provider.serverTrustingClientCertificate().clientAuth(ClientAuth.REQUIRED).build(), w -> echo)) {
            try (TlsClient client = connectTls(rt, TlsClient.Options.defaults().clientCertificate())) {
                client.write(new byte[] {1, 2, 3});
                assertArrayEquals(new byte[] {1, 2, 3}, client.readExactly(3));
                TlsInfo info = echo.next().tls().orElseThrow();
                assertEquals(1, info.peerCertificates().size(), "the client's chain: " + info.peerCertificates());
                X509Certificate peer = assertInstanceOf(X509Certificate.class, info.peerCertificates().get(0));
                assertTrue(peer.getSubjectX500Principal().getName().contains("CN=ringline-test-client"),
                        peer.getSubjectX500Principal().getName());
            }
            echo.awaitCloses(1);
            try (TlsClient client = connectTls(rt)) {
                // TLS 1.3: the client may finish its side before the server refuses; the first read shows it
                IOException e = assertThrows(IOException.class, () -> {
                    client.handshake();
                    client.write(new byte[] {1});
                    int b = client.read();
                    fail("the server accepted a client without a certificate, read " + b);
                });
                assertTrue(e instanceof SSLException || e instanceof SocketException, e.toString());
            }
            echo.awaitCloses(2);
            Recorder.Event refused = echo.closes().get(1);
            assertEquals(CloseReason.TLS_FAILED, refused.reason());
            assertInstanceOf(SSLException.class, refused.cause());
            assertFalse(echo.events().stream().anyMatch(e -> e.token() == refused.token() && e.what().equals("tls")),
                    "no onTlsHandshake on a failed handshake");
            assertEquals(1, sum(rt, WorkerStats::tlsHandshakes));
            assertEquals(1, sum(rt, WorkerStats::tlsFailures));
            assertNotNull(refused.cause().getMessage());
        }
    }
}
