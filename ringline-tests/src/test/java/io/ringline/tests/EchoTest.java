package io.ringline.tests;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Clients;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Echo of random payloads over many concurrent connections, compared byte for byte. */
class EchoTest extends BackendTest {

    private static final int CONNECTIONS = 200;
    private static final int MAX_PAYLOAD = 1 << 20;

    /** Echoes everything it receives. With a send queue limit above the largest payload it never refuses a send. */
    static final class EchoHandler implements Handler {
        final AtomicLong echoed;
        final Map<CloseReason, AtomicInteger> closes;

        EchoHandler(AtomicLong echoed, Map<CloseReason, AtomicInteger> closes) {
            this.echoed = echoed;
            this.closes = closes;
        }

        @Override
        public int onData(Connection connection, ByteBuffer data) {
            int n = data.remaining();
            connection.send(data);
            echoed.addAndGet(n);
            return n;
        }

        @Override
        public void onClose(Connection connection, CloseReason reason, Throwable cause) {
            closes.computeIfAbsent(reason, r -> new AtomicInteger()).incrementAndGet();
        }
    }

    @Test
    void randomPayloadsOverConcurrentConnectionsAreEchoedExactly() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        // Sizes: 1 B, 1 MiB, then alternately uniform in [1, 1 MiB] (large payloads) and log-uniform (every
        // size class, from a few bytes up).
        int[] sizes = new int[CONNECTIONS];
        sizes[0] = 1;
        sizes[1] = MAX_PAYLOAD;
        for (int i = 2; i < CONNECTIONS; i++) {
            sizes[i] = i % 2 == 0 ? 1 + random.nextInt(MAX_PAYLOAD)
                    : (int) Math.min(MAX_PAYLOAD, Math.max(1, Math.round(Math.pow(2, random.nextDouble() * 20))));
        }
        AtomicLong echoed = new AtomicLong();
        Map<CloseReason, AtomicInteger> closes = new ConcurrentHashMap<>();
        long expectedTotal = 0;
        for (int s : sizes) {
            expectedTotal += s;
        }
        // The client writes a whole payload before reading it back, so the server's queue must hold a payload.
        try (Runtime rt = start(serverConfig().sendQueueLimit(2L * MAX_PAYLOAD), w -> new EchoHandler(echoed, closes));
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            // Open every connection first, so all CONNECTIONS are open at once.
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    sockets.add(Clients.connect(address(rt)));
                }
                List<Future<?>> results = new ArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    Socket s = sockets.get(i);
                    byte[] payload = Clients.randomBytes(new Random(seed + i), sizes[i]);
                    long chunkSeed = seed * 31 + i;
                    results.add(clients.submit(() -> {
                        exchange(s, payload, new Random(chunkSeed));
                        return null;
                    }));
                }
                for (int i = 0; i < results.size(); i++) {
                    try {
                        results.get(i).get(60, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new AssertionError("connection " + i + " (" + sizes[i] + " bytes, seed " + seed + ") failed", e);
                    }
                }
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
            assertEquals(expectedTotal, echoed.get(), "bytes echoed by the server (seed " + seed + ")");
            Await.until(() -> closes.values().stream().mapToInt(AtomicInteger::get).sum() == CONNECTIONS,
                    () -> "every connection closed, got " + closes);
            // Each client half-closed after reading its echo; the default onInputClosed closes: PEER_CLOSED.
            assertEquals(CONNECTIONS, closes.getOrDefault(CloseReason.PEER_CLOSED, new AtomicInteger()).get(),
                    () -> "close reasons " + closes);
            long bytesIn = rt.worker(0).stats().bytesIn() + rt.worker(1).stats().bytesIn();
            long bytesOut = rt.worker(0).stats().bytesOut() + rt.worker(1).stats().bytesOut();
            assertEquals(expectedTotal, bytesIn, "WorkerStats.bytesIn across workers");
            assertEquals(expectedTotal, bytesOut, "WorkerStats.bytesOut across workers");
            long opened = rt.worker(0).stats().connectionsOpened() + rt.worker(1).stats().connectionsOpened();
            assertEquals(CONNECTIONS, opened, "connections opened across workers");
            assertTrue(rt.worker(0).stats().connectionsOpened() > 0 && rt.worker(1).stats().connectionsOpened() > 0,
                    "accepted connections are spread over both workers");
        }
    }

    /** Writes {@code payload} in random-size pieces, reads the echo, compares it, then half-closes and expects EOF. */
    private static void exchange(Socket s, byte[] payload, Random random) throws Exception {
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        int off = 0;
        while (off < payload.length) {
            int n = Math.min(payload.length - off, 1 + random.nextInt(64 * 1024));
            out.write(payload, off, n);
            off += n;
        }
        out.flush();
        byte[] echo = Clients.readExactly(in, payload.length);
        assertArrayEquals(payload, echo, "echoed bytes");
        s.shutdownOutput();
        assertEquals(-1, in.read(), "end of stream after the echo (server closes on our half-close)");
    }
}
