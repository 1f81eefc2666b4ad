package io.ringline.tests.tls;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Runtime;
import io.ringline.TlsConfig;
import io.ringline.TlsInfo;
import io.ringline.WorkerContext;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.EchoHandler;
import io.ringline.tests.support.OnWorker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLHandshakeException;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletionStage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ringline's own TLS client ({@link WorkerContext#connect(java.net.SocketAddress, TlsConfig, Duration)})
 * against a ringline TLS listener of the same runtime: ALPN, hostname verification, SNI.
 */
class TlsClientTest extends TlsBackendTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** Echoes on accepted connections; collects what outbound connections receive (by token). */
    static final class Both extends EchoHandler {
        volatile InetSocketAddress listener;
        final Map<Long, ByteArrayOutputStream> outbound = new ConcurrentHashMap<>();
        /** The SNI name each accepted connection's handshake showed. */
        final Queue<Optional<String>> acceptedServerNames = new ConcurrentLinkedQueue<>();

        Both() {
            super(Mode.PLAIN);
        }

        @Override
        public void onOpen(Connection c) {
            if (!c.localAddress().equals(listener)) {
                outbound.put(c.token(), new ByteArrayOutputStream());
            }
            super.onOpen(c);
        }

        @Override
        public void onTlsHandshake(Connection c) {
            if (!outbound.containsKey(c.token())) {
                acceptedServerNames.add(c.tls().orElseThrow().serverName());
            }
            super.onTlsHandshake(c);
        }

        @Override
        public int onData(Connection c, ByteBuffer data) {
            ByteArrayOutputStream got = outbound.get(c.token());
            if (got == null) {
                return super.onData(c, data);
            }
            byte[] b = new byte[data.remaining()];
            data.get(b);
            synchronized (got) {
                got.writeBytes(b);
            }
            return b.length;
        }

        String received(Connection c) {
            ByteArrayOutputStream got = outbound.get(c.token());
            synchronized (got) {
                return got.toString(StandardCharsets.US_ASCII);
            }
        }

        boolean outboundClosedWith(CloseReason reason) {
            return closes().stream().anyMatch(e -> e.reason() == reason && outbound.containsKey(e.token()));
        }
    }

    private static Runtime startBoth(TlsBackendTest test, TlsConfig server, Both h) {
        Runtime rt = test.startTls(server, w -> h);
        h.listener = address(rt);
        return rt;
    }

    private static CompletionStage<Connection> connect(Runtime rt, TlsConfig client) {
        WorkerContext w = rt.worker(0);
        return OnWorker.call(w, () -> w.connect(address(rt), client, CONNECT_TIMEOUT));
    }

    private static void exchange(Both h, Connection c, String text) {
        OnWorker.run(c.worker(), () -> c.send(text.getBytes(StandardCharsets.US_ASCII)));
        Await.until(() -> h.received(c).equals(text), () -> "echo of '" + text + "', got '" + h.received(c) + "'");
    }

    @ParameterizedTest
    @EnumSource(TlsProviders.class)
    void clientAndServerAgreeOnAlpnAndExchangeBytes(TlsProviders provider) throws Exception {
        Both h = new Both();
        try (Runtime rt = startBoth(this, provider.serverWithAlpn("h2", "http/1.1").build(), h)) {
            TlsConfig trusting = TlsConfig.clientTrusting(TlsProviders.file("server.crt")).applicationProtocols("h2", "http/1.1").build();
            Connection c = OnWorker.Stages.await(connect(rt, trusting));
            TlsInfo info = c.tls().orElseThrow(() -> new AssertionError("tls() empty when the connect completed"));
            assertEquals(Optional.of("h2"), info.applicationProtocol());
            assertTrue(h.events().stream().anyMatch(e -> e.token() == c.token() && e.what().equals("tls")),
                    "onTlsHandshake ran before the connect completed: " + h.events());
            X509Certificate server = assertInstanceOf(X509Certificate.class, info.peerCertificates().get(0));
            assertTrue(server.getSubjectX500Principal().getName().contains("CN=localhost"), server.getSubjectX500Principal().getName());
            exchange(h, c, "hello over TLS");

            TlsConfig http1 = TlsConfig.clientTrusting(TlsProviders.file("server.crt")).applicationProtocols("http/1.1").build();
            Connection c2 = OnWorker.Stages.await(connect(rt, http1));
            assertEquals(Optional.of("http/1.1"), c2.tls().orElseThrow().applicationProtocol());
            exchange(h, c2, "second");
        }
    }

    @Test
    void hostnameVerificationIsOnByDefault() throws Exception {
        Both h = new Both();
        try (Runtime rt = startBoth(this, TlsProviders.JDK.server().build(), h)) {
            Throwable failure = OnWorker.Stages.failure(connect(rt,
                    TlsConfig.clientTrusting(TlsProviders.file("server.crt")).serverName("wrong.example").build()));
            assertInstanceOf(SSLHandshakeException.class, failure, "a certificate for localhost is not one for wrong.example");
            Await.until(() -> h.outboundClosedWith(CloseReason.TLS_FAILED),
                    () -> "the client connection closed with TLS_FAILED: " + h.events());
            // the same name without hostname verification: the certificate itself is trusted
            Connection c = OnWorker.Stages.await(connect(rt, TlsConfig.clientTrusting(TlsProviders.file("server.crt"))
                    .serverName("wrong.example").hostnameVerification(false).build()));
            exchange(h, c, "unverified name");
        }
    }

    @Test
    void sniChoosesTheCertificate() throws Exception {
        Both h = new Both();
        TlsConfig server = TlsProviders.JDK.server().sni("other.example", TlsProviders.JDK.server("other").build()).build();
        try (Runtime rt = startBoth(this, server, h)) {
            Connection other = OnWorker.Stages.await(connect(rt,
                    TlsConfig.clientTrusting(TlsProviders.file("other.crt")).serverName("other.example").build()));
            assertEquals("CN=other.example", subject(other.tls().orElseThrow()));
            assertEquals(Optional.of("other.example"), other.tls().orElseThrow().serverName());
            exchange(h, other, "other");
            Connection plain = OnWorker.Stages.await(connect(rt, TlsConfig.clientTrusting(TlsProviders.file("server.crt")).build()));
            assertEquals("CN=localhost", subject(plain.tls().orElseThrow()));
            exchange(h, plain, "default");
            Connection unknown = OnWorker.Stages.await(connect(rt, TlsConfig.clientTrusting(TlsProviders.file("server.crt"))
                    .serverName("unknown.example").hostnameVerification(false).build()));
            assertEquals("CN=localhost", subject(unknown.tls().orElseThrow()), "a name without an SNI entry gets the default");
            // the server side saw the names asked for
            Await.until(() -> h.acceptedServerNames.size() == 3, () -> "three accepted handshakes: " + h.acceptedServerNames);
            // without a serverName the client asks for the host of the address as given: none for an IP
            // literal (OS sockets report one), the host name where the address carries one (testkit: localhost)
            String host = address(rt).getHostString();
            Optional<String> implicit = host.matches("[0-9.]+|.*:.*") ? Optional.empty() : Optional.of(host);
            assertEquals(List.of(Optional.of("other.example"), implicit, Optional.of("unknown.example")),
                    List.copyOf(h.acceptedServerNames), "the names the server saw");
        }
    }

    private static String subject(TlsInfo info) {
        return ((X509Certificate) info.peerCertificates().get(0)).getSubjectX500Principal().getName();
    }
}
