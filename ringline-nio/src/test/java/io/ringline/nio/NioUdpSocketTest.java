package io.ringline.nio;

import io.ringline.Config;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NioWorkerIo#openUdp} through the SPI with a {@link FakeUdpCore}: the test thread is the
 * worker and polls the driver itself, against plain {@link DatagramSocket} peers on loopback.
 */
class NioUdpSocketTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private NioWorkerIo io;

    @AfterEach
    void closeWorker() {
        if (io != null) {
            io.close();
        }
    }

    private NioWorkerIo worker(Config.Builder config, Map<String, Object> options) throws IOException {
        io = new NioWorkerIo(new FakeWorkerServices(config.build(), options));
        return io;
    }

    private NioWorkerIo worker() throws IOException {
        return worker(Config.builder(), Map.of());
    }

    private NioUdpSocket open(FakeUdpCore core, InetSocketAddress local, InetSocketAddress remote, boolean reusePort)
            throws IOException {
        NioUdpSocket s = (NioUdpSocket) io.openUdp(core, local, remote, reusePort);
        core.transport = s;
        return s;
    }

    private static InetSocketAddress anyLoopbackPort() {
        return new InetSocketAddress(LOOPBACK, 0);
    }

    /** Polls the driver until {@code condition} holds, failing after 10 s. */
    private void pollUntil(BooleanSupplier condition, String what) throws IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, what + " within 10 s");
            io.poll(10_000_000L);
        }
    }

    private static DatagramSocket peer() throws IOException {
        DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        peer.setSoTimeout(10_000);
        return peer;
    }

    private static void sendFrom(DatagramSocket peer, InetSocketAddress to, byte[] bytes) throws IOException {
        peer.send(new DatagramPacket(bytes, bytes.length, to));
    }

    private static byte[] receiveAt(DatagramSocket peer, int max) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[max], max);
        peer.receive(p);
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void receivesFromAnySenderAndSendsToEachTarget() throws Exception {
        worker();
        FakeUdpCore core = new FakeUdpCore();
        NioUdpSocket s = open(core, anyLoopbackPort(), null, false);
        InetSocketAddress local = s.localAddress();
        assertNotEquals(0, local.getPort(), "the real port after binding port 0");
        assertFalse(s.segmentationOffload());
        assertFalse(s.receiveOffload());
        s.startReceiving();
        try (DatagramSocket a = peer(); DatagramSocket b = peer()) {
            sendFrom(a, local, "from a".getBytes());
            sendFrom(b, local, "from b".getBytes());
            sendFrom(a, local, new byte[0]);
            pollUntil(() -> core.received.size() == 3, "three datagrams");
            assertEquals(a.getLocalSocketAddress(), core.received.get(0).sender());
            assertEquals("from a", new String(core.received.get(0).bytes()));
            assertEquals(b.getLocalSocketAddress(), core.received.get(1).sender());
            assertEquals("from b", new String(core.received.get(1).bytes()));
            assertEquals(0, core.received.get(2).bytes().length, "an empty datagram");
            assertFalse(core.received.get(0).truncated());

            core.queue((InetSocketAddress) a.getLocalSocketAddress(), "to a".getBytes());
            core.queue((InetSocketAddress) b.getLocalSocketAddress(), bytes(1000, 7));
            core.queue((InetSocketAddress) a.getLocalSocketAddress(), new byte[0]);
            s.flush();
            assertEquals(3, core.sentEntries, "all taken at once, positions kept (FakeUdpCore checks)");
            assertEquals(0, core.queued());
            assertEquals(1, core.flushes);
            assertEquals("to a", new String(receiveAt(a, 100)));
            assertArrayEquals(bytes(1000, 7), receiveAt(b, 2000));
            assertEquals(0, receiveAt(a, 100).length, "an empty datagram");
            assertTrue(core.sendFailures.isEmpty(), core.sendFailures::toString);
        }
    }

    @Test
    void aConnectedSocketSendsToItsPeerAndReceivesOnlyFromIt() throws Exception {
        worker();
        try (DatagramSocket peer = peer(); DatagramSocket stranger = peer()) {
            FakeUdpCore core = new FakeUdpCore();
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
            NioUdpSocket s = open(core, anyLoopbackPort(), peerAddress, false);
            s.startReceiving();
            core.queue(null, "hello".getBytes());
            core.queue(peerAddress, "again".getBytes());
            s.flush();
            assertEquals(2, core.sentEntries);
            assertEquals("hello", new String(receiveAt(peer, 100)));
            assertEquals("again", new String(receiveAt(peer, 100)));
            sendFrom(stranger, s.localAddress(), "not for you".getBytes());
            sendFrom(peer, s.localAddress(), "reply".getBytes());
            pollUntil(() -> !core.received.isEmpty(), "the reply");
            assertEquals("reply", new String(core.received.getFirst().bytes()));
            assertEquals(peerAddress, core.received.getFirst().sender());
            io.poll(0);
            assertEquals(1, core.received.size(), "the kernel filters other senders of a connected socket");
        }
    }

    /** {@link java.nio.channels.DatagramChannel#write} skips an empty buffer: reported, not lost silently. */
    @Test
    void anEmptyDatagramOnAConnectedSocketIsASendFailureAndTheNextGoesOut() throws Exception {
        worker();
        try (DatagramSocket peer = peer()) {
            FakeUdpCore core = new FakeUdpCore();
            NioUdpSocket s = open(core, anyLoopbackPort(), (InetSocketAddress) peer.getLocalSocketAddress(), false);
            core.queue(null, new byte[0]);
            core.queue(null, "next".getBytes());
            s.flush();
            assertEquals(1, core.sendFailures.size());
            assertTrue(core.sendFailures.getFirst().getMessage().contains("empty datagram"),
                    core.sendFailures.getFirst().getMessage());
            assertEquals(1, core.sentEntries);
            assertEquals("next", new String(receiveAt(peer, 100)));
        }
    }

    /** The buffer holds maxDatagramSize + 1 bytes: a datagram that fills it was cut. */
    @Test
    void aDatagramLargerThanMaxDatagramSizeIsDeliveredCutAndFlaggedTruncated() throws Exception {
        worker(Config.builder().maxDatagramSize(100), Map.of());
        FakeUdpCore core = new FakeUdpCore();
        NioUdpSocket s = open(core, anyLoopbackPort(), null, false);
        s.startReceiving();
        try (DatagramSocket peer = peer()) {
            sendFrom(peer, s.localAddress(), bytes(99, 1));
            sendFrom(peer, s.localAddress(), bytes(100, 2));
            sendFrom(peer, s.localAddress(), bytes(101, 3));
            sendFrom(peer, s.localAddress(), bytes(5000, 4));
            pollUntil(() -> core.received.size() == 4, "four datagrams");
        }
        assertArrayEquals(bytes(99, 1), core.received.get(0).bytes());
        assertFalse(core.received.get(0).truncated());
        assertArrayEquals(bytes(100, 2), core.received.get(1).bytes());
        assertFalse(core.received.get(1).truncated(), "exactly maxDatagramSize is whole");
        assertArrayEquals(Arrays.copyOf(bytes(101, 3), 100), core.received.get(2).bytes());
        assertTrue(core.received.get(2).truncated(), "one byte more is cut");
        assertArrayEquals(Arrays.copyOf(bytes(5000, 4), 100), core.received.get(3).bytes());
        assertTrue(core.received.get(3).truncated());
    }

    /** No socket behind the peer's port: its ICMP port unreachable surfaces on the next receive. */
    @Test
    void anIcmpPortUnreachableOnAConnectedSocketIsAnAsyncErrorAndReceivingGoesOn() throws Exception {
        worker();
        InetSocketAddress dead = deadPort();
        FakeUdpCore core = new FakeUdpCore();
        NioUdpSocket s = open(core, anyLoopbackPort(), dead, false);
        s.startReceiving();
        core.queue(null, "anyone?".getBytes());
        s.flush();
        assertEquals(1, core.sentEntries, "the first send goes out: the error comes back later");
        pollUntil(() -> !core.asyncErrors.isEmpty(), "the ICMP error");
        IOException e = core.asyncErrors.getFirst();
        assertTrue(e instanceof PortUnreachableException, e::toString);
        assertTrue(e.getMessage().contains(dead.toString()), e.getMessage());
        assertNull(core.failure, "the socket stays open");
        io.poll(0);
        assertEquals(1, core.asyncErrors.size(), "reported once");
        // Still receiving: a datagram from the (now bound) peer port arrives.
        try (DatagramSocket peer = new DatagramSocket(dead)) {
            sendFrom(peer, s.localAddress(), "back".getBytes());
            pollUntil(() -> !core.received.isEmpty(), "a datagram after the error");
        }
        assertNull(core.failure);
    }

    /** Without a receive the ICMP error stays pending and the next send reports it: that datagram fails, the next goes out. */
    @Test
    void aSendRefusedByTheKernelIsASendFailureAndTheQueueGoesOn() throws Exception {
        worker();
        InetSocketAddress dead = deadPort();
        FakeUdpCore core = new FakeUdpCore();
        NioUdpSocket s = open(core, anyLoopbackPort(), dead, false); // not receiving
        core.queue(null, "one".getBytes());
        s.flush();
        assertEquals(1, core.sentEntries);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (core.sendFailures.isEmpty()) {
            assertTrue(System.nanoTime() - deadline < 0, "a refused send within 10 s");
            core.queue(null, "two".getBytes());
            core.queue(null, "three".getBytes());
            s.flush();
        }
        assertTrue(core.sendFailures.getFirst() instanceof PortUnreachableException, core.sendFailures::toString);
        assertEquals(0, core.queued(), "the one after the refused datagram was sent");
        assertNull(core.failure);
    }

    /** The reports follow the queue: the datagrams before a refused one are reported sent first. */
    @Test
    void aTargetOfTheOtherFamilyIsASendFailureNamingItInQueueOrder() throws Exception {
        worker();
        FakeUdpCore core = new FakeUdpCore();
        NioUdpSocket s = open(core, anyLoopbackPort(), null, false);
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 9);
        try (DatagramSocket peer = peer()) {
            InetSocketAddress p = (InetSocketAddress) peer.getLocalSocketAddress();
            core.queue(p, "w".getBytes());
            core.queue(p, "x".getBytes());
            core.queue(v6, "-".getBytes());
            core.queue(p, "y".getBytes());
            s.flush();
            assertEquals(java.util.List.of("sent 2", "failed", "sent 1", "flushed"), core.sendEvents);
            assertTrue(core.sendFailures.getFirst().getMessage().contains(v6.toString()), core.sendFailures::toString);
            assertEquals("w", new String(receiveAt(peer, 10)));
            assertEquals("x", new String(receiveAt(peer, 10)));
            assertEquals("y", new String(receiveAt(peer, 10)));
        }
    }

    /** Fairness with the worker's other sockets: at most nio.datagramsPerEvent datagrams per readiness. */
    @Test
    void aReadinessEventReceivesAtMostDatagramsPerEvent() throws Exception {
        worker(Config.builder(), Map.of("nio.datagramsPerEvent", 3));
        FakeUdpCore core = new FakeUdpCore();
        NioUdpSocket s = open(core, anyLoopbackPort(), null, false);
        s.startReceiving();
        try (DatagramSocket peer = peer()) {
            for (int i = 0; i < 10; i++) {
                sendFrom(peer, s.localAddress(), new byte[] {(byte) i});
            }
            pollUntil(() -> !core.received.isEmpty(), "the first datagrams");
            assertEquals(3, core.received.size(), "one readiness event");
            pollUntil(() -> core.received.size() == 10, "the rest, on the next events");
            for (int i = 0; i < 10; i++) {
                assertEquals(i, core.received.get(i).bytes()[0], "in order");
            }
        }
    }

    @Test
    void anIpv6SocketWorks() throws Exception {
        worker();
        InetAddress v6 = InetAddress.getByName("::1");
        assertTrue(v6 instanceof Inet6Address);
        FakeUdpCore core = new FakeUdpCore();
        NioUdpSocket s = open(core, new InetSocketAddress(v6, 0), null, false);
        s.startReceiving();
        assertTrue(s.inode() > 0, "found in /proc/net/udp6");
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(v6, 0))) {
            peer.setSoTimeout(10_000);
            sendFrom(peer, s.localAddress(), "six".getBytes());
            pollUntil(() -> !core.received.isEmpty(), "a datagram over IPv6");
            core.queue(core.received.getFirst().sender(), "back".getBytes());
            s.flush();
            assertEquals("back", new String(receiveAt(peer, 10)));
        }
    }

    @Test
    void bindingAnAddressInUseFailsNamingIt() throws Exception {
        worker();
        try (DatagramSocket taken = peer()) {
            InetSocketAddress addr = (InetSocketAddress) taken.getLocalSocketAddress();
            IOException e = assertThrows(IOException.class, () -> io.openUdp(new FakeUdpCore(), addr, null, false));
            assertTrue(e.getMessage().contains(addr.toString()), e.getMessage());
        }
    }

    /** An IPv4 socket cannot connect to an IPv6 peer: the error names both, and the bound socket is closed again. */
    @Test
    void aFailedConnectNamesTheAddressesAndLeavesNoSocket() throws Exception {
        worker();
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 9);
        try (ProcNetUdp table = new ProcNetUdp(Path.of("/proc/net/udp"))) {
            long[] before = table.inodes(0);
            IOException e = assertThrows(IOException.class, () -> io.openUdp(new FakeUdpCore(), anyLoopbackPort(), v6, false));
            assertTrue(e.getMessage().contains(v6.toString()) && e.getMessage().contains("127.0.0.1"), e.getMessage());
            long[] after = table.inodes(0);
            for (long inode : after) {
                assertTrue(Arrays.stream(before).anyMatch(b -> b == inode) || !hasSocketDescriptor(inode),
                        "no socket of this process left behind: socket:[" + inode + "]");
            }
        }
    }

    @Test
    void closeReleasesTheDescriptor() throws Exception {
        worker();
        FakeUdpCore core = new FakeUdpCore();
        NioUdpSocket s = open(core, anyLoopbackPort(), null, false);
        s.startReceiving();
        long inode = s.inode();
        assertTrue(inode > 0, "the socket's inode was found");
        assertTrue(hasSocketDescriptor(inode), "an fd of this process is socket:[" + inode + "]");
        s.close();
        pollUntil(() -> !hasSocketDescriptor(inode), "the socket's fd closed");
        assertEquals(-1, new ProcNetUdp(Path.of("/proc/net/udp")).drops(s.localAddress().getPort(), inode),
                "gone from the kernel's table");
    }

    /** {@return whether one of this process's descriptors is the socket {@code inode}} */
    static boolean hasSocketDescriptor(long inode) {
        String link = "socket:[" + inode + "]";
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals(link);
                } catch (IOException gone) {
                    return false; // closed meanwhile (e.g. the listing's own descriptor)
                }
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@return a loopback port with no socket (bound once, then closed)} */
    static InetSocketAddress deadPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            return (InetSocketAddress) s.getLocalSocketAddress();
        }
    }
}
