package io.ringline.examples;

import io.ringline.Config;
import io.ringline.Runtime;
import io.ringline.WorkerStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The echo server in-process, on a free loopback port, driven by plain blocking sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoServerTest {

    private Runtime runtime;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    private InetSocketAddress start(Config.Builder builder) {
        Config config = builder.bind(new InetSocketAddress("127.0.0.1", 0)).build();
        runtime = Runtime.start(config, EchoHandler.factory(config));
        InetSocketAddress bound = runtime.boundAddresses().getFirst();
        assertTrue(bound.getPort() > 0, "port 0 resolved: " + bound);
        return bound;
    }

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        if (runtime != null) {
            runtime.close();
            assertTrue(runtime.isTerminated());
        }
    }

    @Test
    void echoesALine() throws IOException {
        InetSocketAddress address = start(Config.builder().workers(2));
        assertFalse(runtime.backendName().isBlank());
        assertFalse(runtime.backendSelectionReason().isBlank());
        try (Socket s = connect(address)) {
            byte[] line = "hello ringline\n".getBytes(StandardCharsets.UTF_8);
            s.getOutputStream().write(line);
            assertArrayEquals(line, s.getInputStream().readNBytes(line.length));
            byte[] second = "again\n".getBytes(StandardCharsets.UTF_8);
            s.getOutputStream().write(second);
            assertArrayEquals(second, s.getInputStream().readNBytes(second.length));
        }
    }

    @Test
    void echoesManyConcurrentClients() throws Exception {
        InetSocketAddress address = start(Config.builder().workers(2));
        List<Future<?>> clients = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            int seed = i;
            clients.add(pool.submit(() -> {
                byte[] data = random(seed, 200_000);
                try (Socket s = connect(address)) {
                    assertArrayEquals(data, roundTrip(s, data, 7919));
                }
                return null;
            }));
        }
        for (Future<?> f : clients) {
            f.get(50, TimeUnit.SECONDS);
        }
    }

    /**
     * A tiny send queue, so sends are refused all the time: every byte must still come back, in
     * order, including the tail sent just before the client stops writing and waits.
     */
    @Test
    void backpressureKeepsEveryByteInOrder() throws Exception {
        InetSocketAddress address = start(Config.builder().workers(1).sendQueueLimit(1024));
        byte[] data = random(42, 4 << 20);
        try (Socket s = connect(address)) {
            assertArrayEquals(data, roundTrip(s, data, 65536));
        }
    }

    /** The client writes everything, half-closes, and only then reads: the server echoes all, then closes. */
    @Test
    void halfCloseFlushesTheEchoThenCloses() throws Exception {
        InetSocketAddress address = start(Config.builder().workers(1).sendQueueLimit(4096));
        byte[] data = random(7, 1 << 20);
        try (Socket s = connect(address)) {
            Future<byte[]> reader = pool.submit(() -> s.getInputStream().readAllBytes()); // until EOF
            OutputStream out = s.getOutputStream();
            out.write(data);
            out.flush();
            s.shutdownOutput();
            assertArrayEquals(data, reader.get(50, TimeUnit.SECONDS), "echo up to the server's close");
        }
    }

    @Test
    void gracefulShutdownClosesClients() throws Exception {
        InetSocketAddress address = start(Config.builder().workers(1));
        try (Socket s = connect(address)) {
            s.getOutputStream().write(1);
            assertEquals(1, s.getInputStream().read());
            runtime.shutdownHandle().shutdown();
            assertTrue(runtime.awaitTermination(java.time.Duration.ofSeconds(20)));
            assertEquals(-1, s.getInputStream().read(), "server closed the connection");
        }
    }

    static List<String> backends() {
        return Backends.names();
    }

    private InetSocketAddress start(String backend, Config.Builder builder) {
        Backends.assumeAvailable(backend);
        InetSocketAddress a = start(builder.backend(backend));
        assertEquals(backend, runtime.backendName());
        return a;
    }

    /** {@return bytes the server received and has not yet written back: its send queues plus kept input} */
    private long heldByServer() {
        long held = 0;
        for (int w = 0; w < runtime.workerCount(); w++) {
            WorkerStats stats = runtime.worker(w).stats();
            held += stats.bytesIn() - stats.bytesOut();
        }
        return held;
    }

    /**
     * A client writes 80 MiB (more than the 64 MiB the old per-connection backlog allowed) while not
     * reading at all for a while, then reads slowly: it gets every byte back, in order.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void stalledThenSlowReaderGetsEveryByte(String backend) throws Exception {
        InetSocketAddress address = start(backend, Config.builder().workers(1));
        byte[] data = random(64, 80 << 20);
        try (Socket s = connect(address)) {
            AtomicLong written = new AtomicLong();
            Future<?> writer = pool.submit(() -> {
                OutputStream out = s.getOutputStream();
                for (int off = 0; off < data.length; off += 1 << 16) {
                    out.write(data, off, Math.min(1 << 16, data.length - off));
                    written.addAndGet(Math.min(1 << 16, data.length - off));
                }
                out.flush();
                return null;
            });
            Await.until(() -> written.get() >= 8 << 20, () -> "the writer wrote 8 MiB, wrote " + written.get());
            try {
                writer.get(1, TimeUnit.SECONDS); // the client does not read for a second (or until its writes are done)
            } catch (TimeoutException stillWriting) {
                // expected: TCP flow control holds the writer back
            }
            Config c = Config.builder().build(); // the defaults the server runs with
            long bound = c.sendQueueLimit() + c.recvBufferSize() + (long) c.recvBufferCount() * c.recvBufferSize();
            assertTrue(heldByServer() <= bound, "the server holds " + heldByServer() + " bytes for a stalled reader,"
                    + " bound " + bound);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16 * 1024];
            int got = 0;
            while (got < data.length) {
                int n = in.read(buf, 0, Math.min(buf.length, data.length - got));
                if (n < 0) {
                    throw new IOException("EOF after " + got + " of " + data.length + " bytes");
                }
                if (Arrays.mismatch(data, got, got + n, buf, 0, n) >= 0) {
                    throw new AssertionError("echo differs within bytes " + got + ".." + (got + n));
                }
                got += n;
                if (got % (1 << 20) < n) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // the slow reader's pace: 5 ms per MiB
                }
            }
            writer.get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * 50 clients write 8 MiB each and do not read: what the server holds for them stays within
     * what the runtime keeps per paused connection, the send queue limit plus the rest of one
     * receive buffer plus what the backend had already received when the pause took effect (at
     * most all of its receive buffers, see {@code WorkerIo.bytesReceivedAfterPause}); the old backlog kept
     * megabytes per connection. Then they read and every byte comes back.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void stalledReadersDoNotGrowTheServer(String backend) throws Exception {
        long sendQueueLimit = 256 << 10;
        int recvBufferSize = 16 << 10;
        int recvBufferCount = 16;
        InetSocketAddress address = start(backend, Config.builder().workers(2).sendQueueLimit(sendQueueLimit)
                .recvBufferSize(recvBufferSize).recvBufferCount(recvBufferCount));
        int clients = 50;
        byte[] data = random(50, 8 << 20);
        List<Socket> sockets = new ArrayList<>();
        List<Future<?>> writers = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                Socket s = new Socket();
                s.setReceiveBufferSize(64 << 10); // the kernel keeps little of the echo for a client that does not read
                s.connect(address, 5000);
                s.setSoTimeout(30_000);
                sockets.add(s);
                writers.add(pool.submit(() -> {
                    s.getOutputStream().write(data);
                    return null;
                }));
            }
            long bound = clients * (sendQueueLimit + recvBufferSize + (long) recvBufferCount * recvBufferSize);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            long max = 0;
            // observe while the clients write and nobody reads (2 s, or until every write returned)
            while (System.nanoTime() < deadline && !writers.stream().allMatch(Future::isDone)) {
                max = Math.max(max, heldByServer());
                assertTrue(max <= bound, "the server holds " + max + " bytes for " + clients
                        + " stalled readers, bound " + bound);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            List<Future<?>> readers = new ArrayList<>();
            for (Socket s : sockets) {
                readers.add(pool.submit(() -> {
                    assertArrayEquals(data, s.getInputStream().readNBytes(data.length));
                    return null;
                }));
            }
            for (Future<?> f : readers) {
                f.get(50, TimeUnit.SECONDS);
            }
            for (Future<?> f : writers) {
                f.get(10, TimeUnit.SECONDS);
            }
            System.out.println(backend + ": at most " + max + " bytes held for " + clients + " stalled readers (bound "
                    + bound + ")");
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    private static Socket connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        s.connect(address, 5000);
        s.setSoTimeout(30_000);
        s.setTcpNoDelay(true);
        return s;
    }

    /** Writes {@code data} in pieces from another thread while reading the echo here. */
    private byte[] roundTrip(Socket s, byte[] data, int piece) throws Exception {
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = s.getOutputStream();
                for (int off = 0; off < data.length; off += piece) {
                    out.write(data, off, Math.min(piece, data.length - off));
                }
                out.flush();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, pool);
        InputStream in = s.getInputStream();
        ByteArrayOutputStream echo = new ByteArrayOutputStream(data.length);
        byte[] buf = new byte[32 * 1024];
        while (echo.size() < data.length) {
            int n = in.read(buf, 0, Math.min(buf.length, data.length - echo.size()));
            if (n < 0) {
                throw new IOException("EOF after " + echo.size() + " of " + data.length + " bytes");
            }
            echo.write(buf, 0, n);
        }
        writer.get(10, TimeUnit.SECONDS);
        byte[] got = echo.toByteArray();
        if (!Arrays.equals(data, got)) {
            assertEquals(-1, Arrays.mismatch(data, got), "first differing byte");
        }
        return got;
    }

    private static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
