package io.ringline.testkit;

import io.ringline.CloseReason;
import io.ringline.spi.AcceptedSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The testkit driver against a stand-in core ({@link FakeCore}) written from the SPI alone: the
 * test's thread is the worker and polls.
 */
class DriverTest {

    private FakeCore.Services services;
    private TestkitWorkerIo io;
    private TestkitListener listener;
    private final FakeCore.Sink sink = new FakeCore.Sink();

    private void start(Map<String, Object> options) throws BindException {
        services = new FakeCore.Services(options);
        io = new TestkitWorkerIo(services, services.settings());
        listener = new TestkitListener(new InetSocketAddress(0), 16, sink, services.settings());
    }

    @AfterEach
    void closeAll() throws Exception {
        if (io != null) {
            io.close();
        }
        if (listener != null) {
            listener.close();
            listener.closed().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    /** Polls like a worker until {@code done}. */
    private void pollUntil(BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + Await.LONG.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            io.poll(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private FakeCore accept() throws InterruptedException {
        AcceptedSocket s = sink.accepted.poll(5, TimeUnit.SECONDS);
        assertTrue(s != null, "the listener dispatched the connection");
        io.adopt(s);
        return services.cores.getLast();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void aBlockingPollReturnsOnAWakeupOnPeerBytesAndAtItsTimeout() throws Exception {
        start(Map.of());
        TestPeer peer = TestPeer.connect(listener.localAddress());
        FakeCore core = accept();
        io.poll(0);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            io.wakeup();
            io.poll(-1); // returns: the wakeup came before it
            CompletableFuture.runAsync(() -> {
                try {
                    peer.output().write(1);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            while (core.received.size() == 0) {
                io.poll(-1); // returns once the byte arrived
            }
            long start = System.nanoTime();
            io.poll(TimeUnit.MILLISECONDS.toNanos(50));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50), "waited for the timeout");
        });
    }

    @Test
    void splitReadsDeliverEveryByteInOrderInChunksOfAtMostTheLimit() throws Exception {
        start(Map.of("testkit.maxReadChunk", 7));
        TestPeer peer = TestPeer.connect(listener.localAddress());
        FakeCore core = accept();
        byte[] data = random(100_000, 1);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                peer.output().write(data);
                peer.shutdownOutput();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        pollUntil(() -> core.inputEnded, "end of stream");
        writer.get(5, TimeUnit.SECONDS);
        assertArrayEquals(data, core.received.toByteArray());
        assertEquals(7, core.largestReceive);
        assertTrue(services.kernelEntered > 0 && services.opsSubmitted > 0, "stats counted");
    }

    @Test
    void shortWritesTakeAtMostTheChunkLimitAndTheWindow() throws Exception {
        start(Map.of("testkit.maxWriteChunk", 1000, "testkit.window", 4096));
        TestPeer peer = TestPeer.connect(listener.localAddress());
        FakeCore core = accept();
        byte[] data = random(100_000, 2);
        core.send(data);
        assertEquals(100_000 - 1000, core.outbound.bytes(), "the first flush wrote one chunk");
        CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return peer.input().readNBytes(data.length);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        pollUntil(() -> core.outbound.isEmpty(), "everything written");
        assertArrayEquals(data, reader.get(5, TimeUnit.SECONDS));
        assertTrue(core.flushes >= 100, "at least one flush per chunk, was " + core.flushes);
    }

    @Test
    void aPeerThatDoesNotReadStopsTheFlushAtTheWindow() throws Exception {
        start(Map.of("testkit.window", 1000));
        TestPeer peer = TestPeer.connect(listener.localAddress());
        FakeCore core = accept();
        core.send(random(5000, 3));
        for (int i = 0; i < 5; i++) {
            io.poll(0);
        }
        assertEquals(4000, core.outbound.bytes(), "the window holds 1000 unread bytes, no more");
        assertEquals(1000, peer.input().readNBytes(1000).length);
        pollUntil(() -> core.outbound.bytes() == 3000, "the room freed by the read refills");
    }

    @Test
    void aPausedConnectionGetsNothingUntilResumed() throws Exception {
        start(Map.of());
        TestPeer peer = TestPeer.connect(listener.localAddress());
        FakeCore core = accept();
        core.pause(true);
        peer.output().write(new byte[] {1, 2, 3});
        for (int i = 0; i < 5; i++) {
            io.poll(0);
        }
        assertEquals(0, core.received.size());
        core.pause(false);
        pollUntil(() -> core.received.size() == 3, "the bytes after the resume");
        assertEquals(0, io.bytesReceivedAfterPause());
    }

    @Test
    void aPeerResetFailsTheConnectionWithReset() throws Exception {
        start(Map.of());
        TestPeer peer = TestPeer.connect(listener.localAddress());
        FakeCore core = accept();
        peer.reset();
        pollUntil(() -> core.closed, "the reset reported");
        assertEquals(CloseReason.RESET, core.failed);
        assertFalse(peer.isConnected());
    }

    @Test
    void aServerResetFailsThePeersReadsAndAnOrderlyCloseEndsTheirStream() throws Exception {
        start(Map.of());
        TestPeer a = TestPeer.connect(listener.localAddress());
        FakeCore coreA = accept();
        TestPeer b = TestPeer.connect(listener.localAddress());
        FakeCore coreB = accept();
        coreA.close(true);
        IOException e = assertThrows(IOException.class, () -> a.input().read());
        assertEquals("Connection reset", e.getMessage());
        coreB.send(new byte[] {9});
        coreB.close(false);
        assertEquals(9, b.input().read());
        assertEquals(-1, b.input().read());
        assertNull(coreB.failed);
    }

    @Test
    void readsAreDelayedByTheReadDelay() throws Exception {
        start(Map.of("testkit.readDelayMillis", 100));
        TestPeer peer = TestPeer.connect(listener.localAddress());
        FakeCore core = accept();
        long written = System.nanoTime();
        peer.output().write(new byte[] {1, 2, 3});
        peer.shutdownOutput();
        pollUntil(() -> core.inputEnded, "end of stream");
        assertTrue(System.nanoTime() - written >= TimeUnit.MILLISECONDS.toNanos(100), "delivered after the delay");
        assertEquals(3, core.received.size());
    }

    @Test
    void aTakenPortFailsTheBindAndAClosedListenerRefusesConnects() throws Exception {
        start(Map.of());
        InetSocketAddress address = listener.localAddress();
        assertTrue(address.getPort() >= TestkitNetwork.FIRST_LISTEN_PORT);
        BindException e = assertThrows(BindException.class,
                () -> new TestkitListener(address, 16, sink, services.settings()));
        assertTrue(e.getMessage().contains("127.0.0.1:" + address.getPort()), e.getMessage());
        listener.close();
        listener.closed().toCompletableFuture().get(5, TimeUnit.SECONDS);
        ConnectException refused = assertThrows(ConnectException.class, () -> TestPeer.connect(address));
        assertTrue(refused.getMessage().contains(String.valueOf(address.getPort())), refused.getMessage());
        listener = new TestkitListener(address, 16, sink, services.settings()); // the port is free again
    }

    @Test
    void aConnectFromTheDriverReachesAListenerOnTheNextPoll() throws Exception {
        start(Map.of());
        CompletableFuture<io.ringline.Connection> result = new CompletableFuture<>();
        io.connect(listener.localAddress(), result);
        assertFalse(result.isDone(), "finished by the next poll");
        io.poll(0);
        assertTrue(result.isDone() && !result.isCompletedExceptionally());
        FakeCore client = services.cores.getLast();
        FakeCore server = accept();
        client.send(new byte[] {5, 6});
        pollUntil(() -> server.received.size() == 2, "bytes from the client core to the server core");

        CompletableFuture<io.ringline.Connection> refused = new CompletableFuture<>();
        io.connect(new InetSocketAddress("127.0.0.1", 1), refused);
        io.poll(0);
        Throwable cause = assertThrows(java.util.concurrent.ExecutionException.class, refused::get).getCause();
        assertTrue(cause instanceof ConnectException && cause.getMessage().contains("127.0.0.1:1"), cause.toString());
    }
}
