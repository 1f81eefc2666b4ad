package io.ringline.examples.robustness;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Robustness of the echo example server (a child JVM, {@link ServerProcess}) on every backend:
 * 5,000 concurrent connections, resets in the middle of transfers, and slow readers. Every case
 * ends with {@link ServerProcess#assertRecovered} (alive, answers, fds back, RSS under
 * {@link ServerProcess#RSS_BOUND}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EchoRobustnessTest {

    private ServerProcess server;

    @AfterEach
    void killServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    // ------------------------------------------------------------------ 4. 5,000 concurrent connections

    /** Connections open at the same time. */
    static final int CONNECTIONS = 5000;
    /** Descriptors needed beyond the connections by each JVM (jars, selectors, rings, ...). */
    static final int FD_HEADROOM = 1000;

    /**
     * {@value #CONNECTIONS} connections from this JVM (NIO client sockets) are open at once, each
     * echoes its own line, then all close: the server's fds come back to the baseline.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringline.examples.robustness.ServerProcess#backends")
    void fiveThousandConcurrentConnectionsEchoAndClose(String backend) throws Exception {
        long need = CONNECTIONS + FD_HEADROOM;
        long own = openFilesLimit(Path.of("/proc/self/limits"));
        assertTrue(own >= need, "this case needs an open-files limit (RLIMIT_NOFILE, ulimit -n) of at least " + need
                + " for the test JVM and the server, but the soft limit is " + own
                + ": raise it before mvn (ulimit -n \"$(ulimit -Hn)\", as .ci/run does)");
        server = ServerProcess.start(backend, "echo");
        long child = openFilesLimit(Path.of("/proc", Long.toString(server.pid()), "limits"));
        assertTrue(child >= need, "the server's open-files limit is " + child + ", this case needs " + need);
        int baseline = server.warmUpAndMeasureFds();
        String what = CONNECTIONS + " concurrent connections";

        List<SocketChannel> channels = new ArrayList<>(CONNECTIONS);
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < CONNECTIONS; i++) {
                SocketChannel ch;
                try {
                    ch = SocketChannel.open(server.address());
                } catch (IOException e) {
                    throw new AssertionError(server.name() + " " + what + ": connection " + i + " failed: " + e
                            + "; output:\n" + server.outputTail(3000), e);
                }
                channels.add(ch);
                ch.configureBlocking(false);
                byte[] line = ("connection " + i + " of " + CONNECTIONS + " " + backend + "\n")
                        .getBytes(StandardCharsets.US_ASCII);
                ch.register(selector, SelectionKey.OP_READ, new Line(i, line));
                ByteBuffer out = ByteBuffer.wrap(line);
                ch.write(out);
                assertTrue(!out.hasRemaining(), "a " + line.length + "-byte write did not fit an empty socket buffer");
            }
            boolean allAccepted = ServerProcess.awaitTrue(Duration.ofSeconds(20),
                    () -> server.openFds() >= baseline + CONNECTIONS - ServerProcess.FD_SLACK);
            assertTrue(allAccepted, what + ": the server holds only " + server.openFds()
                    + " fds 20 s after all connections were opened (baseline " + baseline + ")");

            int complete = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (complete < CONNECTIONS) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    fail(server.name() + " " + what + ": only " + complete + " of " + CONNECTIONS
                            + " connections got their line back within 30 s; output:\n" + server.outputTail(3000));
                }
                selector.select(left);
                for (SelectionKey key : selector.selectedKeys()) {
                    Line l = (Line) key.attachment();
                    int n = ((SocketChannel) key.channel()).read(l.got);
                    if (n < 0) {
                        fail(server.name() + " " + what + ": connection " + l.id + " was closed after "
                                + l.got.position() + " of " + l.expected.length + " echoed bytes");
                    }
                    if (!l.got.hasRemaining()) {
                        assertTrue(Arrays.equals(l.expected, l.got.array()), what + ": connection " + l.id
                                + " got '" + new String(l.got.array(), StandardCharsets.US_ASCII) + "', expected '"
                                + new String(l.expected, StandardCharsets.US_ASCII) + "'");
                        key.cancel();
                        complete++;
                    }
                }
                selector.selectedKeys().clear();
            }
        } finally {
            for (SocketChannel ch : channels) {
                ch.close();
            }
        }
        server.assertRecovered(what, baseline);
    }

    /** One connection's line and what came back of it. */
    private static final class Line {
        final int id;
        final byte[] expected;
        final ByteBuffer got;

        Line(int id, byte[] expected) {
            this.id = id;
            this.expected = expected;
            this.got = ByteBuffer.allocate(expected.length);
        }
    }

    /** {@return the soft "Max open files" of a /proc/PID/limits file (Long.MAX_VALUE for unlimited)} */
    static long openFilesLimit(Path limits) throws IOException {
        for (String line : Files.readAllLines(limits)) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        throw new IOException("no 'Max open files' line in " + limits);
    }

    // ------------------------------------------------------------------ 5. resets mid-transfer

    /** Parallel clients of the reset case. */
    static final int RESET_LANES = 8;
    /** Connections each lane resets. */
    static final int RESETS_PER_LANE = 15;
    /** What the clients send: one random block, a prefix per connection. */
    private static final byte[] BLOCK = random(99, 2 << 20);

    /**
     * {@value #RESET_LANES} x {@value #RESETS_PER_LANE} clients each send 128 KiB .. 896 KiB, read
     * none or part of the echo (checking it is the right bytes in order), then reset the
     * connection (SO_LINGER 0 close) while both directions are in flight.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringline.examples.robustness.ServerProcess#backends")
    void resetsInTheMiddleOfTransfersLeakNothing(String backend) throws Exception {
        long seed = Long.getLong("robustness.seed", System.nanoTime());
        server = ServerProcess.start(backend, "echo");
        int baseline = server.warmUpAndMeasureFds();
        String what = "resets mid-transfer (seed " + seed + ")";
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger done = new AtomicInteger();
        List<Thread> lanes = new ArrayList<>();
        for (int lane = 0; lane < RESET_LANES; lane++) {
            int id = lane;
            lanes.add(Thread.ofPlatform().daemon().start(() -> {
                for (int i = 0; i < RESETS_PER_LANE && failures.size() < 10; i++) {
                    int n = id * RESETS_PER_LANE + i;
                    String problem = resetOnce(new Random(seed * 31 + n));
                    if (problem != null) {
                        failures.add("connection " + n + ": " + problem);
                    }
                }
                done.incrementAndGet();
            }));
        }
        for (Thread t : lanes) {
            t.join(Duration.ofSeconds(90));
        }
        assertEquals(RESET_LANES, done.get(), what + ": not every client finished in 90 s; failures: " + failures);
        if (!failures.isEmpty()) {
            fail(server.name() + " " + what + ":\n  " + String.join("\n  ", failures) + "\noutput:\n"
                    + server.outputTail(3000));
        }
        server.assertRecovered(what, baseline);
    }

    /** {@return null, or what went wrong before the reset} */
    private String resetOnce(Random r) {
        int total = (128 << 10) + r.nextInt(768 << 10);
        int readBefore = r.nextInt(3) == 0 ? 0 : r.nextInt(Math.min(total, 256 << 10));
        AtomicLong written = new AtomicLong();
        try (Socket s = new Socket()) {
            s.connect(server.address(), 5000);
            s.setSoLinger(true, 0); // close() resets
            s.setSoTimeout(10_000);
            Thread writer = Thread.ofPlatform().daemon().start(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int at = 0; at < total; at += 64 << 10) {
                        int len = Math.min(64 << 10, total - at);
                        out.write(BLOCK, at, len);
                        written.addAndGet(len);
                    }
                } catch (IOException resetByUs) {
                    // expected once the socket is reset
                }
            });
            try {
                if (readBefore > 0) {
                    byte[] echo = s.getInputStream().readNBytes(readBefore);
                    if (echo.length < readBefore) {
                        return "the echo ended after " + echo.length + " of " + readBefore + " bytes";
                    }
                    if (!Arrays.equals(echo, 0, readBefore, BLOCK, 0, readBefore)) {
                        return "the first " + readBefore + " echoed bytes are not what was sent (lost or reordered)";
                    }
                } else if (!ServerProcess.awaitTrue(Duration.ofSeconds(10), () -> written.get() >= 64 << 10)) {
                    return "could not send 64 KiB within 10 s";
                }
            } catch (SocketTimeoutException e) {
                return "no echo of " + readBefore + " bytes within 10 s";
            } finally {
                s.close(); // the reset, with data in flight both ways
                writer.join(Duration.ofSeconds(10));
            }
        } catch (IOException | InterruptedException e) {
            return e.toString();
        }
        return null;
    }

    // ------------------------------------------------------------------ 6. slow readers

    /**
     * What the slow clients send: each a stretch of this random block, from its own offset,
     * wrapping around (the odd length keeps a misplaced block from matching by accident).
     */
    private static final byte[] SLOW_DATA = random(2026, (8 << 20) + 7);

    /**
     * 20 clients each send 8 MiB as fast as the server takes them, then half-close, and read the
     * echo at 4 MiB/s: every byte must come back in order (lossless, no reset) before the server
     * closes, with the server's RSS bounded.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringline.examples.robustness.ServerProcess#backends")
    void slowReadersGetEveryByteInOrder(String backend) throws Exception {
        slowReaders(backend, 20, 8 << 20, 4 << 20);
    }

    /**
     * 2 clients each send 96 MiB, more than any per-connection buffer a server may keep, and read
     * at 24 MiB/s: a lossless echo server must stop reading from a client that does not keep up
     * (backpressure) instead of buffering without bound or cutting the client off.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringline.examples.robustness.ServerProcess#backends")
    void slowReadersOfMoreThanAnyBufferGetEveryByteInOrder(String backend) throws Exception {
        slowReaders(backend, 2, 96 << 20, 24 << 20);
    }

    /** {@code clients} connections each send {@code bytes} and read the echo at {@code rate} bytes per second. */
    private void slowReaders(String backend, int clients, long bytes, long rate) throws Exception {
        server = ServerProcess.start(backend, "echo");
        int baseline = server.warmUpAndMeasureFds();
        String what = "slow readers (" + clients + " x " + (bytes >> 20) + " MiB read at " + (rate >> 20) + " MiB/s)";
        String[] results = new String[clients];
        List<Thread> threads = new ArrayList<>();
        List<Socket> sockets = new ArrayList<>();
        Duration deadline = Duration.ofSeconds(30 + 2 * bytes / rate);
        try {
            for (int c = 0; c < clients; c++) {
                Socket s = new Socket();
                sockets.add(s);
                s.connect(server.address(), 5000);
                s.setSoTimeout(20_000);
                int client = c;
                int start = (int) ((long) c * SLOW_DATA.length / clients);
                threads.add(Thread.ofPlatform().daemon().start(() -> writeStretch(s, start, bytes)));
                threads.add(Thread.ofPlatform().daemon().start(() -> results[client] = readSlowly(s, start, bytes, rate)));
            }
            for (Thread t : threads) {
                t.join(deadline);
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        List<String> bad = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            if (results[c] == null) {
                bad.add("client " + c + ": the reader did not finish within " + deadline);
            } else if (!results[c].equals("ok")) {
                bad.add("client " + c + ": " + results[c]);
            }
        }
        if (!bad.isEmpty()) {
            server.assertNoOutOfMemory(what);
            fail(server.name() + " " + what + ": " + bad.size() + " of " + clients + " echoes were not lossless:\n  "
                    + String.join("\n  ", bad.subList(0, Math.min(10, bad.size()))) + "\noutput:\n"
                    + server.outputTail(3000));
        }
        server.assertRecovered(what, baseline);
    }

    /** Sends {@code bytes} of {@link #SLOW_DATA} from {@code start} (wrapping), then half-closes. */
    private static void writeStretch(Socket s, int start, long bytes) {
        try {
            OutputStream out = s.getOutputStream();
            long sent = 0;
            while (sent < bytes) {
                int from = (int) ((start + sent) % SLOW_DATA.length);
                int len = (int) Math.min(Math.min(256 << 10, SLOW_DATA.length - from), bytes - sent);
                out.write(SLOW_DATA, from, len);
                sent += len;
            }
            s.shutdownOutput();
        } catch (IOException e) {
            // the reader reports what arrived
        }
    }

    /** Reads the echo at {@code rate} bytes/s, checking every byte; {@return "ok" or what went wrong} */
    private static String readSlowly(Socket s, int start, long bytes, long rate) {
        long begin = System.nanoTime();
        long received = 0;
        byte[] buf = new byte[64 << 10];
        try {
            InputStream in = s.getInputStream();
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    return received == bytes ? "ok" : "clean end of stream after " + received + " of "
                            + bytes + " bytes (" + (bytes - received) + " lost)";
                }
                if (received + n > bytes) {
                    return "more bytes than were sent: " + (received + n) + " > " + bytes;
                }
                int at = (int) ((start + received) % SLOW_DATA.length);
                for (int i = 0; i < n; i++) {
                    if (buf[i] != SLOW_DATA[at]) {
                        return "byte " + (received + i) + " is not what was sent there (lost or reordered bytes)";
                    }
                    if (++at == SLOW_DATA.length) {
                        at = 0;
                    }
                }
                received += n;
                // a deliberately slow reader: hold back until the rate allows the bytes read so far
                long wait = begin + received * 1_000_000_000L / rate - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        } catch (SocketTimeoutException e) {
            return "no byte for 20 s after " + received + " of " + bytes;
        } catch (SocketException e) {
            return s.isClosed() ? "still reading at the deadline, after " + received + " of " + bytes + " bytes"
                    : "connection reset after " + received + " of " + bytes + " bytes (" + e.getMessage() + ")";
        } catch (IOException e) {
            return e + " after " + received + " bytes";
        }
    }

    private static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
