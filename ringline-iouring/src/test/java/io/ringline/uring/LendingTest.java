package io.ringline.uring;

import io.ringline.Config;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Lent receive buffers end to end on a real ring, driven by {@link LendingCore} (the core's
 * {@code sendReceived} echo, against the SPI alone): the bytes go out from the provided buffers,
 * byte-exact; the lending budget caps what a slow reader holds, so other connections keep
 * receiving; closing gives every buffer back. The test's thread is the worker.
 */
class LendingTest {

    private static final int BUFFERS = 8;
    private static final int SIZE = 4096;
    private static final int BUDGET = 4;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private LendingCore.Services services;
    private UringWorkerIo io;
    private ServerSocket server;
    private final ExecutorService peers = Executors.newCachedThreadPool();

    @BeforeEach
    void open() throws Exception {
        UringTestSupport.requireIoUring();
        services = new LendingCore.Services(Config.builder().workers(1).recvBufferCount(BUFFERS).recvBufferSize(SIZE).build());
        UringFeatures features = new UringFeatures(true, BUDGET, false, false, 1 << 16, 64, 64, 16,
                TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.SECONDS.toNanos(5), 64, true, true, Map.of());
        io = new UringWorkerIo(services, null, features);
        server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        server.setReceiveBufferSize(8192); // accepted peers read slowly into small buffers
    }

    @AfterEach
    void close() throws Exception {
        peers.shutdownNow();
        if (io != null) {
            for (LendingCore c : services.cores) {
                c.close(true);
            }
            io.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private BufferRing ring() {
        return io.bufferRing();
    }

    /** Connects a connection of the ring to a fresh peer socket; {@return the peer} */
    private Socket connect() throws Exception {
        CompletableFuture<io.ringline.Connection> done = new CompletableFuture<>();
        io.connect(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()), done);
        pump("connected", done::isDone);
        done.get();
        Socket peer = server.accept();
        peer.setSoTimeout((int) WAIT.toMillis());
        return peer;
    }

    /** Runs the worker's ring (waits of up to 1 ms, so the wake timer is used too) until {@code condition}. */
    private void pump(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for: " + what + " (buffers out " + ring().buffersOut() + ", lent " + ring().lent() + ")");
            }
            io.poll(1_000_000);
            assertTrue(ring().lent() <= BUDGET, "lent " + ring().lent() + " buffers, beyond the budget of " + BUDGET);
        }
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed + (i >>> 9));
        }
        return b;
    }

    private Future<?> write(Socket peer, byte[] bytes) {
        return peers.submit(() -> {
            peer.getOutputStream().write(bytes);
            return null;
        });
    }

    private Future<byte[]> read(Socket peer, int n) {
        return peers.submit(() -> new DataInputStream(peer.getInputStream()).readNBytes(n));
    }

    @Test
    void echoedBytesGoOutFromTheLentBuffersByteExactAndEveryBufferComesBack() throws Exception {
        Socket peer = connect();
        LendingCore core = services.cores.get(0);
        byte[] msg = pattern(512 * 1024, 1);
        Future<?> w = write(peer, msg);
        Future<byte[]> r = read(peer, msg.length);
        pump("echo read back", r::isDone);
        w.get();
        assertArrayEquals(msg, r.get());
        assertTrue(core.lentSends > 0, "no send from lent memory (copies: " + core.copiedSends + ")");
        pump("every buffer back in the ring", () -> ring().buffersOut() == 0);
        assertEquals(0, ring().lent());
    }

    @Test
    void aSlowReaderHoldsAtMostTheBudgetAndAnotherConnectionKeepsReceiving() throws Exception {
        Socket slow = connect();
        LendingCore slowCore = services.cores.get(0);
        byte[] big = pattern(4 << 20, 2);
        Future<?> slowWrite = write(slow, big); // its echo is not read yet: sends stall, buffers stay lent
        pump("the slow reader holds the whole budget", () -> ring().lent() == BUDGET && slowCore.queued() > 0);
        assertTrue(slowCore.copiedSends > 0 || !slowWrite.isDone(), "beyond the budget the core must copy");

        Socket fast = connect();
        LendingCore fastCore = services.cores.get(1);
        byte[] msg = pattern(256 * 1024, 3);
        Future<?> w = write(fast, msg);
        Future<byte[]> r = read(fast, msg.length);
        pump("the other connection's echo", r::isDone);
        w.get();
        assertArrayEquals(msg, r.get(), "the other connection's bytes");
        assertTrue(fastCore.received == msg.length);

        Future<byte[]> slowRead = read(slow, big.length);
        pump("the slow reader's echo", slowRead::isDone);
        slowWrite.get();
        assertArrayEquals(big, slowRead.get(), "the slow reader's bytes, lent and copied ones in order");
        assertTrue(slowCore.lentSends > 0 && slowCore.copiedSends > 0,
                "lent " + slowCore.lentSends + ", copied " + slowCore.copiedSends);
        pump("every buffer back in the ring", () -> ring().buffersOut() == 0);
    }

    @Test
    void closingAConnectionWithLentBuffersGivesThemBackAndTheRingReceivesAFullRingAgain() throws Exception {
        Socket slow = connect();
        LendingCore slowCore = services.cores.get(0);
        write(slow, pattern(4 << 20, 4));
        pump("lent buffers held by a stalled send queue", () -> ring().lent() == BUDGET && slowCore.queued() > 0);
        slowCore.close(true); // the core discards the queue; the transport cancels the send in flight
        pump("every buffer back after the close", () -> ring().buffersOut() == 0 && ring().lent() == 0);
        slow.close();

        Socket next = connect();
        byte[] msg = pattern(4 * BUFFERS * SIZE, 5); // four rings' worth
        Future<?> w = write(next, msg);
        Future<byte[]> r = read(next, msg.length);
        pump("a full ring's worth received and echoed again", r::isDone);
        w.get();
        assertArrayEquals(msg, r.get());
        assertTrue(services.cores.get(1).lentSends > 0);
        pump("every buffer back in the ring", () -> ring().buffersOut() == 0);
    }
}
