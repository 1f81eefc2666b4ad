package io.ringline.tests.udp;

import io.ringline.Handler;
import io.ringline.RinglineException;
import io.ringline.Runtime;
import io.ringline.UdpMode;
import io.ringline.UdpSocket;
import io.ringline.WorkerContext;
import io.ringline.spi.Capability;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.Leaks;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.Requires;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * UDP sockets from start to shutdown: which worker holds which socket, {@code close()}, what
 * shutdown sends and releases, and the starts that must fail.
 */
@Requires(Capability.UDP)
class UdpLifecycleTest extends BackendTest {

    /** Descriptors the JVM may open on its own meanwhile; a leak of one per failed start shows as >= {@value #REPEATS}. */
    private static final int FD_TOLERANCE = 3;
    private static final int REPEATS = 5;

    /** A TCP-only handler: not a {@link io.ringline.DatagramHandler}. */
    private static final class TcpOnlyHandler implements Handler {
        @Override
        public int onData(io.ringline.Connection connection, ByteBuffer data) {
            return data.remaining();
        }
    }

    private static List<InetSocketAddress> addresses(List<UdpSocket> sockets) {
        return sockets.stream().map(UdpSocket::localAddress).toList();
    }

    @Test
    void socketsAreListedPerWorkerAndCloseCallsOnUdpClosedOnce() throws Exception {
        UdpRecorder rec = UdpRecorder.recording();
        UdpRecorder openedHandler = UdpRecorder.recording();
        try (Runtime rt = start(clientConfig().bindUdp(loopbackAnyPort(), UdpMode.SHARED).bindUdp(loopbackAnyPort(), UdpMode.PER_WORKER),
                w -> rec)) {
            List<InetSocketAddress> bound = rt.udpAddresses();
            assertEquals(2, bound.size(), "one address per binding: " + bound);
            for (InetSocketAddress a : bound) {
                assertNotEquals(0, a.getPort(), "the real port, not 0: " + a);
                assertEquals(loopbackAnyPort().getAddress(), a.getAddress(), "the bound address: " + a);
            }
            InetSocketAddress shared = bound.get(0);
            InetSocketAddress perWorker = bound.get(1);
            WorkerContext w0 = rt.worker(0);
            WorkerContext w1 = rt.worker(1);
            assertEquals(List.of(shared, perWorker), OnWorker.call(w0, () -> addresses(w0.udpSockets())),
                    "worker 0: the SHARED socket, then its PER_WORKER socket, in binding order");
            assertEquals(List.of(perWorker), OnWorker.call(w1, () -> addresses(w1.udpSockets())),
                    "worker 1: its PER_WORKER socket only (on the same port)");
            for (WorkerContext w : List.of(w0, w1)) {
                OnWorker.run(w, () -> {
                    for (UdpSocket s : w.udpSockets()) {
                        assertEquals(w.workerId(), s.workerId(), "workerId of " + s.localAddress());
                        assertTrue(s.isOpen(), "open: " + s.localAddress());
                        assertEquals(java.util.Optional.empty(), s.remoteAddress(), "a bound socket is not connected");
                    }
                });
            }
            UdpSocket opened = OnWorker.call(w1, () -> w1.openUdp(loopbackAnyPort(), openedHandler));
            assertNotEquals(0, opened.localAddress().getPort(), "opened socket: the real port");
            assertEquals(1, opened.workerId(), "owned by the worker that opened it");
            assertEquals(List.of(perWorker, opened.localAddress()), OnWorker.call(w1, () -> addresses(w1.udpSockets())),
                    "worker 1: bound sockets first, then opened ones");
            OnWorker.run(w1, () -> {
                opened.close();
                opened.close();
            });
            openedHandler.awaitCloses(1);
            assertFalse(opened.isOpen(), "closed");
            assertEquals(List.of(perWorker), OnWorker.call(w1, () -> addresses(w1.udpSockets())), "a closed socket is no longer listed");
            UdpRecorder.Closed c = openedHandler.closes().get(0);
            assertEquals(opened, c.socket(), "onUdpClosed names the socket");
            assertNull(c.cause(), "close(): cause null");
            assertEquals(OnWorker.call(w1, Thread::currentThread), c.thread(), "onUdpClosed on the socket's worker");
            assertEquals(List.of(), rec.closes(), "the bound sockets are still open");
            // A closed socket releases its port.
            Await.until(() -> canBind(opened.localAddress()), "the closed socket's port " + opened.localAddress() + " can be bound again");
            assertEquals(1, openedHandler.closes().size(), "onUdpClosed ran once for two close() calls");
        }
    }

    @Test
    void shutdownSendsWhatWasQueuedClosesEverySocketOnceAndReleasesThePorts() throws Exception {
        UdpRecorder rec = UdpRecorder.recording();
        UdpRecorder openedHandler = UdpRecorder.recording();
        List<byte[]> queued = new java.util.ArrayList<>();
        Random random = new Random(16);
        for (int i = 0; i < 16; i++) {
            queued.add(Bytes.random(random, 30_000));
        }
        List<InetSocketAddress> bound;
        InetSocketAddress openedAddress;
        Runtime rt = start(clientConfig().bindUdp(loopbackAnyPort(), UdpMode.SHARED).bindUdp(loopbackAnyPort(), UdpMode.PER_WORKER),
                w -> rec);
        try (UdpPeer client = UdpPeer.bind(loopbackAnyPort())) {
            bound = rt.udpAddresses();
            WorkerContext w0 = rt.worker(0);
            WorkerContext w1 = rt.worker(1);
            UdpSocket opened = OnWorker.call(w1, () -> w1.openUdp(loopbackAnyPort(), openedHandler));
            openedAddress = opened.localAddress();
            // Queue 480 KB and start the shutdown in the same task: shutdown sends it before closing.
            OnWorker.run(w0, () -> {
                UdpSocket s = w0.udpSockets().get(0);
                for (byte[] d : queued) {
                    s.sendTo(client.localAddress(), ByteBuffer.wrap(d));
                }
                rt.shutdownHandle().shutdown();
            });
            rt.close();
            for (int i = 0; i < queued.size(); i++) {
                assertArrayEquals(queued.get(i), client.receive("datagram " + i + " of " + queued.size() + " queued just before shutdown"),
                        "datagram " + i + " queued before shutdown");
            }
            assertNull(client.tryReceive(Duration.ofMillis(200)), "nothing else");
        } finally {
            rt.close();
        }
        // SHARED on worker 0, PER_WORKER on both: three bound sockets, one opened.
        assertEquals(3, rec.closes().size(), "onUdpClosed once per bound socket: " + rec.closes());
        assertEquals(3, new HashSet<>(rec.closes().stream().map(UdpRecorder.Closed::socket).toList()).size(), "three distinct sockets");
        assertEquals(1, openedHandler.closes().size(), "onUdpClosed once for the opened socket");
        for (UdpRecorder.Closed c : rec.closes()) {
            assertNull(c.cause(), "closed at shutdown: cause null");
            assertFalse(c.socket().isOpen(), "closed: " + c.socket().localAddress());
        }
        assertNull(openedHandler.closes().get(0).cause(), "opened socket closed at shutdown: cause null");
        // Every port can be bound again at once (without SO_REUSEPORT): the sockets are closed.
        for (InetSocketAddress a : List.of(bound.get(0), bound.get(1), openedAddress)) {
            try (DatagramSocket again = new DatagramSocket(a)) {
                assertEquals(a.getPort(), again.getLocalPort());
            }
        }
    }

    @Test
    void aUdpBindingWithAHandlerThatIsNoDatagramHandlerFailsStartNamingTheClass() {
        Set<Thread> threadsBefore = Leaks.ringlineThreads();
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> start(clientConfig().bindUdp(loopbackAnyPort()), w -> new TcpOnlyHandler()).close());
        causeChainContaining(e, TcpOnlyHandler.class.getSimpleName());
        Leaks.awaitNoNewRinglineThreads(threadsBefore, Duration.ofSeconds(10));
    }

    @Test
    @Requires(value = Capability.OS_SOCKETS, why = "a JDK socket holds the port; counts file descriptors")
    void aUdpAddressInUseFailsStartNamingItAndLeavesNothing() throws Exception {
        try (DatagramSocket occupied = new DatagramSocket(loopbackAnyPort())) {
            InetSocketAddress taken = (InetSocketAddress) occupied.getLocalSocketAddress();
            for (UdpMode mode : UdpMode.values()) {
                Set<Thread> threadsBefore = Leaks.ringlineThreads();
                // The first binding succeeds and must be closed again when the second fails.
                failingStart(taken, mode); // warm-up
                Leaks.awaitNoNewRinglineThreads(threadsBefore, Duration.ofSeconds(10));
                long fdsBefore = Leaks.openFileDescriptors();
                for (int i = 0; i < REPEATS; i++) {
                    failingStart(taken, mode);
                    Leaks.awaitNoNewRinglineThreads(threadsBefore, Duration.ofSeconds(10));
                }
                long now = Leaks.openFileDescriptors();
                assertTrue(now <= fdsBefore + FD_TOLERANCE, mode + ": descriptors " + fdsBefore + " before " + REPEATS + " failed starts, " + now + " after");
            }
        }
    }

    private void failingStart(InetSocketAddress taken, UdpMode mode) {
        UdpRecorder rec = UdpRecorder.recording();
        RinglineException e = assertThrows(RinglineException.class,
                () -> start(clientConfig().bindUdp(loopbackAnyPort(), mode).bindUdp(taken, mode), w -> rec).close(),
                mode + " binding of " + taken + ", held by a JDK socket");
        causeChainContaining(e, String.valueOf(taken.getPort()));
        assertEquals(List.of(), rec.datagrams(), "nothing served");
    }

    private static boolean canBind(InetSocketAddress address) {
        try (DatagramSocket s = new DatagramSocket(address)) {
            return s.getLocalPort() == address.getPort();
        } catch (java.net.SocketException inUse) {
            return false;
        }
    }

    private static Throwable causeChainContaining(Throwable e, String text) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains(text)) {
                return t;
            }
        }
        throw new AssertionError("no cause of " + e + " mentions '" + text + "'", e);
    }
}
