package io.ringline.examples.robustness;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
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
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Robustness of the RESP example server (a child JVM, {@link ServerProcess}) on every backend:
 * malformed input, an amplifying multibulk, slowloris, and SIGTERM under load. Every case ends
 * with {@link ServerProcess#assertRecovered} (alive, answers, fds back, RSS under
 * {@link ServerProcess#RSS_BOUND}) except the SIGTERM case, which checks the exit instead.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class RespRobustnessTest {

    /** Longest wait for a server's reply or close after the client has sent everything. */
    static final Duration REPLY_TIMEOUT = Duration.ofSeconds(5);

    private ServerProcess server;

    @AfterEach
    void killServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    // ------------------------------------------------------------------ 1. malformed RESP

    /** Inputs of the malformed-RESP case, each on its own connection (1 to 3 commands pipelined). */
    static final int FUZZ_INPUTS = 2000;

    /**
     * Thousands of random and mutated RESP inputs (seeded: {@code -Drobustness.seed=N} replays a run),
     * each on its own connection, then the client half-closes: the server must answer with whole RESP
     * replies (errors for what it cannot parse) and close, never hang.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringline.examples.robustness.ServerProcess#backends")
    void malformedInputGetsErrorsOrACloseNeverAHang(String backend) throws Exception {
        long seed = Long.getLong("robustness.seed", System.nanoTime());
        server = ServerProcess.start(backend, "resp", "--arena-mb", "4");
        int baseline = server.warmUpAndMeasureFds();
        String what = "malformed RESP (seed " + seed + ", replay with -Drobustness.seed=" + seed + ")";

        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger errorReplies = new AtomicInteger();
        AtomicInteger lanesDone = new AtomicInteger();
        int lanes = 16;
        List<Thread> threads = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            int first = lane;
            threads.add(Thread.ofPlatform().daemon().start(() -> {
                for (int i = first; i < FUZZ_INPUTS && failures.size() < 20; i += lanes) {
                    byte[] input = RespFuzz.input(new Random(seed * 31 + i));
                    String problem = sendAndCheck(input, errorReplies);
                    if (problem != null) {
                        failures.add("input #" + i + " (" + input.length + " bytes: " + RespFuzz.show(input) + "): "
                                + problem);
                    }
                }
                lanesDone.incrementAndGet();
            }));
        }
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(120));
        }
        assertEquals(lanes, lanesDone.get(), what + ": not every client finished within 120 s; failures: " + failures);
        if (!failures.isEmpty()) {
            fail(server.name() + " " + what + ": " + failures.size() + " connection(s) went wrong, e.g.:\n  "
                    + String.join("\n  ", failures.stream().limit(10).toList()) + "\nserver output:\n"
                    + server.outputTail(3000));
        }
        assertTrue(errorReplies.get() > FUZZ_INPUTS / 10, what + ": only " + errorReplies.get() + " of "
                + FUZZ_INPUTS + " inputs got an error reply: the inputs do not exercise the error paths");
        server.assertRecovered(what, baseline);
    }

    /**
     * Sends {@code input}, half-closes, reads until the server closes.
     *
     * @return null if the server sent whole RESP replies and closed within {@link #REPLY_TIMEOUT}
     */
    private String sendAndCheck(byte[] input, AtomicInteger errorReplies) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        boolean reset = false;
        try (Socket s = new Socket()) {
            s.connect(server.address(), 5000);
            s.setSoTimeout((int) REPLY_TIMEOUT.toMillis());
            try {
                OutputStream out = s.getOutputStream();
                out.write(input);
                out.flush();
                s.shutdownOutput();
            } catch (IOException closedEarly) {
                // the server closed while we were sending: what it sent before is still to be read
            }
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16 * 1024];
            long deadline = System.nanoTime() + 2 * REPLY_TIMEOUT.toNanos();
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
                if (System.nanoTime() - deadline > 0) {
                    return "the server kept sending for " + 2 * REPLY_TIMEOUT.toSeconds() + " s (" + got.size()
                            + " bytes) and did not close";
                }
            }
        } catch (SocketTimeoutException e) {
            return "hang: neither a close nor more bytes within " + REPLY_TIMEOUT + " after the client half-closed; got "
                    + got.size() + " bytes: " + RespFuzz.show(got.toByteArray());
        } catch (SocketException e) {
            reset = true; // a reset is a close (it may cut the last reply)
        } catch (IOException e) {
            return "connect/read failed: " + e;
        }
        RespReplyReader replies = new RespReplyReader(new ByteArrayInputStream(got.toByteArray()));
        try {
            Object reply;
            while ((reply = replies.next()) != null) {
                if (reply instanceof RespReplyReader.Error) {
                    errorReplies.incrementAndGet();
                }
            }
        } catch (RespReplyReader.Truncated t) {
            if (!reset) {
                return "the server closed in the middle of a reply: " + t.getMessage() + "; got "
                        + RespFuzz.show(got.toByteArray());
            }
        } catch (IOException malformed) {
            return "the server sent bytes that are not RESP: " + malformed.getMessage() + "; got "
                    + RespFuzz.show(got.toByteArray());
        }
        return null;
    }

    // ------------------------------------------------------------------ 2. amplifying multibulk, slowloris

    /** Connections of the amplification attack. */
    static final int ATTACKERS = 300;
    /** The announced array length: the largest the parser accepts (redis' limit, 1024 * 1024). */
    static final int ANNOUNCED = 1 << 20;

    /**
     * {@value #ATTACKERS} connections at once each announce {@code *1048576} and send up to 1048575
     * empty bulk strings ({@code $0\r\n\r\n}, 6 bytes each, so the request never completes): each
     * costs the server far more memory than the client sent if it keeps every argument. The server
     * must survive (alive, no OutOfMemoryError, RSS bounded, answers) and end every attacking
     * connection with an error reply or a close.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringline.examples.robustness.ServerProcess#backends")
    void amplifyingMultibulkIsCutOff(String backend) throws Exception {
        server = ServerProcess.start(backend, "resp", "--arena-mb", "4");
        int baseline = server.warmUpAndMeasureFds();
        String what = "amplifying multibulk (" + ATTACKERS + " x *" + ANNOUNCED + " of $0)";

        byte[] header = ("*" + ANNOUNCED + "\r\n").getBytes(StandardCharsets.US_ASCII);
        int perChunk = 65532 / 6;
        byte[] chunk = "$0\r\n\r\n".repeat(perChunk).getBytes(StandardCharsets.US_ASCII);
        Duration deadline = Duration.ofSeconds(30);
        long end = System.nanoTime() + deadline.toNanos();

        String[] outcome = new String[ATTACKERS];
        Socket[] sockets = new Socket[ATTACKERS];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < ATTACKERS; i++) {
            int id = i;
            threads.add(Thread.ofPlatform().daemon().start(() -> outcome[id] = attack(id, sockets, header, chunk, perChunk, end)));
        }
        // until every attacker has its outcome, or the server died, ran out of memory or stopped answering
        // (a fresh client probed every 2 s, 5 s allowed): then waiting longer is useless
        long[] nextProbe = {System.nanoTime()};
        ServerProcess.awaitTrue(deadline, () -> {
            if (threads.stream().noneMatch(Thread::isAlive) || !server.isAlive()
                    || server.output().contains("OutOfMemoryError")) {
                return true;
            }
            if (System.nanoTime() - nextProbe[0] > 0) {
                nextProbe[0] = System.nanoTime() + 2_000_000_000L;
                return !server.answersFreshClient(Duration.ofSeconds(5));
            }
            return false;
        });
        // a writer blocked because the server stopped reading without closing: unblock it by closing
        for (Socket s : sockets) {
            if (s != null) {
                s.close();
            }
        }
        long joinEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Thread t : threads) {
            t.join(Duration.ofNanos(Math.max(1, joinEnd - System.nanoTime())));
        }
        List<String> bad = new ArrayList<>();
        int errors = 0;
        int closes = 0;
        for (int i = 0; i < ATTACKERS; i++) {
            String o = outcome[i] == null ? "no error and no close when the attack ended (" + deadline.toSeconds()
                    + " s at most): the client was still blocked writing or reading" : outcome[i];
            if (o.startsWith("error")) {
                errors++;
            } else if (o.startsWith("closed")) {
                closes++;
            } else {
                bad.add("connection " + i + ": " + o);
            }
        }
        server.assertNoOutOfMemory(what);
        if (!bad.isEmpty()) {
            fail(server.name() + " " + what + ": " + bad.size() + " of " + ATTACKERS
                    + " attacking connections were neither answered with an error nor closed (" + errors + " errors, "
                    + closes + " closes), e.g.:\n  " + String.join("\n  ", bad.subList(0, Math.min(5, bad.size())))
                    + "\nserver output:\n" + server.outputTail(3000));
        }
        server.assertRecovered(what, baseline);
    }

    /** One attacking connection; {@return "error ...", "closed ..." or what else happened} */
    private String attack(int id, Socket[] sockets, byte[] header, byte[] chunk, int perChunk, long end) {
        try (Socket s = new Socket()) {
            sockets[id] = s;
            s.connect(server.address(), 10_000);
            OutputStream out = s.getOutputStream();
            long sent = 0;
            String writeEnd = "sent all " + (ANNOUNCED - 1) + " elements";
            try {
                out.write(header);
                while (sent + perChunk < ANNOUNCED) {
                    out.write(chunk);
                    sent += perChunk;
                }
                out.flush();
            } catch (IOException e) {
                writeEnd = "write failed after " + sent + " elements (" + e.getMessage() + ")";
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            try {
                while (got.size() < 4096) {
                    long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                    if (left <= 0) {
                        return "no error reply and no close by the deadline; " + writeEnd;
                    }
                    s.setSoTimeout((int) left);
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    got.write(buf, 0, n);
                    if (got.toString(StandardCharsets.ISO_8859_1).contains("\r\n")) {
                        break;
                    }
                }
            } catch (SocketTimeoutException e) {
                return "no error reply and no close by the deadline; " + writeEnd;
            } catch (IOException e) {
                return got.size() == 0 ? "closed (" + e.getMessage() + "); " + writeEnd
                        : replyOutcome(got, writeEnd);
            }
            return got.size() == 0 ? "closed; " + writeEnd : replyOutcome(got, writeEnd);
        } catch (IOException e) {
            return "closed (" + e.getMessage() + ")";
        }
    }

    private static String replyOutcome(ByteArrayOutputStream got, String writeEnd) {
        String text = got.toString(StandardCharsets.ISO_8859_1);
        return (text.startsWith("-") ? "error " : "unexpected reply ") + RespFuzz.show(got.toByteArray()) + "; "
                + writeEnd;
    }

    /** Connections held open by the slowloris case. */
    static final int SLOW_CLIENTS = 400;
    /** Rounds in which each slow client sends a little more (never completing its request). */
    static final int SLOW_ROUNDS = 5;

    /**
     * Slowloris: {@value #SLOW_CLIENTS} connections hold partial multibulk requests that never
     * finish, adding a few bytes in each of {@value #SLOW_ROUNDS} rounds; after every round the
     * server must answer a fresh client within 1 s; when they close, the fds come back.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringline.examples.robustness.ServerProcess#backends")
    void slowlorisPartialRequestsDoNotStarveOthers(String backend) throws Exception {
        server = ServerProcess.start(backend, "resp", "--arena-mb", "4");
        int baseline = server.warmUpAndMeasureFds();
        String what = "slowloris (" + SLOW_CLIENTS + " partial multibulk requests)";
        // {start, what each round adds}: the request stays incomplete however many rounds run
        String[][] shapes = {
                {"*3\r\n$3\r\nSET\r\n$4\r\nslow\r\n$1000000\r\n", "xxxxxxxxxx"},
                {"*1000\r\n", "$4\r\nPING\r\n"},
                {"*2\r\n$3\r\nGET\r\n$5\r\nab", ""},
                {"*2\r\n$3\r\nGET\r\n$", "1"},
                {"PING PING", " PING"},
        };
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                Socket s = new Socket();
                sockets.add(s);
                s.connect(server.address(), 10_000);
                s.getOutputStream().write(shapes[i % shapes.length][0].getBytes(StandardCharsets.US_ASCII));
            }
            for (int round = 0; round < SLOW_ROUNDS; round++) {
                for (int i = 0; i < SLOW_CLIENTS; i++) {
                    byte[] more = shapes[i % shapes.length][1].getBytes(StandardCharsets.US_ASCII);
                    sockets.get(i).getOutputStream().write(more);
                }
                String problem = server.freshClientProblem(Duration.ofSeconds(1));
                if (problem != null) {
                    fail(server.name() + " " + what + ": in round " + round + " a fresh client got no reply within 1 s: "
                            + problem + "; output:\n" + server.outputTail(3000));
                }
            }
            int held = baseline + SLOW_CLIENTS - ServerProcess.FD_SLACK;
            assertTrue(ServerProcess.awaitTrue(Duration.ofSeconds(20), () -> server.openFds() >= held), what
                    + ": the server holds " + server.openFds() + " fds, expected >= " + held + " (are the clients connected?)");
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        server.assertRecovered(what, baseline);
    }

    // ------------------------------------------------------------------ 7. SIGTERM under load

    /** Clients pipelining GETs when SIGTERM arrives. */
    static final int LOADED_CLIENTS = 64;
    /** Size of every value. */
    static final int VALUE_SIZE = 64 * 1024;
    /** Distinct keys. */
    static final int KEYS = 16;
    /** GETs each client keeps in flight. */
    static final int WINDOW = 128;
    /** The server's shutdown grace period (the default of {@code Config}). */
    static final Duration GRACE = Duration.ofSeconds(5);

    /**
     * {@value #LOADED_CLIENTS} clients pipeline GETs of {@value #VALUE_SIZE}-byte values; SIGTERM
     * arrives while replies are in flight. Every client's stream must be whole, correct replies that
     * end at a reply boundary, or end with a reset (never a clean FIN inside a reply), and the
     * process must exit with 0 or 143 within the grace period + 5 s.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringline.examples.robustness.ServerProcess#backends")
    void sigtermUnderLoadEndsEveryStreamAtAReplyBoundary(String backend) throws Exception {
        server = ServerProcess.start(backend, "resp", "--arena-mb", "4");
        server.warmUpAndMeasureFds();
        String what = "SIGTERM under load (" + LOADED_CLIENTS + " clients pipelining GETs of " + VALUE_SIZE + " B)";
        byte[][] values = new byte[KEYS][VALUE_SIZE];
        Random random = new Random(7);
        try (Socket s = new Socket()) {
            s.connect(server.address(), 10_000);
            s.setSoTimeout(10_000);
            ByteArrayOutputStream sets = new ByteArrayOutputStream();
            for (int k = 0; k < KEYS; k++) {
                random.nextBytes(values[k]);
                sets.write(RespFuzz.command("SET".getBytes(StandardCharsets.US_ASCII), key(k), values[k]));
            }
            s.getOutputStream().write(sets.toByteArray());
            RespReplyReader r = new RespReplyReader(s.getInputStream());
            for (int k = 0; k < KEYS; k++) {
                Object reply = r.next();
                assertEquals("OK", reply, what + ": SET key:" + k + " answered " + RespReplyReader.describe(reply));
            }
        }

        AtomicInteger[] received = new AtomicInteger[LOADED_CLIENTS];
        String[] endings = new String[LOADED_CLIENTS];
        AtomicBoolean stop = new AtomicBoolean();
        List<Socket> sockets = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        List<Thread> writers = new ArrayList<>();
        try {
            for (int c = 0; c < LOADED_CLIENTS; c++) {
                Socket s = new Socket();
                sockets.add(s);
                s.connect(server.address(), 10_000);
                s.setSoTimeout((int) (GRACE.toMillis() + 15_000));
                Semaphore window = new Semaphore(WINDOW);
                int client = c;
                received[c] = new AtomicInteger();
                writers.add(Thread.ofPlatform().daemon().start(() -> pipelineGets(s, client, window, stop)));
                readers.add(Thread.ofPlatform().daemon().start(() ->
                        endings[client] = readReplies(s, client, values, window, received[client])));
            }
            boolean loaded = ServerProcess.awaitTrue(Duration.ofSeconds(30),
                    () -> Arrays.stream(received).allMatch(n -> n.get() >= 4));
            assertTrue(loaded, what + ": not every client got 4 replies within 30 s before the SIGTERM: "
                    + Arrays.toString(received) + "; endings " + Arrays.toString(endings));
            server.sigterm();
            long signalled = System.nanoTime();
            int status = server.awaitExit(GRACE.plusSeconds(5));
            long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            for (Thread t : readers) {
                t.join(Duration.ofSeconds(20));
            }
            stop.set(true);

            List<String> bad = new ArrayList<>();
            int resets = 0;
            for (int c = 0; c < LOADED_CLIENTS; c++) {
                String e = endings[c] == null ? "the reader did not finish" : endings[c];
                if (e.startsWith("reset")) {
                    resets++;
                } else if (!e.startsWith("boundary")) {
                    bad.add("client " + c + " (" + received[c].get() + " whole replies): " + e);
                }
            }
            String exit = status == 0 || status == 143 ? null : "exit status "
                    + (status < 0 ? "none: still running " + GRACE.plusSeconds(5).toSeconds() + " s after SIGTERM"
                    : status + " (expected 0 or 143), " + exitMillis + " ms after SIGTERM");
            if (!bad.isEmpty() || exit != null) {
                fail(server.name() + " " + what + ": " + (exit == null ? "" : exit + "; ") + bad.size() + " of "
                        + LOADED_CLIENTS + " streams did not end at a reply boundary or with a reset (" + resets
                        + " resets, the rest ended at a boundary; exit status " + status + " after " + exitMillis
                        + " ms):\n  " + String.join("\n  ", bad.subList(0, Math.min(10, bad.size())))
                        + "\nserver output:\n" + server.outputTail(3000));
            }
            server.assertNoOutOfMemory(what);
            server.assertRssBounded(what);
        } finally {
            stop.set(true);
            for (Socket s : sockets) {
                s.close();
            }
            for (Thread t : writers) {
                t.join(Duration.ofSeconds(10));
            }
        }
    }

    private static byte[] key(int k) {
        return ("key:" + k).getBytes(StandardCharsets.US_ASCII);
    }

    /** Writes GETs of the keys client+0, client+1, ... (mod {@link #KEYS}), at most {@link #WINDOW} unanswered. */
    private static void pipelineGets(Socket s, int client, Semaphore window, AtomicBoolean stop) {
        byte[][] gets = new byte[KEYS][];
        for (int k = 0; k < KEYS; k++) {
            gets[k] = RespFuzz.command("GET".getBytes(StandardCharsets.US_ASCII), key(k));
        }
        try {
            OutputStream out = s.getOutputStream();
            long seq = 0;
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            while (!stop.get()) {
                if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                int n = 1 + window.drainPermits();
                batch.reset();
                for (int i = 0; i < n; i++) {
                    batch.write(gets[(int) ((client + seq++) % KEYS)]);
                }
                out.write(batch.toByteArray());
            }
        } catch (IOException | InterruptedException e) {
            // the server closed the connection: the reader reports how the stream ended
        }
    }

    /**
     * Reads and checks the replies of {@link #pipelineGets}; {@return "boundary ..." for a clean end
     * between replies, "reset ..." for a connection reset, anything else is a failure}
     */
    private static String readReplies(Socket s, int client, byte[][] values, Semaphore window, AtomicInteger received) {
        try {
            RespReplyReader r = new RespReplyReader(s.getInputStream());
            for (long seq = 0; ; seq++) {
                Object reply = r.next();
                if (reply == null) {
                    return "boundary: clean end of stream after " + seq + " replies";
                }
                byte[] expected = values[(int) ((client + seq) % KEYS)];
                if (!(reply instanceof byte[] b) || !Arrays.equals(b, expected)) {
                    return "reply #" + seq + " is " + RespReplyReader.describe(reply) + ", not the " + VALUE_SIZE
                            + "-byte value of key:" + (client + seq) % KEYS + " (lost or reordered bytes)";
                }
                received.incrementAndGet();
                window.release();
            }
        } catch (RespReplyReader.Truncated t) {
            return "TRUNCATED: " + t.getMessage();
        } catch (SocketTimeoutException e) {
            return "no end of stream within " + (GRACE.toSeconds() + 15) + " s";
        } catch (SocketException e) {
            return s.isClosed() ? "no end of stream: the test closed the socket (" + e.getMessage() + ")"
                    : "reset: " + e.getMessage();
        } catch (IOException e) {
            return "not RESP: " + e.getMessage();
        }
    }
}
