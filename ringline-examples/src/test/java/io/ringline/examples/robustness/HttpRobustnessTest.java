package io.ringline.examples.robustness;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Robustness of the HTTP example server (a child JVM, {@link ServerProcess}) on every backend:
 * oversized request lines and headers, garbage, and bodies whose length lies. Each request is sent
 * on its own connection, then the client half-closes: the server must answer with whole HTTP
 * responses ending in a 4xx (or just close) and close within 5 s, never hang; afterwards it answers
 * a fresh client, its fds come back and its RSS stayed bounded.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpRobustnessTest {

    /** Longest wait for more bytes or the close after the client half-closed. */
    static final Duration REPLY_TIMEOUT = Duration.ofSeconds(5);
    /** Random garbage inputs (seeded: {@code -Drobustness.seed=N} replays a run). */
    static final int GARBAGE_INPUTS = 200;

    private ServerProcess server;

    @AfterEach
    void killServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    /**
     * One hostile request.
     *
     * @param okThen200 the request is a valid GET whose body never fully arrives: its 200 may be the
     *                  last response (the server waits for the body, then sees the client's end of stream)
     * @param may5xx    a 5xx (505, 501) is a correct final answer too
     */
    record Probe(String name, byte[] request, boolean okThen200, boolean may5xx) {
        static Probe of(String name, String request) {
            return new Probe(name, request.getBytes(StandardCharsets.ISO_8859_1), false, false);
        }
    }

    static List<Probe> probes(long seed) {
        String get = "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        List<Probe> p = new ArrayList<>();
        p.add(Probe.of("request line of 64 KiB", "GET /" + "a".repeat(64 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
        p.add(Probe.of("4 MiB without a line end", "GET /" + "a".repeat(4 << 20)));
        p.add(Probe.of("header value of 1 MiB", get + "X-Big: " + "b".repeat(1 << 20) + "\r\n\r\n"));
        StringBuilder many = new StringBuilder(get);
        for (int i = 0; i < 20_000; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }
        p.add(Probe.of("20000 headers", many.append("\r\n").toString()));
        p.add(Probe.of("header without a colon", get + "NoColonHere\r\n\r\n"));
        p.add(Probe.of("two spaces in the request line", "GET  /plaintext HTTP/1.1\r\n\r\n"));
        p.add(Probe.of("no version", "GET /plaintext\r\n\r\n"));
        p.add(Probe.of("spaces only", "     \r\n\r\n"));
        p.add(Probe.of("NUL bytes", "G\0T /pl\0intext HTTP/1.1\r\n\r\n"));
        p.add(Probe.of("bare LF line ends", "GET /plaintext HTTP/1.1\nHost: x\n\n"));
        p.add(Probe.of("negative Content-Length", get + "Content-Length: -1\r\n\r\n"));
        p.add(Probe.of("non-numeric Content-Length", get + "Content-Length: abc\r\n\r\n"));
        p.add(Probe.of("Content-Length of 30 digits", get + "Content-Length: 123456789012345678901234567890\r\n\r\n"));
        p.add(Probe.of("two different Content-Lengths", get + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef"));
        p.add(Probe.of("Content-Length over the body limit", get + "Content-Length: 2000000000\r\n\r\nabc"));
        p.add(Probe.of("Content-Length smaller than the body",
                get + "Content-Length: 3\r\n\r\nabcXYZ garbage follows\r\n\r\n"));
        p.add(new Probe("Content-Length larger than the body",
                (get + "Content-Length: 100000\r\n\r\n0123456789").getBytes(StandardCharsets.ISO_8859_1), true, false));
        p.add(new Probe("Content-Length larger than the body, then a pipelined request",
                (get + "Content-Length: 100000\r\n\r\n0123456789" + get + "\r\n").getBytes(StandardCharsets.ISO_8859_1),
                true, false));
        Random r = new Random(seed);
        for (int i = 0; i < GARBAGE_INPUTS; i++) {
            byte[] g = new byte[1 + r.nextInt(16 * 1024)];
            r.nextBytes(g);
            if (r.nextBoolean()) {
                int at = r.nextInt(g.length);
                g[at] = '\r';
                if (at + 3 < g.length) {
                    g[at + 1] = '\n';
                    g[at + 2] = '\r';
                    g[at + 3] = '\n';
                }
            }
            p.add(new Probe("garbage #" + i + " (" + g.length + " random bytes)", g, false, true));
        }
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringline.examples.robustness.ServerProcess#backends")
    void hostileRequestsGetA4xxOrACloseNeverAHang(String backend) throws Exception {
        long seed = Long.getLong("robustness.seed", System.nanoTime());
        server = ServerProcess.start(backend, "http");
        int baseline = server.warmUpAndMeasureFds();
        String what = "oversized and malformed HTTP (seed " + seed + ")";
        List<Probe> probes = probes(seed);

        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger clientErrors = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        int lanes = 8;
        List<Thread> threads = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            int first = lane;
            threads.add(Thread.ofPlatform().daemon().start(() -> {
                for (int i = first; i < probes.size(); i += lanes) {
                    Probe probe = probes.get(i);
                    String problem = check(probe, clientErrors);
                    if (problem != null) {
                        failures.add(probe.name() + ": " + problem);
                    }
                }
                done.incrementAndGet();
            }));
        }
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(100));
        }
        assertEquals(lanes, done.get(), what + ": not every client finished within 100 s; failures: " + failures);
        if (!failures.isEmpty()) {
            fail(server.name() + " " + what + ": " + failures.size() + " request(s) went wrong:\n  "
                    + String.join("\n  ", failures.stream().limit(10).toList()) + "\nserver output:\n"
                    + server.outputTail(3000));
        }
        assertTrue(clientErrors.get() >= 15, what + ": only " + clientErrors.get()
                + " requests were answered with a 4xx: the probes do not reach the error paths");
        server.assertRecovered(what, baseline);
    }

    /** {@return null if the probe got whole responses ending in an accepted status (or none) and a close} */
    private String check(Probe probe, AtomicInteger clientErrors) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        boolean reset = false;
        try (Socket s = new Socket()) {
            s.connect(server.address(), 5000);
            s.setSoTimeout((int) REPLY_TIMEOUT.toMillis());
            // a separate writer: the server may answer and stop reading long before a large request is sent
            Thread writer = Thread.ofPlatform().daemon().start(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(probe.request());
                    out.flush();
                    s.shutdownOutput();
                } catch (IOException closedEarly) {
                    // the server closed or reset: the reader sees how
                }
            });
            try {
                InputStream in = s.getInputStream();
                byte[] buf = new byte[16 * 1024];
                long deadline = System.nanoTime() + 3 * REPLY_TIMEOUT.toNanos();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    got.write(buf, 0, n);
                    if (System.nanoTime() - deadline > 0) {
                        return "the server kept sending for " + 3 * REPLY_TIMEOUT.toSeconds() + " s without closing";
                    }
                }
            } catch (SocketTimeoutException e) {
                return "hang: no close within " + REPLY_TIMEOUT + " of the last byte (client " + (writer.isAlive()
                        ? "still writing: the server neither reads nor closes" : "half-closed") + "); got "
                        + RespFuzz.show(got.toByteArray());
            } catch (SocketException e) {
                reset = true; // a close, possibly cutting the response
            } finally {
                s.close();
                writer.join(Duration.ofSeconds(10));
            }
        } catch (IOException | InterruptedException e) {
            return "connect failed: " + e;
        }
        List<Integer> statuses = new ArrayList<>();
        String problem = parseResponses(got.toByteArray(), statuses);
        if (problem != null && !(reset && problem.startsWith("cut"))) {
            return problem + "; got " + RespFuzz.show(got.toByteArray());
        }
        if (statuses.isEmpty()) {
            return null; // closed without an answer
        }
        int last = statuses.getLast();
        if (last >= 400 && last < 500) {
            clientErrors.incrementAndGet();
            return null;
        }
        if ((probe.may5xx() && last >= 500 && last < 600) || (probe.okThen200() && last == 200)) {
            return null;
        }
        return "the responses' statuses are " + statuses + ": the last is not a 4xx";
    }

    /** Parses whole HTTP/1.1 responses (status line, headers, Content-Length body); {@return null or what is wrong} */
    static String parseResponses(byte[] b, List<Integer> statuses) {
        String text = new String(b, StandardCharsets.ISO_8859_1);
        int at = 0;
        while (at < text.length()) {
            int headEnd = text.indexOf("\r\n\r\n", at);
            if (headEnd < 0) {
                return "cut: the stream ends inside a response head at offset " + at;
            }
            String[] lines = text.substring(at, headEnd).split("\r\n");
            if (!lines[0].matches("HTTP/1\\.1 [1-5][0-9][0-9] .*")) {
                return "not an HTTP/1.1 status line at offset " + at + ": '" + lines[0] + "'";
            }
            statuses.add(Integer.parseInt(lines[0].substring(9, 12)));
            int length = 0;
            for (int i = 1; i < lines.length; i++) {
                String l = lines[i].toLowerCase(Locale.ROOT);
                if (l.startsWith("content-length:")) {
                    length = Integer.parseInt(l.substring(15).trim());
                }
            }
            at = headEnd + 4 + length;
            if (at > text.length()) {
                return "cut: the stream ends inside a response body";
            }
        }
        return null;
    }
}
