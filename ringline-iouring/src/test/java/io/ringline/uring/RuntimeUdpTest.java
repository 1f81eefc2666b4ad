package io.ringline.uring;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.DatagramHandler;
import io.ringline.Handler;
import io.ringline.Runtime;
import io.ringline.UdpSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * UDP through the real core on io_uring ({@code Config.bindUdp}, the core's send queue): echo to a
 * java.net peer, a segmented send the kernel splits for a plain peer, and a segmented send between
 * two io_uring sockets that arrives coalesced (GRO) and is split back into its datagrams.
 */
class RuntimeUdpTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @BeforeEach
    void requireIoUring() {
        UringTestSupport.requireIoUring();
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    private static byte[] receive(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
        s.receive(p);
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    private static Config.Builder config() {
        return Config.builder().workers(1).backend(IoUringBackendProvider.NAME);
    }

    /** A handler with nothing for TCP. */
    private abstract static class UdpOnly implements Handler, DatagramHandler {
        @Override
        public int onData(Connection connection, ByteBuffer data) {
            return data.remaining();
        }
    }

    @Test
    void echoesDatagramsWithOffloadOn() throws Exception {
        AtomicBoolean gso = new AtomicBoolean();
        AtomicBoolean gro = new AtomicBoolean();
        Config cfg = config().bindUdp(new InetSocketAddress(LOOPBACK, 0)).build();
        try (Runtime rt = Runtime.start(cfg, w -> new UdpOnly() {
            @Override
            public void onDatagram(UdpSocket socket, InetSocketAddress sender, ByteBuffer datagram) {
                gso.set(socket.segmentationOffload());
                gro.set(socket.receiveOffload());
                socket.sendTo(sender, datagram);
            }
        }); DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            peer.setSoTimeout((int) WAIT.toMillis());
            InetSocketAddress server = rt.udpAddresses().get(0);
            for (int i = 0; i < 50; i++) {
                byte[] msg = pattern(10 + i * 20, i);
                peer.send(new DatagramPacket(msg, msg.length, server));
                assertArrayEquals(msg, receive(peer), "echo " + i);
            }
            assertTrue(gso.get(), "segmentationOffload on io_uring");
            assertTrue(gro.get(), "receiveOffload on io_uring");
            UringTestSupport.await("stats", WAIT, () -> rt.worker(0).stats().datagramsReceived() == 50
                    && rt.worker(0).stats().datagramsSent() == 50);
        }
    }

    @Test
    void segmentedSendsReachAPlainPeerAsSeparateDatagrams() throws Exception {
        byte[] batch = new byte[20 * 1200];
        for (int i = 0; i < 20; i++) {
            System.arraycopy(pattern(1200, i), 0, batch, i * 1200, 1200);
        }
        Config cfg = config().bindUdp(new InetSocketAddress(LOOPBACK, 0)).build();
        try (Runtime rt = Runtime.start(cfg, w -> new UdpOnly() {
            @Override
            public void onDatagram(UdpSocket socket, InetSocketAddress sender, ByteBuffer datagram) {
                socket.sendSegmentsTo(sender, ByteBuffer.wrap(batch), 1200);
            }
        }); DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            peer.setSoTimeout((int) WAIT.toMillis());
            peer.send(new DatagramPacket(new byte[1], 1, rt.udpAddresses().get(0)));
            for (int i = 0; i < 20; i++) {
                assertArrayEquals(pattern(1200, i), receive(peer), "segment " + i);
            }
        }
    }

    @Test
    void aCoalescedReceiveIsSplitIntoItsDatagrams() throws Exception {
        byte[] batch = new byte[64 * 1000];
        for (int i = 0; i < 64; i++) {
            System.arraycopy(pattern(1000, i), 0, batch, i * 1000, 1000);
        }
        List<byte[]> got = new CopyOnWriteArrayList<>();
        AtomicReference<InetSocketAddress> second = new AtomicReference<>();
        Config cfg = config().bindUdp(new InetSocketAddress(LOOPBACK, 0)).bindUdp(new InetSocketAddress(LOOPBACK, 0)).build();
        try (Runtime rt = Runtime.start(cfg, w -> new UdpOnly() {
            @Override
            public void onDatagram(UdpSocket socket, InetSocketAddress sender, ByteBuffer datagram) {
                if (datagram.remaining() == 1) { // the trigger, on the first socket: the batch goes to the second
                    socket.sendSegmentsTo(second.get(), ByteBuffer.wrap(batch), 1000);
                    return;
                }
                byte[] b = new byte[datagram.remaining()];
                datagram.get(b);
                got.add(b);
            }
        }); DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            second.set(rt.udpAddresses().get(1));
            peer.send(new DatagramPacket(new byte[1], 1, rt.udpAddresses().get(0)));
            UringTestSupport.await(() -> got.size() + " of 64 datagrams", WAIT, () -> got.size() == 64);
            for (int i = 0; i < 64; i++) {
                assertArrayEquals(pattern(1000, i), got.get(i), "datagram " + i);
            }
            assertEquals(0, rt.worker(0).stats().datagramsTruncated());
        }
    }
}
