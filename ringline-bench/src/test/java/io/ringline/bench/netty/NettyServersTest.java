package io.ringline.bench.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringline.examples.resp.RespParser;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NettyServersTest {

    static NettyTransport.Server start(String kind, NettyTransport t) throws Exception {
        if (!t.isAvailable() && "1".equals(System.getenv("RINGLINE_REQUIRE_IOURING"))) {
            // CI on Linux: the benchmark peers must really run on every native transport.
            fail(t + " unavailable with RINGLINE_REQUIRE_IOURING=1: " + t.unavailabilityCause());
        }
        assumeTrue(t.isAvailable(), () -> t + " unavailable: " + t.unavailabilityCause());
        return NettyServers.start(kind, t, 0, 1, "pooled", 1024 * 1024);
    }

    static Socket connect(NettyTransport.Server s) throws Exception {
        Socket sock = new Socket("127.0.0.1", s.port());
        sock.setSoTimeout(5000);
        sock.setTcpNoDelay(true);
        return sock;
    }

    static byte[] readN(InputStream in, int n) throws Exception {
        byte[] b = in.readNBytes(n);
        assertEquals(n, b.length, "short read");
        return b;
    }

    static String readAll(InputStream in) throws Exception {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        in.transferTo(bos); // until the server closes
        return bos.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(NettyTransport.class)
    void echo(NettyTransport t) throws Exception {
        try (var s = start("echo", t); Socket sock = connect(s)) {
            byte[] msg = new byte[200_000];
            new Random(1).nextBytes(msg);
            OutputStream out = sock.getOutputStream();
            Thread w = Thread.ofVirtual().start(() -> {
                try {
                    out.write(msg);
                    out.flush();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertArrayEquals(msg, readN(sock.getInputStream(), msg.length));
            w.join();
        }
    }

    @ParameterizedTest
    @EnumSource(NettyTransport.class)
    void httpPlaintext(NettyTransport t) throws Exception {
        try (var s = start("http", t); HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build()) {
            URI base = URI.create("http://127.0.0.1:" + s.port());
            for (int i = 0; i < 3; i++) { // keep-alive: several requests
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/plaintext")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals("Hello, World!", r.body());
                assertEquals("13", r.headers().firstValue("content-length").orElseThrow());
                assertEquals("text/plain", r.headers().firstValue("content-type").orElseThrow());
                assertEquals("Netty", r.headers().firstValue("server").orElseThrow());
                assertNotNull(r.headers().firstValue("date").orElseThrow());
            }
            HttpResponse<String> nf = client.send(HttpRequest.newBuilder(base.resolve("/nope")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, nf.statusCode());
            assertEquals("", nf.body());
        }
    }

    @ParameterizedTest
    @EnumSource(NettyTransport.class)
    void httpPipelined(NettyTransport t) throws Exception {
        try (var s = start("http", t); Socket sock = connect(s)) {
            String req = "GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n";
            sock.getOutputStream().write((req.repeat(16)
                    + "GET /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String all = readAll(sock.getInputStream());
            assertEquals(17, all.split("HTTP/1.1 200 OK", -1).length - 1);
            assertEquals(17, all.split("Hello, World!", -1).length - 1);
        }
    }

    @ParameterizedTest
    @EnumSource(NettyTransport.class)
    void resp(NettyTransport t) throws Exception {
        try (var s = start("resp", t); Socket sock = connect(s)) {
            OutputStream out = sock.getOutputStream();
            InputStream in = sock.getInputStream();
            String pipeline = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nhello\r\n"
                    + "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"
                    + "PING\r\n"
                    + "*2\r\n$4\r\nMGET\r\n$4\r\nnone\r\n"
                    + "*2\r\n$4\r\nINCR\r\n$3\r\nkey\r\n"
                    + "*1\r\n$5\r\nHELLO\r\n";
            String expected = "+OK\r\n$5\r\nhello\r\n+PONG\r\n*1\r\n$-1\r\n"
                    + "-ERR value is not an integer or out of range\r\n-ERR unknown command 'HELLO'\r\n";
            byte[] bytes = pipeline.getBytes(StandardCharsets.US_ASCII);
            // send byte by byte for the first copy, then all at once
            for (byte b : bytes) {
                out.write(b);
                out.flush();
            }
            out.write(bytes);
            out.flush();
            String got = new String(readN(in, expected.length() * 2), StandardCharsets.US_ASCII);
            assertEquals(expected + expected, got);
        }
    }

    @ParameterizedTest
    @EnumSource(NettyTransport.class)
    void respProtocolErrorRepliesThenCloses(NettyTransport t) throws Exception {
        try (var s = start("resp", t)) {
            try (Socket sock = connect(s)) {
                sock.getOutputStream().write("PING\r\n*1\r\n$2000000\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("+PONG\r\n-ERR Protocol error: invalid bulk length\r\n", readAll(sock.getInputStream()));
            }
            try (Socket sock = connect(s)) {
                sock.getOutputStream().write("*99999999\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("-ERR Protocol error: invalid multibulk length\r\n", readAll(sock.getInputStream()));
            }
            try (Socket sock = connect(s)) {
                sock.getOutputStream().write("*1\r\n!x\r\n".getBytes(StandardCharsets.US_ASCII));
                assertTrue(readAll(sock.getInputStream()).startsWith("-ERR Protocol error"));
            }
            // the loop survived: a new connection still works
            try (Socket sock = connect(s)) {
                sock.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("+PONG\r\n", new String(readN(sock.getInputStream(), 7), StandardCharsets.US_ASCII));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(NettyTransport.class)
    void respLargeValueAcrossReads(NettyTransport t) throws Exception {
        try (var s = start("resp", t); Socket sock = connect(s)) {
            String value = "v".repeat(300_000);
            String cmd = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + value.length() + "\r\n" + value + "\r\n"
                    + "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
            sock.getOutputStream().write(cmd.getBytes(StandardCharsets.US_ASCII));
            String expected = "+OK\r\n$" + value.length() + "\r\n" + value + "\r\n";
            assertEquals(expected, new String(readN(sock.getInputStream(), expected.length()),
                    StandardCharsets.US_ASCII));
        }
        assertEquals(RespParser.DEFAULT_MAX_BULK, 512 * 1024 * 1024);
    }
}
