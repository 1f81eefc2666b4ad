package io.ringline.tests;

import io.ringline.CloseReason;
import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import io.ringline.TlsConfig;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A smoke test of TLS over real backends (the conformance suite for TLS is elsewhere): a TLS
 * listener echoes for a ringline TLS client on every spec, and for a JDK {@link SSLSocket} on the
 * backends with operating-system sockets.
 */
class TlsSmokeTest extends BackendTest {

    private static final Path CERT = Path.of("../testdata/tls/server.crt");
    private static final Path KEY = Path.of("../testdata/tls/server.key");

    /** Echoes plaintext; counts handshakes seen by the handler. */
    static final class TlsEcho implements Handler {
        final AtomicInteger handshakes = new AtomicInteger();
        final AtomicReference<CloseReason> closed = new AtomicReference<>();

        @Override
        public void onTlsHandshake(Connection c) {
            handshakes.incrementAndGet();
        }

        @Override
        public int onData(Connection c, ByteBuffer data) {
            int n = data.remaining();
            c.send(data);
            return n;
        }

        @Override
        public void onClose(Connection c, CloseReason reason, Throwable cause) {
            closed.set(reason);
        }
    }

    private Config.Builder tlsServer() {
        return clientConfig().bind(new InetSocketAddress("127.0.0.1", 0), TlsConfig.server(CERT, KEY).build());
    }

    @Test
    void ringlineClientAndServerEchoOverTls() throws Exception {
        TlsEcho echo = new TlsEcho();
        CompletableFuture<String> reply = new CompletableFuture<>();
        try (Runtime server = start(tlsServer(), w -> echo)) {
            InetSocketAddress at = new InetSocketAddress("localhost", address(server).getPort());
            Handler client = new Handler() {
                @Override
                public int onData(Connection c, ByteBuffer data) {
                    byte[] b = new byte[data.remaining()];
                    data.get(b);
                    reply.complete(new String(b, StandardCharsets.UTF_8));
                    c.close();
                    return b.length;
                }
            };
            try (Runtime rt = start(clientConfig(), w -> client)) {
                CompletableFuture<Connection> connected = new CompletableFuture<>();
                rt.worker(0).execute(() -> rt.worker(0).connect(at, TlsConfig.clientTrusting(CERT).build(), Duration.ofSeconds(5))
                        .whenComplete((c, e) -> {
                            if (e != null) {
                                connected.completeExceptionally(e);
                            } else {
                                c.send("ping".getBytes(StandardCharsets.UTF_8));
                                connected.complete(c);
                            }
                        }));
                Connection c = connected.get(10, TimeUnit.SECONDS);
                assertEquals("TLSv1.3", c.tls().orElseThrow().protocol());
                assertEquals("ping", reply.get(10, TimeUnit.SECONDS));
            }
            Await.until(() -> echo.closed.get() != null, "the server connection closed");
            assertEquals(1, echo.handshakes.get());
        }
    }

    @Test
    void jdkSslSocketIsServedWhereTheBackendHasOsSockets() throws Exception {
        if (!io.ringline.tests.support.Backends.hasOsSockets(spec)) {
            return; // the in-memory backend has no socket a JDK client could reach; the test above covers it
        }
        TlsEcho echo = new TlsEcho();
        try (Runtime server = start(tlsServer(), w -> echo)) {
            try (SSLSocket s = (SSLSocket) trusting().getSocketFactory().createSocket("localhost", address(server).getPort())) {
                s.startHandshake();
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                byte[] msg = new byte[100_000];
                new java.util.Random(1).nextBytes(msg);
                out.write(msg);
                out.flush();
                byte[] back = in.readNBytes(msg.length);
                assertArrayEquals(msg, back);
            }
            Await.until(() -> echo.closed.get() != null, "the server connection closed");
            assertEquals(1, echo.handshakes.get());
        }
    }

    private static SSLContext trusting() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(CERT)) {
            ks.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
