package io.ringline.examples;

import io.ringline.Config;
import io.ringline.Runtime;
import io.ringline.examples.resp.RegionStore;
import io.ringline.examples.resp.RequestBudget;
import io.ringline.examples.resp.RespParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The RESP server in-process on every backend, driven by Jedis, raw sockets and redis-cli (if installed). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RespServerTest {

    /** Values of at least this size go by sendRegion in these tests. */
    static final int THRESHOLD = 1024;
    /**
     * Arena of the tests: io_uring registers it in every worker's ring, and each registration counts
     * against RLIMIT_MEMLOCK (8 MiB for non-root here), so 2 workers x 2 MiB.
     */
    static final int ARENA = 2 << 20;

    private Runtime runtime;
    private RegionStore store;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    private InetSocketAddress start(String backend) {
        return start(backend, RespLimits.defaults(RespCommand.DEFAULT_MAX_BULK));
    }

    private InetSocketAddress start(String backend, RespLimits limits) {
        return start(backend, ARENA, limits);
    }

    private InetSocketAddress start(String backend, long arenaBytes, RespLimits limits) {
        Backends.assumeAvailable(backend);
        store = new RegionStore(arenaBytes, THRESHOLD);
        Config config = RespCommand.configure(Config.builder().backend(backend).workers(2)
                .bind(new InetSocketAddress("127.0.0.1", 0)), store, limits.maxBulk());
        runtime = Runtime.start(config, RespCommand.factory(config, store, limits));
        assertEquals(backend, runtime.backendName());
        return runtime.boundAddresses().getFirst();
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
        if (runtime != null) {
            runtime.close();
            assertTrue(runtime.isTerminated());
            assertEquals(0, store.pinnedValues(), "every pin released after the connections closed");
        }
        if (store != null) {
            store.close();
        }
    }

    private static Jedis jedis(InetSocketAddress a) {
        Jedis j = new Jedis(a.getHostString(), a.getPort(), 20_000);
        j.connect();
        return j;
    }

    static List<String> backends() {
        return Backends.names();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void everyCommandThroughJedis(String backend) throws Exception {
        InetSocketAddress a = start(backend);
        try (Jedis j = jedis(a)) {
            assertEquals("PONG", j.ping());
            assertEquals("hi there", j.echo("hi there"));
            assertEquals("OK", j.set("k", "v"));
            assertEquals("v", j.get("k"));
            assertTrue(j.exists("k"));
            assertEquals(1, j.exists("k", "nope"));
            assertEquals(1, j.del("k", "nope"));
            assertNull(j.get("k"));
            assertFalse(j.exists("k"));

            assertEquals(1, j.incr("n"));
            assertEquals(2, j.incr("n"));
            j.set("s", "abc");
            JedisDataException e = assertThrows(JedisDataException.class, () -> j.incr("s"));
            assertTrue(e.getMessage().contains("not an integer"), e.getMessage());
            j.set("max", Long.toString(Long.MAX_VALUE));
            assertThrows(JedisDataException.class, () -> j.incr("max"));

            assertEquals("OK", j.mset("a", "1", "b", "2"));
            assertEquals(Arrays.asList("1", null, "2"), j.mget("a", "missing", "b"));

            JedisDataException unknown = assertThrows(JedisDataException.class,
                    () -> j.sendCommand(() -> "FROBNICATE".getBytes(StandardCharsets.US_ASCII), "x"));
            assertTrue(unknown.getMessage().startsWith("ERR unknown command"), unknown.getMessage());

            // expiry: EX keeps the key, a short PX expires it
            assertEquals("OK", j.set("ex", "1", SetParams.setParams().ex(100)));
            assertEquals("OK", j.set("px", "1", SetParams.setParams().px(50)));
            assertEquals("1", j.get("ex"));
            Await.until(() -> j.get("px") == null, () -> "the PX 50 key expired");
            assertEquals("1", j.get("ex"));
            assertEquals("OK", j.set("nx", "1", SetParams.setParams().nx()));
            assertNull(j.set("nx", "2", SetParams.setParams().nx()));

            assertEquals("OK", j.flushAll());
            assertNull(j.get("a"));
            assertFalse(j.exists("ex"));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void pipelineOfAThousandCommands(String backend) {
        InetSocketAddress a = start(backend);
        try (Jedis j = jedis(a)) {
            Pipeline p = j.pipelined();
            List<Response<String>> sets = new ArrayList<>();
            List<Response<String>> gets = new ArrayList<>();
            List<Response<Long>> incrs = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                sets.add(p.set("key" + i, "value" + i));
                gets.add(p.get("key" + i));
                incrs.add(p.incr("counter"));
                p.exists("key" + i);
            }
            p.sync();
            for (int i = 0; i < 250; i++) {
                assertEquals("OK", sets.get(i).get());
                assertEquals("value" + i, gets.get(i).get());
                assertEquals(i + 1, incrs.get(i).get());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void largeValuesAreByteExact(String backend) {
        InetSocketAddress a = start(backend);
        try (Jedis j = jedis(a)) {
            for (int size : new int[] {THRESHOLD - 1, THRESHOLD, 100_000, 1 << 20}) {
                byte[] v = random(size, size);
                byte[] key = ("big" + size).getBytes(StandardCharsets.US_ASCII);
                assertEquals("OK", j.set(key, v));
                assertArrayEquals(v, j.get(key), "value of " + size + " bytes");
            }
            List<byte[]> values = j.mget("big100000".getBytes(), "none".getBytes(), "big1048576".getBytes());
            assertArrayEquals(random(100_000, 100_000), values.get(0));
            assertNull(values.get(1));
            assertArrayEquals(random(1 << 20, 1 << 20), values.get(2));
            JedisDataException oom = assertThrows(JedisDataException.class, () -> j.set("huge".getBytes(), new byte[3 << 20]));
            assertEquals("OOM arena full", oom.getMessage());
        }
    }

    /**
     * Readers GET a large value (sent from the arena) in pipelined bursts while a writer overwrites
     * and deletes it: every reply is a whole version or nil, never a mix of two (the pinned memory
     * of an in-flight reply is not reused).
     */
    @ParameterizedTest
    @MethodSource("backends")
    void overwriteAndDeleteWhileGetsAreInFlight(String backend) throws Exception {
        InetSocketAddress a = start(backend);
        int size = 256 * 1024;
        byte[] key = "hot".getBytes(StandardCharsets.US_ASCII);
        AtomicBoolean done = new AtomicBoolean();
        List<Future<Integer>> readers = new ArrayList<>();
        try (Jedis w = jedis(a)) {
            w.set(key, version(size, 1));
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    int checked = 0;
                    try (Jedis j = jedis(a)) {
                        while (!done.get() || checked == 0) {
                            Pipeline p = j.pipelined();
                            List<Response<byte[]>> rs = new ArrayList<>();
                            for (int i = 0; i < 16; i++) {
                                rs.add(p.get(key));
                            }
                            p.sync();
                            for (Response<byte[]> resp : rs) {
                                byte[] v = resp.get();
                                if (v != null) {
                                    assertEquals(size, v.length);
                                    for (int i = 1; i < v.length; i++) {
                                        if (v[i] != v[0]) {
                                            throw new AssertionError("mixed value: byte " + i + " is " + v[i]
                                                    + ", byte 0 is " + v[0]);
                                        }
                                    }
                                }
                                checked++;
                            }
                        }
                    }
                    return checked;
                }));
            }
            for (int i = 2; i < 300; i++) {
                try {
                    if (i % 7 == 0) {
                        w.del(key);
                    } else {
                        w.set(key, version(size, i));
                    }
                } catch (JedisDataException oom) {
                    assertTrue(oom.getMessage().startsWith("OOM"), oom.getMessage()); // pinned values fill the arena
                }
            }
        } finally {
            done.set(true);
        }
        for (Future<Integer> f : readers) {
            assertTrue(f.get(50, TimeUnit.SECONDS) > 0);
        }
    }

    private static byte[] version(int size, int v) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) v);
        return b;
    }

    /** Replies far larger than the send queue: reading pauses and resumes, nothing is lost or reordered. */
    @ParameterizedTest
    @MethodSource("backends")
    void pipelinedRepliesLargerThanTheSendQueue(String backend) throws Exception {
        InetSocketAddress a = start(backend);
        byte[] big = random(1 << 20, 5);
        byte[] small = random(900, 6);
        try (Jedis j = jedis(a)) {
            j.set("big".getBytes(), big);
            j.set("small".getBytes(), small);
        }
        StringBuilder req = new StringBuilder();
        int n = 0;
        for (int i = 0; i < 24; i++) {
            req.append("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n");
            for (int k = 0; k < 2000; k++) {
                req.append("*2\r\n$3\r\nGET\r\n$5\r\nsmall\r\n");
            }
            n++;
        }
        try (Socket s = connect(a)) {
            Future<?> writer = pool.submit(() -> {
                s.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                return null;
            });
            InputStream in = s.getInputStream();
            for (int i = 0; i < n; i++) {
                assertArrayEquals(bulk(big), in.readNBytes(bulk(big).length));
                byte[] oneSmall = bulk(small);
                for (int k = 0; k < 2000; k++) {
                    assertArrayEquals(oneSmall, in.readNBytes(oneSmall.length));
                }
            }
            assertEquals("+PONG\r\n", new String(in.readNBytes(7), StandardCharsets.US_ASCII));
            writer.get(30, TimeUnit.SECONDS);
        }
    }

    private static byte[] bulk(byte[] v) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("$" + v.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(v);
        b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void malformedInputGetsAnErrorAndAClose(String backend) throws Exception {
        InetSocketAddress a = start(backend);
        String[] bad = {
            "*abc\r\n",                           // bad array count
            "*99999999\r\n",                      // absurd array count
            "*1\r\n$999999999\r\n",               // oversized bulk length
            "*1\r\n$-7\r\n",                      // negative bulk length
            "*2\r\n$3\r\nGET\r\nx\r\n",           // not a bulk string
            "*1\r\n$4\r\nPINGxx",                 // bulk not terminated by CRLF
            "x".repeat(70 * 1024),                // inline line over 64 KiB
        };
        for (String input : bad) {
            try (Socket s = connect(a)) {
                s.getOutputStream().write(("PING\r\n" + input).getBytes(StandardCharsets.US_ASCII));
                String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII); // until EOF
                assertTrue(reply.startsWith("+PONG\r\n-ERR Protocol error: "), "reply to "
                        + input.substring(0, Math.min(20, input.length())) + ": " + reply);
                assertTrue(reply.endsWith("\r\n"));
            }
        }
        try (Jedis j = jedis(a)) {
            assertEquals("PONG", j.ping(), "the server still serves new connections");
        }
    }

    // ------------------------------------------------------------------ limits on partial requests

    /** 6 bytes on the wire, an empty argument on the server. */
    private static final byte[] EMPTY_ARG = "$0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** {@return {@code n} empty arguments} */
    private static byte[] emptyArgs(int n) {
        byte[] b = new byte[n * EMPTY_ARG.length];
        for (int i = 0; i < n; i++) {
            System.arraycopy(EMPTY_ARG, 0, b, i * EMPTY_ARG.length, EMPTY_ARG.length);
        }
        return b;
    }

    /**
     * The heap amplification attack: {@code *1048576} then a million {@code $0\r\n\r\n}, never
     * finished, from 300 connections at once. Each gets the protocol error naming the limit and a
     * close once its partial command exceeds the (small) per-connection limit; the server keeps
     * serving and every budget reservation is returned.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void unfinishedHugeMultibulkFromManyConnectionsIsRefused(String backend) throws Exception {
        RespLimits limits = new RespLimits(RespCommand.DEFAULT_MAX_BULK, 64 << 10, new RequestBudget(256L << 20),
                Duration.ofSeconds(30));
        InetSocketAddress a = start(backend, limits);
        int elements = 1 << 20;
        int perChunk = 10_000; // 60 KB on the wire, ~330 KB of arguments on the heap without the limit
        byte[] chunk = emptyArgs(perChunk);
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                Socket s = connect(a);
                sockets.add(s);
                s.getOutputStream().write(("*" + elements + "\r\n").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write(chunk);
            }
            String expected = "-ERR Protocol error: request exceeds the limit of 65536 bytes of parsed arguments (max-request)";
            for (Socket s : sockets) {
                InputStream in = s.getInputStream();
                for (int sent = perChunk; sent < elements && in.available() == 0; sent += perChunk) {
                    s.getOutputStream().write(chunk, 0, Math.min(perChunk, elements - sent) * EMPTY_ARG.length);
                }
                String reply = new String(in.readAllBytes(), StandardCharsets.US_ASCII); // until the server's EOF
                assertTrue(reply.startsWith(expected), reply);
                assertTrue(reply.endsWith("\r\n"), reply);
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        try (Jedis j = jedis(a)) {
            assertEquals("PONG", j.ping(), "the server still serves new connections");
        }
        Await.until(() -> limits.budget().used() == 0, () -> "budget returned, still " + limits.budget().used());
    }

    /**
     * Partial commands under the per-connection limit from many connections together are refused
     * once they would exceed the process-wide budget: exactly as many as fit are held, the others
     * get the error and a close, PING still works, and closing returns every reservation.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void partialCommandsOfAllConnectionsAreBoundedByTheBudget(String backend) throws Exception {
        RequestBudget budget = new RequestBudget(4L << 20);
        InetSocketAddress a = start(backend, new RespLimits(RespCommand.DEFAULT_MAX_BULK, 1 << 20, budget,
                Duration.ofSeconds(30)));
        int n = 15_000;
        // what the parser holds for *1048576 and 15000 empty arguments (its array grew to 16384 slots)
        long held = RespParser.ARRAY_HEADER + 16_384L * RespParser.REFERENCE_BYTES + (long) n * RespParser.ELEMENT_OVERHEAD;
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes("*1048576\r\n".getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(emptyArgs(n));
        List<Socket> sockets = new ArrayList<>();
        int accepted = 0;
        int refused = 0;
        try {
            for (int i = 0; i < 40; i++) {
                Socket s = connect(a);
                sockets.add(s);
                long before = budget.used();
                request.writeTo(s.getOutputStream());
                InputStream in = s.getInputStream();
                Await.until(() -> available(in) > 0 || budget.used() == before + held,
                        () -> "a reply or a reservation of " + held + " bytes; budget used " + budget.used());
                assertTrue(budget.used() <= budget.capacity(), budget.used() + " bytes reserved");
                if (available(in) == 0) {
                    accepted++;
                    continue;
                }
                String reply = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                assertEquals("-ERR Protocol error: partial requests of all connections would exceed the server's"
                        + " budget of 4194304 bytes (request-budget)\r\n", reply);
                refused++;
            }
            assertEquals(budget.capacity() / held, accepted, "connections whose partial command fits the budget");
            assertEquals(40 - accepted, refused);
            try (Jedis j = jedis(a)) {
                assertEquals("PONG", j.ping(), "complete commands need no budget");
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        Await.until(() -> budget.used() == 0, () -> "budget returned after the close, still " + budget.used());
    }

    private static int available(InputStream in) {
        try {
            return in.available();
        } catch (IOException e) {
            return 1; // closed by the server: a reply (or its absence) is read next
        }
    }

    /**
     * A request left incomplete (also one that keeps trickling in) is answered with the timeout
     * error and closed after the request timeout; a connection idle between commands for longer
     * than that is not.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void incompleteRequestsAreClosedAfterTheTimeoutIdleConnectionsAreNot(String backend) throws Exception {
        Duration timeout = Duration.ofMillis(500);
        InetSocketAddress a = start(backend, new RespLimits(RespCommand.DEFAULT_MAX_BULK,
                RespParser.defaultMaxRequest(RespCommand.DEFAULT_MAX_BULK), new RequestBudget(64L << 20), timeout));
        String expected = "-ERR Protocol error: request not completed within 500 ms (request-timeout)\r\n";
        try (Socket idle = connect(a); Socket partial = connect(a); Socket trickle = connect(a)) {
            idle.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("+PONG\r\n", new String(idle.getInputStream().readNBytes(7), StandardCharsets.US_ASCII));

            long start = System.nanoTime();
            partial.getOutputStream().write("*2\r\n$4\r\nECHO\r\n$5\r\nhel".getBytes(StandardCharsets.US_ASCII));
            assertEquals(expected, new String(partial.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            long elapsed = System.nanoTime() - start;
            assertTrue(elapsed >= timeout.toNanos(), "closed after " + elapsed + " ns, before the timeout");

            // one byte every 50 ms of a 100-byte argument: progress within the request does not extend it
            OutputStream out = trickle.getOutputStream();
            out.write("*2\r\n$4\r\nECHO\r\n$100\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = trickle.getInputStream();
            int sent = 0;
            while (available(in) == 0 && sent < 100) {
                out.write('x');
                sent++;
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // the client's pace
            }
            assertTrue(sent < 100, "the trickled request was never timed out");
            assertEquals(expected, new String(in.readAllBytes(), StandardCharsets.US_ASCII));

            // the idle connection was idle between commands for longer than the timeout
            assertTrue(System.nanoTime() - start > 2 * timeout.toNanos());
            idle.getOutputStream().write("*2\r\n$4\r\nECHO\r\n$2\r\nok\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("$2\r\nok\r\n", new String(idle.getInputStream().readNBytes(8), StandardCharsets.US_ASCII));
        }
    }

    /** The largest legitimate request, a SET of a --max-bulk (16 MiB) value, still works under the limits. */
    @ParameterizedTest
    @MethodSource("backends")
    void setOfTheLargestBulkStillWorks(String backend) {
        InetSocketAddress a = start(backend, 40 << 20, RespLimits.defaults(RespCommand.DEFAULT_MAX_BULK));
        byte[] value = random(RespCommand.DEFAULT_MAX_BULK, 16);
        try (Jedis j = jedis(a)) {
            assertEquals("OK", j.set("big".getBytes(StandardCharsets.US_ASCII), value));
            assertArrayEquals(value, j.get("big".getBytes(StandardCharsets.US_ASCII)));
            assertArrayEquals(value, j.echo(value));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void redisCli(String backend) throws Exception {
        Path cli = Path.of("/usr/bin/redis-cli");
        if (!Files.isExecutable(cli)) {
            cli = null;
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                Path p = Path.of(dir, "redis-cli");
                if (Files.isExecutable(p)) {
                    cli = p;
                    break;
                }
            }
        }
        Assumptions.assumeTrue(cli != null, "redis-cli is not installed (apt-get install redis-tools)");
        InetSocketAddress a = start(backend);
        assertEquals("OK", cli(cli, a, "SET", "greeting", "hello world"));
        assertEquals("hello world", cli(cli, a, "GET", "greeting"));
        assertEquals("1", cli(cli, a, "INCR", "n"));
        assertEquals("PONG", cli(cli, a, "PING"));
        assertEquals("", cli(cli, a, "GET", "missing"));
        assertTrue(cli(cli, a, "NOSUCH").startsWith("ERR unknown command"));
    }

    private static String cli(Path cli, InetSocketAddress a, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(cli.toString(), "-h", "127.0.0.1", "-p", Integer.toString(a.getPort())));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "redis-cli finished");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    private static Socket connect(InetSocketAddress a) throws IOException {
        Socket s = new Socket();
        s.connect(a, 10_000);
        s.setSoTimeout(30_000);
        return s;
    }

    private static byte[] random(int size, int seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
