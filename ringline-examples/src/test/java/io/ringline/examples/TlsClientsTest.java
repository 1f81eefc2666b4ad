package io.ringline.examples;

import io.netty.handler.ssl.OpenSsl;
import io.ringline.WorkerStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example servers serving TLS ({@code --tls-cert/--tls-key}) in-process, on each backend with
 * each provider ({@code --tls-provider jdk|openssl}), driven by real clients: {@code openssl
 * s_client}, {@code curl}, {@code redis-cli}, {@code redis-benchmark} and the JDK's HttpClient.
 * The clients verify the server against {@code testdata/tls/server.crt} where they can (else
 * {@code --insecure}, as a user with a self-signed certificate runs them).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsClientsTest {

    static final Path CERT = Path.of("../testdata/tls/server.crt");
    static final Path KEY = Path.of("../testdata/tls/server.key");
    private static final String HELLO = "Hello, World!";

    private ExampleServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Every backend with every provider. */
    static Stream<Arguments> backendsAndProviders() {
        List<Arguments> all = new ArrayList<>();
        for (String backend : Backends.names()) {
            for (String provider : List.of("jdk", "openssl")) {
                all.add(Arguments.of(backend, provider));
            }
        }
        return all.stream();
    }

    /** Starts example {@code kind} serving TLS with {@code provider} on {@code backend}; returns its port. */
    private int start(String kind, String backend, String provider) {
        Backends.assumeAvailable(backend);
        if (provider.equals("openssl")) {
            assertTrue(OpenSsl.isAvailable(), "netty-tcnative is a dependency of the examples, BoringSSL must load: "
                    + OpenSsl.unavailabilityCause());
        }
        server = ExampleServer.start(kind, backend, List.of("--port", "0", "--workers", "1", "--host", "127.0.0.1",
                "--tls-cert", CERT.toString(), "--tls-key", KEY.toString(), "--tls-provider", provider));
        assertEquals(backend, server.runtime().backendName());
        return server.address().getPort();
    }

    private long sum(ToLongFunction<WorkerStats> counter) {
        long n = 0;
        for (int w = 0; w < server.runtime().workerCount(); w++) {
            n += counter.applyAsLong(server.runtime().worker(w).stats());
        }
        return n;
    }

    /** The server completed {@code n} handshakes and failed none. */
    private void assertHandshakes(long n) {
        Await.until(() -> sum(WorkerStats::tlsHandshakes) >= n, () -> n + " TLS handshakes, counted "
                + sum(WorkerStats::tlsHandshakes));
        assertEquals(n, sum(WorkerStats::tlsHandshakes), "TLS handshakes");
        assertEquals(0, sum(WorkerStats::tlsFailures), "TLS failures");
    }

    /**
     * {@code openssl s_client} over TLS 1.3 and 1.2 verifies the certificate, gets its line (longer
     * than one TLS record) echoed, and offers ALPN, which the echo server does not answer.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndProviders")
    void opensslSClientEchoOverTls13And12(String backend, String provider) {
        int port = start("echo", backend, provider);
        Path openssl = Cli.require("openssl", "openssl");
        for (String version : List.of("TLSv1.3", "TLSv1.2")) {
            String option = version.equals("TLSv1.3") ? "-tls1_3" : "-tls1_2";
            try (Cli c = Cli.start(Cli.command(openssl, "s_client", "-connect", "127.0.0.1:" + port, option,
                    "-CAfile", CERT.toString(), "-verify_return_error", "-alpn", "echo"))) {
                String line = "hello over " + version + " " + "0123456789".repeat(2000) + "\n";
                c.write(line.getBytes(StandardCharsets.US_ASCII));
                c.awaitOutput(line);
                c.closeInput(); // s_client sends close_notify and exits
                c.awaitExit(0);
                String out = c.output();
                assertTrue(out.contains("New, " + version + ", Cipher is "), out);
                assertTrue(out.contains("Verify return code: 0 (ok)"), out);
                assertTrue(out.contains("No ALPN negotiated"), out);
            }
        }
        assertHandshakes(2);
    }

    /** {@code openssl s_client -alpn h2,http/1.1} gets {@code http/1.1} from the http example, then a response. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndProviders")
    void opensslSClientAlpnAgainstHttp(String backend, String provider) {
        int port = start("http", backend, provider);
        Path openssl = Cli.require("openssl", "openssl");
        try (Cli c = Cli.start(Cli.command(openssl, "s_client", "-connect", "127.0.0.1:" + port,
                "-CAfile", CERT.toString(), "-verify_return_error", "-alpn", "h2,http/1.1"))) {
            c.awaitOutput("ALPN protocol: ");
            c.write("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            c.awaitOutput(HELLO);
            c.closeInput();
            c.awaitExit(0);
            String out = c.output();
            assertTrue(out.contains("ALPN protocol: http/1.1"), out);
            assertTrue(out.contains("HTTP/1.1 200 OK\r\n"), out);
        }
        assertHandshakes(1);
    }

    /**
     * curl over TLS: default (ALPN h2 and http/1.1 offered, http/1.1 accepted), {@code --http1.1},
     * TLS 1.2 only, TLS 1.3 only (each {@code --insecure}), verifying against the certificate, and
     * two requests on one connection.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndProviders")
    void curlGetsPlaintext(String backend, String provider, @TempDir Path dir) throws Exception {
        int port = start("http", backend, provider);
        Path curl = Cli.require("curl", "curl");
        String url = "https://127.0.0.1:" + port + "/plaintext";
        record Case(String expect, List<String> options) {
        }
        List<Case> cases = List.of(
                new Case("ALPN: server accepted http/1.1", List.of("--insecure")),
                new Case("ALPN: server accepted http/1.1", List.of("--insecure", "--http1.1")),
                new Case("SSL connection using TLSv1.2", List.of("--insecure", "--tlsv1.2", "--tls-max", "1.2")),
                new Case("SSL connection using TLSv1.3", List.of("--insecure", "--tlsv1.3")),
                new Case("SSL certificate verify ok", List.of("--cacert", CERT.toString())));
        int n = 0;
        for (Case k : cases) {
            Path body = dir.resolve("body" + n++);
            List<String> cmd = Cli.command(curl, "--silent", "--show-error", "--verbose", "--max-time", "20",
                    "--fail", "--output", body.toString());
            cmd.addAll(k.options());
            cmd.add(url);
            String out = Cli.run(cmd);
            assertEquals(HELLO, Files.readString(body), out);
            assertTrue(out.contains(k.expect()), "expected '" + k.expect() + "' in:\n" + out);
            assertTrue(out.contains("< HTTP/1.1 200 OK"), out);
        }
        // two URLs, one connection: the second request reuses it
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        String out = Cli.run(Cli.command(curl, "--silent", "--show-error", "--verbose", "--max-time", "20", "--fail",
                "--cacert", CERT.toString(), url, "--output", first.toString(), url, "--output", second.toString()));
        assertEquals(HELLO, Files.readString(first), out);
        assertEquals(HELLO, Files.readString(second), out);
        assertTrue(out.contains("Re-using existing connection"), out);
        assertHandshakes(cases.size() + 1);
    }

    /**
     * The JDK's HttpClient trusting exactly {@code server.crt} (hostname verified against its
     * {@code IP:127.0.0.1} name) sends several requests on one connection; it offers h2 and
     * http/1.1 and the server's ALPN answer makes it speak HTTP/1.1.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndProviders")
    void jdkHttpClientKeepsOneConnection(String backend, String provider) throws Exception {
        int port = start("http", backend, provider);
        try (HttpClient client = HttpClient.newBuilder().sslContext(trusting(CERT))
                .connectTimeout(Duration.ofSeconds(10)).build()) {
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(
                                "https://127.0.0.1:" + port + "/plaintext")).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals(HELLO, r.body());
                assertEquals(HttpClient.Version.HTTP_1_1, r.version(), "ALPN chose http/1.1");
                assertEquals("13", r.headers().firstValue("content-length").orElseThrow());
            }
        }
        assertHandshakes(1);
        assertEquals(1, sum(WorkerStats::connectionsOpened), "one connection for the five requests");
    }

    /** redis-cli over TLS: PING, SET, GET; then redis-benchmark's SET and GET with 50 TLS clients. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndProviders")
    void redisCliAndBenchmarkOverTls(String backend, String provider) {
        int port = start("resp", backend, provider);
        Path cli = Cli.require("redis-cli", "redis-tools");
        Path benchmark = Cli.require("redis-benchmark", "redis-tools");
        String p = Integer.toString(port);
        assertEquals("PONG", Cli.run(Cli.command(cli, "--tls", "--insecure", "-h", "127.0.0.1", "-p", p, "PING")).strip());
        assertEquals("OK", Cli.run(Cli.command(cli, "--tls", "--cacert", CERT.toString(), "-h", "127.0.0.1", "-p", p,
                "SET", "greeting", "hello over tls")).strip());
        assertEquals("hello over tls", Cli.run(Cli.command(cli, "--tls", "--insecure", "-h", "127.0.0.1", "-p", p,
                "GET", "greeting")).strip());
        assertHandshakes(3);

        String out = Cli.run(Cli.command(benchmark, "--tls", "--insecure", "-h", "127.0.0.1", "-p", p,
                "-t", "set,get", "-n", "2000", "-q"));
        assertTrue(out.matches("(?s).*SET: [0-9.]+ requests per second.*"), out);
        assertTrue(out.matches("(?s).*GET: [0-9.]+ requests per second.*"), out);
        assertEquals(0, sum(WorkerStats::tlsFailures), "TLS failures");
    }

    /** {@return a client context trusting exactly the certificate in {@code pem}} */
    static SSLContext trusting(Path pem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            trust.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
