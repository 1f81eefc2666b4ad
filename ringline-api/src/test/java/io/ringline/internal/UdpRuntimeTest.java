package io.ringline.internal;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.DatagramHandler;
import io.ringline.Handler;
import io.ringline.RinglineException;
import io.ringline.Runtime;
import io.ringline.UdpMode;
import io.ringline.UdpSocket;
import io.ringline.WorkerContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core's UDP wiring in a runtime over the in-memory {@link FakeUdpBackendProvider}: bindings at
 * start (order, ports, modes, failures), {@link WorkerContext#openUdp}, delivery and sends through
 * the loop, and the shutdown drain.
 */
class UdpRuntimeTest {

    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    /** A handler for TCP and UDP: echoes datagrams and records what it saw (worker thread only). */
    static final class EchoServer extends UdpRecorder implements Handler {
        @Override
        public int onData(Connection connection, ByteBuffer data) {
            return data.remaining();
        }

        @Override
        public void onDatagram(UdpSocket socket, InetSocketAddress sender, ByteBuffer datagram) {
            super.onDatagram(socket, sender, datagram);
            socket.sendTo(sender, datagram);
        }
    }

    /** A TCP-only handler. */
    static final class TcpOnly implements Handler {
        @Override
        public int onData(Connection connection, ByteBuffer data) {
            return data.remaining();
        }
    }

    @BeforeEach
    void clear() {
        FakeUdpBackendProvider.OPENED.clear();
    }

    private static Config.Builder config(String backend, int workers) {
        return Config.builder().backend(backend).workers(workers).shutdownGracePeriod(Duration.ofSeconds(10));
    }

    private static <T> T onWorker(Runtime rt, int worker, Callable<T> action) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        rt.worker(worker).execute(() -> {
            try {
                f.complete(action.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        }
    }

    /** Polls {@code condition} on the worker thread until it holds (deadline 20 s). */
    private static void awaitOnWorker(Runtime rt, int worker, BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long pause = 100_000;
        while (!onWorker(rt, worker, condition::getAsBoolean)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 10_000_000);
        }
    }

    private static FakeUdpTransport transportOf(int worker) {
        return FakeUdpBackendProvider.OPENED.stream().filter(o -> o.workerId() == worker).findFirst().orElseThrow().transport();
    }

    // ---------------------------------------------------------------- bindings

    @Test
    void aPerWorkerBindingOpensWorkerZeroFirstThenTheOthersOnItsPortOneAfterAnother() throws Exception {
        try (Runtime rt = Runtime.start(config("fake-udp", 3).bindUdp(ANY_LOOPBACK).build(), w -> new EchoServer())) {
            List<FakeUdpBackendProvider.Opened> opened = FakeUdpBackendProvider.OPENED;
            assertEquals(List.of(0, 1, 2), opened.stream().map(FakeUdpBackendProvider.Opened::workerId).toList());
            int port = opened.get(0).transport().local.getPort();
            assertEquals(ANY_LOOPBACK, opened.get(0).requested());
            for (FakeUdpBackendProvider.Opened o : opened) {
                assertTrue(o.reusePort());
                assertNull(o.remote());
                assertEquals(port, o.transport().local.getPort());
                assertTrue(o.thread().getName().endsWith("worker-" + o.workerId()), o.thread().getName());
            }
            assertEquals(List.of(new InetSocketAddress("127.0.0.1", port)), rt.udpAddresses());
            for (int w = 0; w < 3; w++) {
                int id = w;
                List<UdpSocket> sockets = onWorker(rt, w, () -> rt.worker(id).udpSockets());
                assertEquals(1, sockets.size());
                assertEquals(port, sockets.get(0).localAddress().getPort());
                assertEquals(w, sockets.get(0).workerId());
                assertTrue(onWorker(rt, w, () -> transportOf(id).receiving), "started receiving");
            }
        }
    }

    @Test
    void aSharedBindingOpensOneSocketOnWorkerZero() throws Exception {
        Config c = config("fake-udp", 2).bindUdp(ANY_LOOPBACK, UdpMode.SHARED).bindUdp(ANY_LOOPBACK).build();
        try (Runtime rt = Runtime.start(c, w -> new EchoServer())) {
            List<FakeUdpBackendProvider.Opened> opened = FakeUdpBackendProvider.OPENED;
            assertEquals(List.of(0, 0, 1), opened.stream().map(FakeUdpBackendProvider.Opened::workerId).toList());
            assertFalse(opened.get(0).reusePort());
            assertEquals(2, rt.udpAddresses().size());
            assertEquals(opened.get(0).transport().local, rt.udpAddresses().get(0));
            assertEquals(opened.get(1).transport().local, rt.udpAddresses().get(1));
            assertEquals(List.of(opened.get(0).transport().local, opened.get(1).transport().local),
                    onWorker(rt, 0, () -> rt.worker(0).udpSockets().stream().map(UdpSocket::localAddress).toList()),
                    "binding order");
            assertEquals(1, onWorker(rt, 1, () -> rt.worker(1).udpSockets().size()));
        }
    }

    @Test
    void aBackendWithoutUdpFailsTheStartNamingIt() {
        RinglineException e = assertThrows(RinglineException.class,
                () -> Runtime.start(config("fake-noudp", 1).bindUdp(ANY_LOOPBACK).build(), w -> new EchoServer()));
        assertTrue(e.getMessage().contains("fake-noudp") && e.getMessage().contains("UDP"), e.getMessage());
    }

    @Test
    void aHandlerThatIsNoDatagramHandlerFailsTheStartNamingIt() {
        RinglineException e = assertThrows(RinglineException.class,
                () -> Runtime.start(config("fake-udp", 2).bindUdp(ANY_LOOPBACK).build(), w -> new TcpOnly()));
        assertTrue(e.getMessage().contains(TcpOnly.class.getName()) && e.getMessage().contains("DatagramHandler"),
                e.getMessage());
        assertTrue(FakeUdpBackendProvider.OPENED.isEmpty());
    }

    @Test
    void aBindFailureRollsTheStartBackNamingTheAddress() {
        InetSocketAddress busy = new InetSocketAddress("127.0.0.1", FakeUdpBackendProvider.BUSY_PORT);
        RinglineException e = assertThrows(RinglineException.class, () -> Runtime.start(
                config("fake-udp", 2).bindUdp(ANY_LOOPBACK).bindUdp(busy).build(), w -> new EchoServer()));
        assertTrue(e.getMessage().contains(busy.toString()), e.getMessage());
        assertEquals(2, FakeUdpBackendProvider.OPENED.size());
        for (FakeUdpBackendProvider.Opened o : FakeUdpBackendProvider.OPENED) {
            assertEquals(1, o.transport().closes, "the sockets already bound are closed");
        }
    }

    // ---------------------------------------------------------------- traffic

    @Test
    void datagramsReachTheHandlerAndItsSendsGoOutCounted() throws Exception {
        EchoServer[] servers = new EchoServer[1];
        try (Runtime rt = Runtime.start(config("fake-udp", 1).bindUdp(ANY_LOOPBACK).build(),
                w -> servers[0] = new EchoServer())) {
            InetSocketAddress client = new InetSocketAddress("127.0.0.1", 5555);
            onWorker(rt, 0, () -> {
                transportOf(0).receive(client, new byte[]{1, 2, 3}, false);
                transportOf(0).receive(client, new byte[]{4}, false);
                return null;
            });
            awaitOnWorker(rt, 0, () -> transportOf(0).sent.size() == 2, "the echoes");
            onWorker(rt, 0, () -> {
                FakeUdpTransport t = transportOf(0);
                assertEquals(1, t.flushes, "both echoes in one flush");
                assertEquals(client, t.sent.get(0).target());
                assertArrayEquals(new byte[]{1, 2, 3}, t.sent.get(0).bytes());
                assertEquals(2, servers[0].datagrams.size());
                var stats = rt.worker(0).stats();
                assertEquals(2, stats.datagramsReceived());
                assertEquals(2, stats.datagramsSent());
                assertEquals(4, stats.bytesIn());
                assertEquals(4, stats.bytesOut());
                return null;
            });
        }
    }

    @Test
    void openUdpOpensOnTheWorkerAndListsAfterTheBoundSockets() throws Exception {
        try (Runtime rt = Runtime.start(config("fake-udp", 1).bindUdp(ANY_LOOPBACK).build(), w -> new EchoServer())) {
            InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 7777);
            UdpRecorder own = new UdpRecorder();
            UdpSocket[] s = onWorker(rt, 0, () -> new UdpSocket[]{
                    rt.worker(0).openUdp(ANY_LOOPBACK, own), rt.worker(0).openUdp(ANY_LOOPBACK, peer, own)});
            List<FakeUdpBackendProvider.Opened> opened = FakeUdpBackendProvider.OPENED;
            assertEquals(3, opened.size());
            assertFalse(opened.get(1).reusePort());
            assertEquals(peer, opened.get(2).remote());
            assertEquals(opened.get(1).transport().local, s[0].localAddress(), "any thread");
            assertEquals(peer, s[1].remoteAddress().orElseThrow());
            assertTrue(s[0].isOpen());
            assertEquals(0, s[1].workerId());
            IllegalStateException off = assertThrows(IllegalStateException.class, () -> s[0].sendTo(peer, ByteBuffer.allocate(1)));
            assertTrue(off.getMessage().contains("worker thread"), off.getMessage());
            assertThrows(IllegalStateException.class, () -> s[0].close());
            assertThrows(IllegalStateException.class, () -> rt.worker(0).udpSockets());
            assertThrows(IllegalStateException.class, () -> rt.worker(0).openUdp(ANY_LOOPBACK, own));
            assertEquals(List.of(rt.udpAddresses().get(0), s[0].localAddress(), s[1].localAddress()),
                    onWorker(rt, 0, () -> rt.worker(0).udpSockets().stream().map(UdpSocket::localAddress).toList()));
            onWorker(rt, 0, () -> {
                s[0].close();
                return null;
            });
            assertFalse(s[0].isOpen());
            assertEquals(List.of(s[1]), onWorker(rt, 0, () -> rt.worker(0).udpSockets().subList(1, 2)));
            assertEquals(1, own.closeCalls);
        }
    }

    @Test
    void openUdpFailuresNameTheAddressOrTheBackend() throws Exception {
        try (Runtime rt = Runtime.start(config("fake-udp", 1).build(), w -> new EchoServer())) {
            InetSocketAddress busy = new InetSocketAddress("127.0.0.1", FakeUdpBackendProvider.BUSY_PORT);
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> onWorker(rt, 0, () -> rt.worker(0).openUdp(busy, new UdpRecorder())));
            assertTrue(e.getMessage().contains(busy.toString()), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> onWorker(rt, 0, () -> rt.worker(0).openUdp(ANY_LOOPBACK,
                    InetSocketAddress.createUnresolved("example.invalid", 1), new UdpRecorder())));
            assertEquals(0, onWorker(rt, 0, () -> rt.worker(0).udpSockets().size()));
            IllegalStateException closing = assertThrows(IllegalStateException.class, () -> onWorker(rt, 0, () -> {
                ((Worker) rt.worker(0)).beginShutdown();
                return rt.worker(0).openUdp(ANY_LOOPBACK, new UdpRecorder());
            }));
            assertTrue(closing.getMessage().contains("shutting down"), closing.getMessage());
        }
        try (Runtime rt = Runtime.start(config("fake-noudp", 1).build(), w -> new EchoServer())) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> onWorker(rt, 0, () -> rt.worker(0).openUdp(ANY_LOOPBACK, new UdpRecorder())));
            assertTrue(e.getMessage().contains("fake-noudp"), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- shutdown

    @Test
    void shutdownSendsWhatIsQueuedThenCloses() throws Exception {
        EchoServer[] servers = new EchoServer[1];
        Runtime rt = Runtime.start(config("fake-udp", 1).bindUdp(ANY_LOOPBACK).build(), w -> servers[0] = new EchoServer());
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 6000);
        onWorker(rt, 0, () -> {
            transportOf(0).takePerFlush = 0; // the socket takes nothing for now
            UdpSocket s = rt.worker(0).udpSockets().get(0);
            for (int i = 0; i < 3; i++) {
                s.sendTo(peer, ByteBuffer.allocate(10));
            }
            return null;
        });
        onWorker(rt, 0, () -> {
            transportOf(0).takePerFlush = Integer.MAX_VALUE; // takes them at the next flush: the shutdown's
            rt.shutdownHandle().shutdown();
            return null;
        });
        assertTrue(rt.awaitTermination(Duration.ofSeconds(20)));
        FakeUdpTransport t = transportOf(0);
        assertEquals(3, t.sent.size());
        assertEquals(1, t.closes);
        assertEquals(1, servers[0].closeCalls);
        assertNull(servers[0].closes.get(0));
        assertEquals(3, rt.worker(0).stats().datagramsSent());
        assertEquals(0, rt.worker(0).stats().datagramSendFailures());
    }

    @Test
    void shutdownClosesAtTheEndOfTheGracePeriodDroppingWhatIsLeft() throws Exception {
        EchoServer[] servers = new EchoServer[1];
        Runtime rt = Runtime.start(config("fake-udp", 1).bindUdp(ANY_LOOPBACK).shutdownGracePeriod(Duration.ofMillis(200))
                .build(), w -> servers[0] = new EchoServer());
        onWorker(rt, 0, () -> {
            transportOf(0).takePerFlush = 0; // never takes anything
            UdpSocket s = rt.worker(0).udpSockets().get(0);
            s.sendTo(new InetSocketAddress("127.0.0.1", 6000), ByteBuffer.allocate(10));
            s.sendSegmentsTo(new InetSocketAddress("127.0.0.1", 6000), ByteBuffer.allocate(20), 10);
            return null;
        });
        rt.shutdownHandle().shutdown();
        assertTrue(rt.awaitTermination(Duration.ofSeconds(20)));
        assertEquals(1, transportOf(0).closes);
        assertEquals(1, servers[0].closeCalls);
        assertEquals(3, rt.worker(0).stats().datagramSendFailures());
        assertInstanceOf(Worker.class, rt.worker(0));
    }
}
