package io.ringline.bench.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringline.internal.PemFiles;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Netty peers over TLS: every transport with both providers, against the JDK's TLS client. */
class NettyTlsTest {
    static final Path CERT = Path.of("../testdata/tls/server.crt");
    static final Path KEY = Path.of("../testdata/tls/server.key");
    static final Path OTHER_CERT = Path.of("../testdata/tls/other.crt");

    static Stream<Arguments> matrix() {
        return Stream.of(NettyTransport.values()).flatMap(t -> Stream.of(NettyTls.Provider.values())
                .map(p -> Arguments.of(t, p)));
    }

    static NettyTransport.Server start(String kind, NettyTransport t, NettyTls.Provider p) throws Exception {
        if (!t.isAvailable()) { // the TLS rows of bench/compare.sh run every transport: no skipping here
            fail(t + " unavailable: " + t.unavailabilityCause());
        }
        return NettyServers.start(kind, t, 0, 1, "pooled", 1024 * 1024, NettyTls.serverContext(CERT, KEY, p));
    }

    static SSLSocket connect(NettyTransport.Server s, SSLContext client, String protocol) throws Exception {
        SSLSocket sock = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", s.port());
        sock.setSoTimeout(5000);
        sock.setTcpNoDelay(true);
        sock.setEnabledProtocols(new String[] {protocol});
        sock.startHandshake();
        return sock;
    }

    @ParameterizedTest
    @MethodSource("matrix")
    void echoOverTls13And12(NettyTransport t, NettyTls.Provider p) throws Exception {
        try (var s = start("echo", t, p)) {
            assertEquals(p.label(), s.tlsProvider());
            assertTrue(s.describe("echo").contains("\"tls\":\"" + p.label() + "\""), s.describe("echo"));
            for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
                try (SSLSocket sock = connect(s, PemFiles.clientContext(CERT), protocol)) {
                    assertEquals(protocol, sock.getSession().getProtocol());
                    byte[] msg = new byte[200_000];
                    new Random(protocol.hashCode()).nextBytes(msg);
                    OutputStream out = sock.getOutputStream();
                    Thread w = Thread.ofVirtual().start(() -> {
                        try {
                            out.write(msg);
                            out.flush();
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    });
                    InputStream in = sock.getInputStream();
                    assertArrayEquals(msg, in.readNBytes(msg.length));
                    w.join();
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("matrix")
    void httpPlaintextOverTls(NettyTransport t, NettyTls.Provider p) throws Exception {
        try (var s = start("http", t, p); HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).sslContext(PemFiles.clientContext(CERT))
                .connectTimeout(Duration.ofSeconds(5)).build()) {
            URI uri = URI.create("https://localhost:" + s.port() + "/plaintext");
            for (int i = 0; i < 3; i++) { // keep-alive over the one TLS connection
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals("Hello, World!", r.body());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("matrix")
    void respOverTls(NettyTransport t, NettyTls.Provider p) throws Exception {
        try (var s = start("resp", t, p); SSLSocket sock = connect(s, PemFiles.clientContext(CERT), "TLSv1.3")) {
            sock.getOutputStream().write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv1\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String expected = "+OK\r\n$2\r\nv1\r\n";
            assertEquals(expected, new String(sock.getInputStream().readNBytes(expected.length()),
                    StandardCharsets.US_ASCII));
        }
    }

    @ParameterizedTest
    @MethodSource("matrix")
    void clientNotTrustingTheCertificateFailsTheHandshake(NettyTransport t, NettyTls.Provider p) throws Exception {
        try (var s = start("echo", t, p)) {
            assertThrows(SSLHandshakeException.class, () -> connect(s, PemFiles.clientContext(OTHER_CERT), "TLSv1.3"));
        }
    }

    @ParameterizedTest
    @MethodSource("matrix")
    void serverPicksTheSuiteByTheJdkDefaultOrderWithTheJdkProvider(NettyTransport t, NettyTls.Provider p)
            throws Exception {
        // the client prefers AES-128; a server with the JDK's order (AES-256 first) overrides it, like a
        // ringline server on a plain SSLContext: the TLS rows compare the same cipher
        String[] clientOrder = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"};
        try (var s = start("echo", t, p);
                SSLSocket sock = (SSLSocket) PemFiles.clientContext(CERT).getSocketFactory()
                        .createSocket("127.0.0.1", s.port())) {
            sock.setSoTimeout(5000);
            sock.setEnabledProtocols(new String[] {"TLSv1.3"});
            sock.setEnabledCipherSuites(clientOrder);
            sock.startHandshake();
            String jdkFirst = java.util.Arrays.stream(NettyTls.jdkDefaultCipherSuites())
                    .filter(java.util.List.of(clientOrder)::contains).findFirst().orElseThrow();
            if (p == NettyTls.Provider.JDK) {
                assertEquals(jdkFirst, sock.getSession().getCipherSuite());
            } else {
                assertTrue(java.util.List.of(clientOrder).contains(sock.getSession().getCipherSuite()));
            }
        }
    }

    @Test
    void badOptionsNameTheValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> NettyTls.Provider.parse("gnutls"));
        assertTrue(e.getMessage().contains("gnutls") && e.getMessage().contains("jdk|openssl"), e.getMessage());
        var missing = assertThrows(IllegalArgumentException.class,
                () -> NettyTls.serverContext(Path.of("no-such.crt"), KEY, NettyTls.Provider.JDK));
        assertTrue(missing.getMessage().contains("no-such.crt"), missing.getMessage());
    }

    @Test
    void openSslProviderLoadsHere() {
        assertEquals(NettyTls.Provider.OPENSSL, NettyTls.Provider.fastestAvailable(),
                "netty-tcnative-boringssl-static must load on linux-x86_64");
    }
}
