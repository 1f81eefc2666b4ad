package io.ringline.tests;

import io.ringline.CloseReason;
import io.ringline.Runtime;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.EchoHandler;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Echo of random payloads over many concurrent connections, compared byte for byte. */
class EchoTest extends BackendTest {

    private static final int CONNECTIONS = 200;
    private static final int MAX_PAYLOAD = 1 << 20;

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
        EchoHandler echo = EchoHandler.plain();
        long expectedTotal = 0;
        for (int s : sizes) {
            expectedTotal += s;
        }
        // The client writes a whole payload before reading it back, so the server's queue must hold a payload.
        try (Runtime rt = start(serverConfig().sendQueueLimit(2L * MAX_PAYLOAD), w -> echo);
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            // Open every connection first, so all CONNECTIONS are open at once.
            List<Client> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    sockets.add(connect(rt));
                }
                List<Future<?>> results = new ArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    Client s = sockets.get(i);
                    byte[] payload = Bytes.random(new Random(seed + i), sizes[i]);
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
                for (Client s : sockets) {
                    s.close();
                }
            }
            assertEquals(expectedTotal, echo.echoed(), "bytes echoed by the server (seed " + seed + ")");
            echo.awaitCloses(CONNECTIONS);
            // Each client half-closed after reading its echo; the default onInputClosed closes: PEER_CLOSED.
            assertEquals(List.of(CloseReason.PEER_CLOSED), echo.closeReasons().stream().distinct().toList(),
                    () -> "close reasons " + echo.closeReasons());
            assertEquals(List.of(), echo.offWorker(), "callbacks off their worker thread");
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
    private static void exchange(Client s, byte[] payload, Random random) throws Exception {
        OutputStream out = s.output();
        int off = 0;
        while (off < payload.length) {
            int n = Math.min(payload.length - off, 1 + random.nextInt(64 * 1024));
            out.write(payload, off, n);
            off += n;
        }
        out.flush();
        byte[] echo = s.readExactly(payload.length);
        assertArrayEquals(payload, echo, "echoed bytes");
        s.shutdownOutput();
        assertEquals(-1, s.read(), "end of stream after the echo (server closes on our half-close)");
    }
}
