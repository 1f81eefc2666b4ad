package io.ringline.examples;

import io.ringline.Config;
import io.ringline.Runtime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP plaintext server in-process on every backend, driven by the JDK HttpClient and raw sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpServerTest {

    private static final String OK_PREFIX = "HTTP/1.1 200 OK\r\nServer: ringline\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 13\r\nDate: ";

    private Runtime runtime;

    private InetSocketAddress start(String backend) {
        return start(backend, HttpHandler.DEFAULT_REQUEST_TIMEOUT);
    }

    private InetSocketAddress start(String backend, Duration requestTimeout) {
        Backends.assumeAvailable(backend);
        Config config = Config.builder().backend(backend).workers(2).bind(new InetSocketAddress("127.0.0.1", 0)).build();
        runtime = Runtime.start(config, HttpHandler.factory(config.sendQueueLimit(), requestTimeout));
        assertEquals(backend, runtime.backendName());
        return runtime.boundAddresses().getFirst();
    }

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
            assertTrue(runtime.isTerminated());
        }
    }

    static List<String> backends() {
        return Backends.names();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void httpClient(String backend) throws Exception {
        InetSocketAddress a = start(backend);
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build()) {
            for (int i = 0; i < 3; i++) { // keep-alive: the client reuses the connection
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + a.getPort() + "/plaintext")).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals("Hello, World!", r.body());
                assertEquals("13", r.headers().firstValue("content-length").orElseThrow());
                assertEquals("text/plain", r.headers().firstValue("content-type").orElseThrow());
                assertEquals("ringline", r.headers().firstValue("server").orElseThrow());
                String date = r.headers().firstValue("date").orElseThrow();
                assertTrue(date.matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"), date);
                Instant when = ZonedDateTime.parse(date, HttpHandler.IMF_FIXDATE).toInstant();
                assertTrue(Math.abs(Duration.between(when, Instant.now()).toSeconds()) <= 5, date);
            }
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + a.getPort() + "/other")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, r.statusCode());
            assertEquals("", r.body());
            assertEquals("0", r.headers().firstValue("content-length").orElseThrow());
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void sixteenPipelinedRequestsInOrder(String backend) throws Exception {
        InetSocketAddress a = start(backend);
        try (Socket s = connect(a)) {
            StringBuilder req = new StringBuilder();
            for (int i = 0; i < 16; i++) {
                String path = i % 5 == 4 ? "/missing" + i : "/plaintext";
                req.append("GET ").append(path).append(" HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n");
            }
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            for (int i = 0; i < 16; i++) {
                String head = readHead(in);
                if (i % 5 == 4) {
                    assertTrue(head.startsWith("HTTP/1.1 404 Not Found\r\n"), head);
                    assertTrue(head.contains("\r\nContent-Length: 0\r\n"), head);
                } else {
                    assertTrue(head.startsWith(OK_PREFIX), head);
                    assertEquals("Hello, World!", new String(in.readNBytes(13), StandardCharsets.US_ASCII));
                }
            }
            // the connection is still open: one more request
            s.getOutputStream().write("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(readHead(in).startsWith(OK_PREFIX));
            assertEquals("Hello, World!", new String(in.readNBytes(13), StandardCharsets.US_ASCII));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void connectionCloseAndHttp10(String backend) throws Exception {
        InetSocketAddress a = start(backend);
        // Connection: close is honoured, requests after it are ignored
        String all = exchange(a, "GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                + "GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(2, count(all, "HTTP/1.1 200 OK"), all);
        assertTrue(all.endsWith("Connection: close\r\n\r\nHello, World!"), all);
        // close as one token of a list, in any case and with spaces around it
        all = exchange(a, "GET /plaintext HTTP/1.1\r\nHost: x\r\nConnection: Upgrade ,  CLOSE \t\r\n\r\n"
                + "GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(1, count(all, "HTTP/1.1 200 OK"), all);
        assertTrue(all.endsWith("Connection: close\r\n\r\nHello, World!"), all);
        // a token that only contains "close" is not it
        try (Socket s = connect(a)) {
            s.getOutputStream().write("GET /plaintext HTTP/1.1\r\nConnection: closed,x-close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String head = readHead(s.getInputStream());
            assertFalse(head.contains("Connection: close"), head);
            assertEquals("Hello, World!", new String(s.getInputStream().readNBytes(13), StandardCharsets.US_ASCII));
        }
        // HTTP/1.0 closes by default
        all = exchange(a, "GET /plaintext HTTP/1.0\r\n\r\n");
        assertEquals(1, count(all, "HTTP/1.1 200 OK"), all);
        assertTrue(all.contains("Connection: close\r\n"), all);
        // HTTP/1.0 with keep-alive stays open
        try (Socket s = connect(a)) {
            s.getOutputStream().write("GET /plaintext HTTP/1.0\r\nConnection: foo, Keep-Alive\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String head = readHead(s.getInputStream());
            assertTrue(head.contains("Connection: keep-alive\r\n"), head);
            assertEquals("Hello, World!", new String(s.getInputStream().readNBytes(13), StandardCharsets.US_ASCII));
            s.getOutputStream().write("GET /x HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(readHead(s.getInputStream()).startsWith("HTTP/1.1 404"));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void bodiesAreSkippedAndBadRequestsRejected(String backend) throws Exception {
        InetSocketAddress a = start(backend);
        try (Socket s = connect(a)) {
            String body = "x".repeat(5000);
            s.getOutputStream().write(("GET /plaintext HTTP/1.1\r\nContent-Length: 5000\r\n\r\n" + body
                    + "HEAD /plaintext HTTP/1.1\r\n\r\nPOST /plaintext HTTP/1.1\r\ncontent-length: 3\r\n\r\nabc"
                    + "GET /plaintext HTTP/1.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertTrue(readHead(in).startsWith(OK_PREFIX));
            assertEquals("Hello, World!", new String(in.readNBytes(13), StandardCharsets.US_ASCII));
            assertTrue(readHead(in).startsWith(OK_PREFIX)); // HEAD: no body
            assertTrue(readHead(in).startsWith("HTTP/1.1 405 Method Not Allowed\r\n"));
            assertTrue(readHead(in).startsWith(OK_PREFIX));
            assertEquals("Hello, World!", new String(in.readNBytes(13), StandardCharsets.US_ASCII));
        }
        assertTrue(exchange(a, "GET /plaintext HTTP/1.1\r\nX: " + "y".repeat(9000) + "\r\n\r\n")
                .startsWith("HTTP/1.1 431 "));
        assertTrue(exchange(a, "garbage\r\n\r\n").startsWith("HTTP/1.1 400 "));
        assertTrue(exchange(a, "GET / HTTP/1.1\r\nno colon\r\n\r\n").startsWith("HTTP/1.1 400 "));
        assertTrue(exchange(a, "GET / HTTP/2.0\r\n\r\n").startsWith("HTTP/1.1 505 "));
        assertTrue(exchange(a, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").startsWith("HTTP/1.1 501 "));
        assertTrue(exchange(a, "POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n").startsWith("HTTP/1.1 413 "));
        // still serving
        assertTrue(exchange(a, "GET /plaintext HTTP/1.0\r\n\r\n").startsWith(OK_PREFIX));
    }

    /** Malformed header lines that a lenient parser would misread (RFC 9112 sections 2.2, 5.1, 5.2) get 400 and a close. */
    @ParameterizedTest
    @MethodSource("backends")
    void ambiguousHeaderLinesAreRejected(String backend) throws Exception {
        InetSocketAddress a = start(backend);
        String[] bad = {
            "GET /plaintext HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello",  // whitespace before the colon
            "GET /plaintext HTTP/1.1\r\nX: a\r\n folded\r\n\r\n",        // obs-fold continuation line
            "GET /plaintext HTTP/1.1\r\nX: a\rY: b\r\n\r\n",               // CR without LF in a header
            "GET /plaintext HTTP/1.1\rX\r\n\r\n",                          // CR without LF in the request line
        };
        for (String request : bad) {
            String reply = exchange(a, request);
            assertTrue(reply.startsWith("HTTP/1.1 400 Bad Request\r\n") && reply.contains("Connection: close\r\n"),
                    request.replace("\r", "\\r").replace("\n", "\\n") + " -> " + reply);
        }
        assertTrue(exchange(a, "GET /plaintext HTTP/1.0\r\nX:  spaced value \r\n\r\n").startsWith(OK_PREFIX));
    }

    /**
     * A request head or body that does not fully arrive within the request timeout gets 408 and a
     * close; a keep-alive connection idle between requests for longer than that stays open.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void incompleteRequestsTimeOutIdleConnectionsDoNot(String backend) throws Exception {
        Duration timeout = Duration.ofMillis(500);
        InetSocketAddress a = start(backend, timeout);
        try (Socket idle = connect(a); Socket head = connect(a); Socket body = connect(a)) {
            idle.getOutputStream().write("GET /plaintext HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(readHead(idle.getInputStream()).startsWith(OK_PREFIX));
            assertEquals("Hello, World!", new String(idle.getInputStream().readNBytes(13), StandardCharsets.US_ASCII));

            long start = System.nanoTime();
            head.getOutputStream().write("GET /plaintext HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            body.getOutputStream().write("POST /plaintext HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"
                    .getBytes(StandardCharsets.US_ASCII));
            String headReply = new String(head.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(headReply.startsWith("HTTP/1.1 408 Request Timeout\r\n"), headReply);
            assertTrue(System.nanoTime() - start >= timeout.toNanos(), "timed out early");
            String bodyReply = new String(body.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(bodyReply.startsWith("HTTP/1.1 405 Method Not Allowed\r\n"), bodyReply);
            assertTrue(bodyReply.contains("HTTP/1.1 408 Request Timeout\r\n"), bodyReply);

            assertTrue(System.nanoTime() - start > timeout.toNanos());
            idle.getOutputStream().write("GET /plaintext HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(readHead(idle.getInputStream()).startsWith(OK_PREFIX), "the idle connection is still served");
        }
    }

    /** Sends {@code request}, half-closes, and reads until the server closes. */
    private static String exchange(InetSocketAddress a, String request) throws IOException {
        try (Socket s = connect(a)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /** Reads up to and including the empty line. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("end of stream after " + sb);
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    private static Socket connect(InetSocketAddress a) throws IOException {
        Socket s = new Socket();
        s.connect(a, 10_000);
        s.setSoTimeout(30_000);
        return s;
    }
}
