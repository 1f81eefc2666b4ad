package io.ringline.examples;

import io.ringline.Config;
import io.ringline.Runtime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
