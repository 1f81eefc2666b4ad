package io.ringline.tests.udp;

import io.ringline.MemoryRegion;
import io.ringline.RegionException;
import io.ringline.RegionId;
import io.ringline.Runtime;
import io.ringline.UdpMode;
import io.ringline.UdpSocket;
import io.ringline.WorkerContext;
import io.ringline.spi.Capability;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.Requires;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What happens to single datagrams: truncation at {@code maxDatagramSize}, segmented sends (GSO)
 * out to a JDK socket and into a ringline socket (GRO on receive), sends from a registered
 * region, and a handler that throws.
 */
@Requires(Capability.UDP)
class UdpDatagramTest extends BackendTest {

    private static final int SEGMENTS = 64;
    private static final int SEGMENT = 1000;

    /** {@return a runtime with one SHARED binding (served by worker 0) on loopback, handled by {@code handler}} */
    private Runtime startShared(io.ringline.Config.Builder config, UdpRecorder handler) {
        return start(config.bindUdp(loopbackAnyPort(), UdpMode.SHARED), w -> handler);
    }

    private static UdpSocket boundSocket(Runtime rt) {
        WorkerContext w0 = rt.worker(0);
        return OnWorker.call(w0, () -> w0.udpSockets().get(0));
    }

    private static long sum(Runtime rt, java.util.function.ToLongFunction<io.ringline.WorkerStats> counter) {
        long total = 0;
        for (int w = 0; w < rt.workerCount(); w++) {
            total += counter.applyAsLong(rt.worker(w).stats());
        }
        return total;
    }

    @Test
    void datagramsLargerThanMaxDatagramSizeAreDeliveredTruncatedNeverWhole() throws Exception {
        UdpRecorder rec = UdpRecorder.recording();
        Random random = new Random(11);
        byte[] over1 = Bytes.random(random, 1001);
        byte[] over500 = Bytes.random(random, 1500);
        byte[] exact = Bytes.random(random, 1000);
        try (Runtime rt = startShared(clientConfig().maxDatagramSize(1000), rec);
             UdpPeer client = UdpPeer.bind(loopbackAnyPort())) {
            InetSocketAddress server = rt.udpAddresses().get(0);
            client.send(server, over1);
            client.send(server, over500);
            client.send(server, exact);
            rec.awaitDatagrams(3);
            List<UdpRecorder.Datagram> got = rec.datagrams();
            assertEquals(List.of(true, true, false), got.stream().map(UdpRecorder.Datagram::truncated).toList(),
                    "1001 B and 1500 B go to onDatagramTruncated, 1000 B to onDatagram (in order)");
            assertArrayEquals(Arrays.copyOf(over1, 1000), got.get(0).bytes(), "head of the 1001 B datagram: its first 1000 bytes");
            assertArrayEquals(Arrays.copyOf(over500, 1000), got.get(1).bytes(), "head of the 1500 B datagram: its first 1000 bytes");
            assertArrayEquals(exact, got.get(2).bytes(), "the 1000 B datagram, whole");
            for (UdpRecorder.Datagram d : got) {
                assertEquals(client.localAddress(), d.sender(), "sender");
            }
            Await.until(() -> sum(rt, s -> s.datagramsTruncated()) == 2,
                    () -> "datagramsTruncated == 2, was " + sum(rt, s -> s.datagramsTruncated()));
            Await.until(() -> sum(rt, s -> s.datagramsReceived()) == 3,
                    () -> "datagramsReceived == 3 (truncated ones included), was " + sum(rt, s -> s.datagramsReceived()));
            assertEquals(3, rec.count(), "no other callback");
        }
    }

    @Test
    void segmentedSendArrivesAsSeparateDatagrams() throws Exception {
        segmentedSend(SEGMENTS * SEGMENT, "64 x 1000 B");
    }

    @Test
    void segmentedSendWithAShorterLastSegment() throws Exception {
        segmentedSend((SEGMENTS - 1) * SEGMENT + 500, "63 x 1000 B + 500 B");
    }

    private void segmentedSend(int length, String what) throws Exception {
        UdpRecorder rec = UdpRecorder.recording();
        byte[] data = Bytes.random(new Random(length), length);
        int expectedDatagrams = (length + SEGMENT - 1) / SEGMENT;
        try (Runtime rt = startShared(clientConfig(), rec);
             UdpPeer client = UdpPeer.bind(loopbackAnyPort())) {
            UdpSocket socket = boundSocket(rt);
            WorkerContext w0 = rt.worker(0);
            long sentBefore = w0.stats().datagramsSent();
            ByteBuffer buffer = ByteBuffer.wrap(data);
            OnWorker.run(w0, () -> socket.sendSegmentsTo(client.localAddress(), buffer, SEGMENT));
            assertEquals(0, buffer.remaining(), what + ": the data's position is advanced to its limit");
            for (int i = 0; i < expectedDatagrams; i++) {
                int from = i * SEGMENT;
                byte[] expected = Arrays.copyOfRange(data, from, Math.min(length, from + SEGMENT));
                byte[] got = client.receive(what + ": segment " + i + " of " + expectedDatagrams);
                assertArrayEquals(expected, got, what + ": segment " + i + " (" + expected.length + " B expected, got " + got.length + ")");
            }
            assertNull(client.tryReceive(Duration.ofMillis(200)), what + ": nothing after the last segment");
            Await.until(() -> w0.stats().datagramsSent() == sentBefore + expectedDatagrams,
                    () -> what + ": datagramsSent +" + expectedDatagrams + ", was +" + (w0.stats().datagramsSent() - sentBefore));
        }
    }

    @Test
    void segmentedSendBetweenRinglineSocketsReachesTheHandlerAsSeparateDatagrams() throws Exception {
        UdpRecorder server = UdpRecorder.recording();
        UdpRecorder sender = UdpRecorder.recording();
        byte[] data = Bytes.random(new Random(64), SEGMENTS * SEGMENT);
        try (Runtime rt = startShared(clientConfig(), server)) {
            InetSocketAddress target = rt.udpAddresses().get(0);
            WorkerContext w1 = rt.worker(1);
            UdpSocket opened = OnWorker.call(w1, () -> {
                UdpSocket s = w1.openUdp(loopbackAnyPort(), sender);
                s.sendSegmentsTo(target, ByteBuffer.wrap(data), SEGMENT);
                return s;
            });
            server.awaitDatagrams(SEGMENTS);
            List<UdpRecorder.Datagram> got = server.datagrams();
            for (int i = 0; i < SEGMENTS; i++) {
                UdpRecorder.Datagram d = got.get(i);
                assertFalse(d.truncated(), "segment " + i + " whole");
                assertArrayEquals(Arrays.copyOfRange(data, i * SEGMENT, (i + 1) * SEGMENT), d.bytes(),
                        "segment " + i + " as its own datagram (a coalesced receive is split back)");
                assertEquals(opened.localAddress(), d.sender(), "sender of segment " + i);
            }
            Await.until(() -> rt.worker(0).stats().datagramsReceived() == SEGMENTS,
                    () -> "datagramsReceived == " + SEGMENTS + " (each segment once), was " + rt.worker(0).stats().datagramsReceived());
            assertEquals(SEGMENTS, server.count(), "no more datagrams than segments");
            Await.until(() -> w1.stats().datagramsSent() == SEGMENTS,
                    () -> "sender's datagramsSent == " + SEGMENTS + ", was " + w1.stats().datagramsSent());
        }
    }

    @Test
    void regionSendArrivesByteExactAndTheRegionCanBeUnregisteredAfter() throws Exception {
        UdpRecorder rec = UdpRecorder.recording();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(70_000);
            byte[] bytes = Bytes.random(new Random(8), 70_000);
            memory.copyFrom(MemorySegment.ofArray(bytes));
            try (Runtime rt = startShared(clientConfig(), rec);
                 UdpPeer client = UdpPeer.bind(loopbackAnyPort())) {
                UdpSocket socket = boundSocket(rt);
                RegionId id = rt.shutdownHandle().registerRegion(MemoryRegion.of(memory));
                OnWorker.run(rt.worker(0), () -> {
                    socket.sendRegionTo(client.localAddress(), id, 100, 30_000);
                    socket.sendRegionTo(client.localAddress(), id, 0, UdpSocket.MAX_IPV4_PAYLOAD);
                });
                assertArrayEquals(Arrays.copyOfRange(bytes, 100, 30_100), client.receive("30,000 B from the region at 100"));
                assertArrayEquals(Arrays.copyOf(bytes, UdpSocket.MAX_IPV4_PAYLOAD), client.receive("65,507 B from the region at 0"));
                OnWorker.run(rt.worker(0), () -> assertThrows(RegionException.class,
                        () -> socket.sendRegionTo(client.localAddress(), id, 69_000, 2000), "a range past the region's end"));
                rt.shutdownHandle().unregisterRegion(id);
                OnWorker.run(rt.worker(0), () -> assertThrows(RegionException.class,
                        () -> socket.sendRegionTo(client.localAddress(), id, 0, 10), "a send from an unregistered region"));
            }
        }
    }

    @Test
    void theLargestIpv6DatagramGoesBothWaysWhole() throws Exception {
        UdpRecorder rec = UdpRecorder.recording();
        InetAddress ipv6 = InetAddress.getByName("::1");
        byte[] largest = Bytes.random(new Random(65_527), UdpSocket.MAX_IPV6_PAYLOAD);
        try (Runtime rt = start(clientConfig().bindUdp(new InetSocketAddress(ipv6, 0), UdpMode.SHARED), w -> rec);
             UdpPeer client = UdpPeer.bind(new InetSocketAddress(ipv6, 0))) {
            InetSocketAddress server = rt.udpAddresses().get(0);
            client.send(server, largest);
            rec.awaitDatagrams(1);
            UdpRecorder.Datagram d = rec.datagrams().get(0);
            assertFalse(d.truncated(), "65,527 B is the default maxDatagramSize: delivered whole");
            assertArrayEquals(largest, d.bytes(), "the largest IPv6 datagram received");
            UdpSocket socket = boundSocket(rt);
            OnWorker.run(rt.worker(0), () -> {
                socket.sendTo(client.localAddress(), ByteBuffer.wrap(largest));
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> socket.sendTo(client.localAddress(), ByteBuffer.allocate(UdpSocket.MAX_IPV6_PAYLOAD + 1)));
                String m = UdpSendQueueTest.digits(e.getMessage());
                assertTrue(m.contains("65528") && m.contains("65527"), () -> "'" + e.getMessage() + "' names the size 65528 and the limit 65527");
            });
            assertArrayEquals(largest, client.receive("the largest IPv6 datagram sent"));
        }
    }

    @Test
    void aHandlerThrowingFromOnDatagramKeepsTheSocketServing() throws Exception {
        UdpRecorder rec = new UdpRecorder(true, true) {
            @Override
            public void onDatagram(UdpSocket socket, InetSocketAddress sender, ByteBuffer datagram) {
                if (datagram.remaining() > 0 && datagram.get(datagram.position()) == 'X') {
                    throw new IllegalStateException("boom from onDatagram (expected by the test)");
                }
                super.onDatagram(socket, sender, datagram);
            }
        };
        try (Runtime rt = startShared(clientConfig(), rec);
             UdpPeer client = UdpPeer.bind(loopbackAnyPort())) {
            InetSocketAddress server = rt.udpAddresses().get(0);
            for (int round = 0; round < 3; round++) {
                client.send(server, new byte[] {'X', (byte) round});
                byte[] ok = {'o', 'k', (byte) round};
                client.send(server, ok);
                assertArrayEquals(ok, client.receive("echo of the datagram after a throwing callback, round " + round));
            }
            UdpSocket socket = boundSocket(rt);
            assertTrue(socket.isOpen(), "the socket stays open");
            assertEquals(List.of(), rec.closes(), "no onUdpClosed");
            Await.until(() -> rt.worker(0).stats().datagramsReceived() == 6,
                    () -> "datagramsReceived == 6, was " + rt.worker(0).stats().datagramsReceived());
        }
    }
}
