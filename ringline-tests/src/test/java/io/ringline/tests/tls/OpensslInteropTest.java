package io.ringline.tests.tls;

import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import io.ringline.TlsConfig;
import io.ringline.WorkerContext;
import io.ringline.spi.Capability;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.EchoHandler;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.Requires;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** openssl as the peer: {@code s_client} against a ringline listener, ringline's client against {@code s_server}. */
@Requires(value = Capability.OS_SOCKETS, why = "openssl processes connect over OS sockets")
class OpensslInteropTest extends TlsBackendTest {

    private static final List<String> VERSIONS = List.of("-tls1_3", "-tls1_2");

    @ParameterizedTest
    @EnumSource(TlsProviders.class)
    void opensslClientExchangesBytesWithAlpn(TlsProviders provider) throws Exception {
        EchoHandler echo = EchoHandler.plain();
        try (Runtime rt = startTls(provider.serverWithAlpn("h2", "http/1.1").build(), w -> echo)) {
            int port = address(rt).getPort();
            for (String version : VERSIONS) {
                try (OpensslProcess client = OpensslProcess.start("s_client", "-connect", "127.0.0.1:" + port, version,
                        "-alpn", "h2", "-CAfile", TlsProviders.file("server.crt").toString(), "-quiet", "-no_ign_eof")) {
                    String line = "hello from openssl " + version + "\n";
                    client.input().write(line.getBytes(StandardCharsets.US_ASCII));
                    client.input().flush();
                    client.awaitOutput(line);
                    Connection c = echo.next();
                    assertEquals(Optional.of("h2"), c.tls().orElseThrow().applicationProtocol(), version);
                    assertEquals(version.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2", c.tls().orElseThrow().protocol());
                    client.input().close(); // end of stdin: s_client closes the connection (close_notify)
                    assertEquals(0, client.awaitExit(Duration.ofSeconds(20)), "s_client exit code; stderr: " + client.errors());
                }
            }
            echo.awaitCloses(2);
        }
    }

    /** Collects what outbound connections receive. */
    static final class Collector implements Handler {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();

        @Override
        public synchronized int onData(Connection c, ByteBuffer data) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            got.writeBytes(b);
            return b.length;
        }

        synchronized String text() {
            return got.toString(StandardCharsets.US_ASCII);
        }

        synchronized void clear() {
            got.reset();
        }
    }

    private static final Pattern ACCEPT = Pattern.compile("ACCEPT .*:(\\d+)");

    @Test
    void ringlineClientTalksToOpensslServer() throws Exception {
        Collector h = new Collector();
        try (Runtime rt = start(clientConfig(), w -> h)) {
            for (String version : VERSIONS) {
                try (OpensslProcess server = OpensslProcess.start("s_server", "-cert", TlsProviders.file("server.crt").toString(),
                        "-key", TlsProviders.file("server.key").toString(), "-accept", "0", version, "-rev", "-naccept", "1")) {
                    server.awaitOutput("ACCEPT");
                    Matcher m = ACCEPT.matcher(server.output());
                    if (!m.find()) {
                        throw new AssertionError("no port in s_server's output: " + server.output());
                    }
                    InetSocketAddress remote = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(m.group(1)));
                    WorkerContext w = rt.worker(0);
                    TlsConfig tls = TlsConfig.clientTrusting(TlsProviders.file("server.crt")).build();
                    Connection c = OnWorker.Stages.await(OnWorker.call(w, () -> w.connect(remote, tls, Duration.ofSeconds(10))));
                    assertEquals(version.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2", c.tls().orElseThrow().protocol());
                    h.clear();
                    OnWorker.run(w, () -> c.send("ringline\n".getBytes(StandardCharsets.US_ASCII)));
                    Await.until(() -> h.text().contains("enilgnir"), () -> "s_server's reversed line, got '" + h.text()
                            + "'; s_server stderr: " + server.errors());
                    OnWorker.run(w, c::close);
                }
            }
        }
    }
}
