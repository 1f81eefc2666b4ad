package io.ringline.internal;

import io.ringline.Config;
import io.ringline.DatagramHandler;
import io.ringline.MemoryRegion;
import io.ringline.RegionException;
import io.ringline.RegionId;
import io.ringline.SendQueueFullException;
import io.ringline.UdpSocket;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The core of a UDP socket over an in-memory transport: receive routing, send checks and limits, the queue, close. */
class UdpSocketImplTest {

    static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 9000);
    static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 9001);
    static final InetSocketAddress PEER6 = new InetSocketAddress("::1", 9002);

    private Worker worker = Worker.detached(Config.builder().workers(1).build(), (c, d) -> 0);
    private FakeUdpTransport transport;
    private final UdpRecorder events = new UdpRecorder();

    private UdpSocketImpl open(DatagramHandler handler, InetSocketAddress remote, boolean offload) {
        UdpSocketImpl s = new UdpSocketImpl(worker, handler, remote);
        transport = new FakeUdpTransport(LOCAL, offload);
        transport.core = s;
        s.attach(transport);
        transport.startReceiving();
        return s;
    }

    private UdpSocketImpl open() {
        return open(events, null, true);
    }

    private void withConfig(Config config) {
        worker = Worker.detached(config, (c, d) -> 0);
    }

    private static ByteBuffer bytes(int n) {
        ByteBuffer b = ByteBuffer.allocate(n);
        for (int i = 0; i < n; i++) {
            b.put(i, (byte) i);
        }
        return b;
    }

    private static void assertMessage(Throwable e, Object... parts) {
        for (Object p : parts) {
            assertTrue(e.getMessage().contains(String.valueOf(p)), () -> "'" + e.getMessage() + "' names " + p);
        }
    }

    // ---------------------------------------------------------------- receive

    @Test
    void aReceivedDatagramIsPresentedItselfBigEndianAndCounted() {
        UdpSocketImpl s = open();
        ByteBuffer[] shown = new ByteBuffer[1];
        UdpSocketImpl t = open(new UdpRecorder() {
            @Override
            public void onDatagram(UdpSocket socket, InetSocketAddress sender, ByteBuffer datagram) {
                shown[0] = datagram;
                super.onDatagram(socket, sender, datagram);
            }
        }, null, true);
        ByteBuffer memory = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN);
        memory.put(0, new byte[]{1, 2, 3, 4, 5});
        ByteBuffer view = memory.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        view.position(1).limit(5);
        t.received(PEER, view, false);
        assertSame(view, shown[0], "the driver's buffer itself");
        assertEquals(ByteOrder.BIG_ENDIAN, view.order());
        assertEquals(1, worker.stats().datagramsReceived());
        assertEquals(4, worker.stats().bytesIn());
        assertEquals(0, worker.stats().datagramsTruncated());
        transport.receive(PEER6, new byte[]{9, 8}, false);
        assertTrue(s.isOpen());
    }

    @Test
    void aTruncatedDatagramGoesToOnDatagramTruncatedOnly() {
        open();
        transport.receive(PEER, new byte[]{1, 2, 3}, true);
        transport.receive(PEER, new byte[]{4}, false);
        assertEquals(2, events.datagrams.size());
        assertTrue(events.datagrams.get(0).truncated());
        assertArrayEquals(new byte[]{1, 2, 3}, events.datagrams.get(0).bytes());
        assertFalse(events.datagrams.get(1).truncated());
        assertEquals(PEER, events.datagrams.get(1).sender());
        assertEquals(2, worker.stats().datagramsReceived());
        assertEquals(1, worker.stats().datagramsTruncated());
        assertEquals(4, worker.stats().bytesIn());
    }

    @Test
    void receivedRefusesAWritableOrHeapBuffer() {
        UdpSocketImpl s = open();
        assertThrows(IllegalArgumentException.class, () -> s.received(PEER, ByteBuffer.allocateDirect(4), false));
        assertThrows(IllegalArgumentException.class,
                () -> s.received(PEER, ByteBuffer.allocate(4).asReadOnlyBuffer(), false));
        assertEquals(0, worker.stats().datagramsReceived());
    }

    @Test
    void aHandlerExceptionKeepsTheSocketOpen() {
        int[] calls = new int[1];
        UdpSocketImpl s = open(new UdpRecorder() {
            @Override
            public void onDatagram(UdpSocket socket, InetSocketAddress sender, ByteBuffer datagram) {
                calls[0]++;
                throw new IllegalStateException("bad datagram");
            }
        }, null, true);
        transport.receive(PEER, new byte[]{1}, false);
        transport.receive(PEER, new byte[]{2}, false);
        assertEquals(2, calls[0]);
        assertTrue(s.isOpen());
        assertEquals(0, transport.closes);
    }

    @Test
    void aVirtualMachineErrorIsLetThrough() {
        open(new UdpRecorder() {
            @Override
            public void onDatagram(UdpSocket socket, InetSocketAddress sender, ByteBuffer datagram) {
                throw new StackOverflowError("deep");
            }
        }, null, true);
        assertThrows(StackOverflowError.class, () -> transport.receive(PEER, new byte[]{1}, false));
    }

    @Test
    void kernelDropsAddTheIncreaseOnly() {
        UdpSocketImpl s = open();
        s.kernelDrops(3);
        s.kernelDrops(5);
        s.kernelDrops(4); // lower: ignored
        s.kernelDrops(5);
        assertEquals(5, worker.stats().datagramsDropped());
        s.kernelDrops(7);
        assertEquals(7, worker.stats().datagramsDropped());
    }

    // ---------------------------------------------------------------- sends

    @Test
    void sendsAreCopiedAndFlushedOncePerPass() {
        UdpSocketImpl s = open();
        ByteBuffer a = bytes(10);
        s.sendTo(PEER, a);
        assertEquals(10, a.position(), "position advanced to the limit");
        a.put(0, (byte) 99); // the queue holds a copy
        assertTrue(s.trySendTo(PEER6, bytes(3)));
        s.sendTo(PEER, ByteBuffer.allocate(0)); // an empty datagram
        assertEquals(13, s.pendingSendBytes());
        assertEquals(0, transport.flushes, "not flushed before the loop's flush point");
        worker.runOnce();
        assertEquals(1, transport.flushes, "one flush for three sends");
        assertEquals(3, transport.sent.size());
        assertEquals(PEER, transport.sent.get(0).target());
        assertArrayEquals(bytes(10).array(), transport.sent.get(0).bytes());
        assertEquals(PEER6, transport.sent.get(1).target());
        assertEquals(0, transport.sent.get(2).bytes().length);
        assertEquals(-1, transport.sent.get(0).regionSlot());
        assertEquals(3, worker.stats().datagramsSent());
        assertEquals(13, worker.stats().bytesOut());
        assertEquals(0, s.pendingSendBytes());
        worker.runOnce();
        assertEquals(1, transport.flushes, "nothing queued: no flush");
    }

    @Test
    void aDatagramOverTheFamilysPayloadLimitIsRefusedNamingSizeAndLimit() {
        UdpSocketImpl s = open();
        IllegalArgumentException e4 = assertThrows(IllegalArgumentException.class,
                () -> s.sendTo(PEER, ByteBuffer.allocate(UdpSocket.MAX_IPV4_PAYLOAD + 1)));
        assertMessage(e4, UdpSocket.MAX_IPV4_PAYLOAD + 1, UdpSocket.MAX_IPV4_PAYLOAD);
        IllegalArgumentException e6 = assertThrows(IllegalArgumentException.class,
                () -> s.trySendTo(PEER6, ByteBuffer.allocate(UdpSocket.MAX_IPV6_PAYLOAD + 1)));
        assertMessage(e6, UdpSocket.MAX_IPV6_PAYLOAD + 1, UdpSocket.MAX_IPV6_PAYLOAD);
        assertEquals(0, s.pendingSendBytes());
        s.sendTo(PEER, ByteBuffer.allocate(UdpSocket.MAX_IPV4_PAYLOAD));
        s.sendTo(PEER6, ByteBuffer.allocate(UdpSocket.MAX_IPV6_PAYLOAD));
        assertEquals(UdpSocket.MAX_IPV4_PAYLOAD + UdpSocket.MAX_IPV6_PAYLOAD, s.pendingSendBytes());
        assertThrows(IllegalArgumentException.class,
                () -> s.sendTo(PEER, ByteBuffer.allocate(UdpSocket.MAX_IPV4_PAYLOAD + 1)), "checked before the queue");
        assertEquals(0, worker.stats().datagramSendsRefused());
    }

    @Test
    void unresolvedAndWrongTargetsAreRefused() throws UnknownHostException {
        UdpSocketImpl s = open();
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("example.invalid", 53);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.sendTo(unresolved, bytes(1))), unresolved);
        assertThrows(NullPointerException.class, () -> s.sendTo(null, bytes(1)));
        assertMessage(assertThrows(IllegalStateException.class, () -> s.send(bytes(1))), "not connected");
        assertThrows(IllegalStateException.class, () -> s.trySend(bytes(1)));
        assertEquals(Optional.empty(), s.remoteAddress());

        UdpSocketImpl c = open(events, PEER, true);
        assertEquals(Optional.of(PEER), c.remoteAddress());
        InetSocketAddress other = new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 9001);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> c.sendTo(other, bytes(1))), other, PEER);
        c.sendTo(new InetSocketAddress("127.0.0.1", 9001), bytes(2)); // equal to the peer
        c.send(bytes(3));
        assertTrue(c.trySend(bytes(4)));
        worker.runOnce();
        assertEquals(3, transport.sent.size());
        for (FakeUdpTransport.Sent sent : transport.sent) {
            assertNull(sent.target(), "a connected socket's entries go to the peer");
        }
    }

    @Test
    void aClosedSocketRefusesSends() {
        UdpSocketImpl s = open();
        s.close();
        assertFalse(s.isOpen());
        assertMessage(assertThrows(IllegalStateException.class, () -> s.sendTo(PEER, bytes(1))), "closed");
        assertThrows(IllegalStateException.class, () -> s.trySendTo(PEER, bytes(1)));
        assertThrows(IllegalStateException.class, () -> s.sendSegmentsTo(PEER, bytes(10), 5));
        assertThrows(IllegalStateException.class, () -> s.sendRegionTo(PEER, RegionId.of(0), 0, 1));
        assertFalse(s.isWritable());
    }

    @Test
    void aFullQueueRefusesCountsAndSignalsWritableOnceAtHalfTheLimit() {
        long limit = 100_000;
        withConfig(Config.builder().workers(1).udpSendQueueLimit(limit).build());
        UdpSocketImpl s = open();
        transport.takePerFlush = 0; // a socket that takes nothing for now
        for (int i = 0; i < 10; i++) {
            s.sendTo(PEER, ByteBuffer.allocate(10_000));
        }
        assertTrue(s.isWritable());
        SendQueueFullException e = assertThrows(SendQueueFullException.class, () -> s.sendTo(PEER, bytes(1)));
        assertEquals(limit, e.limit());
        assertFalse(s.trySendTo(PEER, bytes(1)));
        ByteBuffer refused = bytes(5);
        assertFalse(s.trySendTo(PEER, refused));
        assertEquals(0, refused.position(), "position unchanged when refused");
        assertFalse(s.trySendSegmentsTo(PEER, bytes(30), 10), "three datagrams refused at once");
        assertEquals(6, worker.stats().datagramSendsRefused());
        assertFalse(s.isWritable());
        assertEquals(limit, s.pendingSendBytes());
        worker.runOnce();
        assertEquals(0, events.writables);
        transport.takePerFlush = 4; // 60,000 left: above half
        s.flushNow();
        assertEquals(0, events.writables);
        transport.takePerFlush = 1; // 50,000 left: half
        s.flushNow();
        assertEquals(1, events.writables);
        assertTrue(s.isWritable());
        s.flushNow();
        s.flushNow();
        assertEquals(1, events.writables, "once per refusal episode");
        assertEquals(7, worker.stats().datagramsSent());
    }

    @Test
    void segmentsWithOffloadAreSplitIntoEntriesOfAtMost64Segments() {
        UdpSocketImpl s = open();
        ByteBuffer data = bytes(100 * 100 + 50);
        s.sendSegmentsTo(PEER, data, 100);
        assertEquals(data.limit(), data.position());
        worker.runOnce();
        assertEquals(2, transport.sent.size());
        assertEquals(64, transport.sent.get(0).datagrams());
        assertEquals(100, transport.sent.get(0).segmentSize());
        assertEquals(6400, transport.sent.get(0).bytes().length);
        assertEquals(37, transport.sent.get(1).datagrams());
        assertEquals(3650, transport.sent.get(1).bytes().length);
        assertEquals(101, worker.stats().datagramsSent());
        ByteBuffer joined = ByteBuffer.allocate(10_050);
        transport.sent.forEach(x -> joined.put(x.bytes()));
        assertArrayEquals(bytes(10_050).array(), joined.array());
    }

    @Test
    void segmentsWithOffloadStayWithinThePayloadLimitPerEntry() {
        UdpSocketImpl s = open();
        s.sendSegmentsTo(PEER, bytes(130_000), 10_000); // 6 segments (60,000 bytes) per IPv4 send
        worker.runOnce();
        List<FakeUdpTransport.Sent> sent = transport.sent;
        assertEquals(3, sent.size());
        assertEquals(List.of(6, 6, 1), sent.stream().map(FakeUdpTransport.Sent::datagrams).toList());
        assertEquals(List.of(60_000, 60_000, 10_000), sent.stream().map(x -> x.bytes().length).toList());
        assertEquals(List.of(10_000, 10_000, 0), sent.stream().map(FakeUdpTransport.Sent::segmentSize).toList(),
                "an entry of one datagram is a plain send");
        for (FakeUdpTransport.Sent x : sent) {
            assertTrue(x.bytes().length <= UdpSocket.MAX_IPV4_PAYLOAD);
        }
        assertEquals(13, worker.stats().datagramsSent());
    }

    @Test
    void segmentsWithoutOffloadAreSingleDatagrams() {
        UdpSocketImpl s = open(events, null, false);
        assertFalse(s.segmentationOffload());
        s.sendSegmentsTo(PEER6, bytes(25), 10);
        worker.runOnce();
        assertEquals(List.of(10, 10, 5), transport.sent.stream().map(x -> x.bytes().length).toList());
        for (FakeUdpTransport.Sent x : transport.sent) {
            assertEquals(0, x.segmentSize());
            assertEquals(1, x.datagrams());
            assertEquals(PEER6, x.target());
        }
        assertEquals(3, worker.stats().datagramsSent());
        assertEquals(25, worker.stats().bytesOut());
    }

    @Test
    void aBadSegmentSizeIsRefusedNamingTheLimit() {
        UdpSocketImpl s = open();
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.sendSegmentsTo(PEER, bytes(10), 0)),
                0, UdpSocket.MAX_IPV4_PAYLOAD);
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> s.sendSegmentsTo(PEER6, bytes(10), UdpSocket.MAX_IPV6_PAYLOAD + 1)),
                UdpSocket.MAX_IPV6_PAYLOAD + 1, UdpSocket.MAX_IPV6_PAYLOAD);
        assertTrue(s.trySendSegmentsTo(PEER, ByteBuffer.allocate(0), 10), "nothing to send");
        worker.runOnce();
        assertEquals(0, transport.flushes);
    }

    @Test
    void aRegionDatagramHoldsItsRegionUntilSent() {
        withConfig(Config.builder().workers(1).maxRegions(4).build());
        MemoryRegion region = MemoryRegion.allocate(1000);
        region.segment().asByteBuffer().put(100, new byte[]{7, 8, 9});
        worker.regionTable().install(2, region);
        UdpSocketImpl s = open();
        s.sendRegionTo(PEER, RegionId.of(2), 100, 3);
        assertEquals(1, worker.regionTable().inFlight(2));
        worker.runOnce();
        assertEquals(1, transport.sent.size());
        assertEquals(2, transport.sent.get(0).regionSlot());
        assertArrayEquals(new byte[]{7, 8, 9}, transport.sent.get(0).bytes());
        assertEquals(0, worker.regionTable().inFlight(2), "reference dropped once sent");
        assertThrows(RegionException.class, () -> s.sendRegionTo(PEER, RegionId.of(1), 0, 1), "slot 1 is empty");
        assertMessage(assertThrows(RegionException.class, () -> s.sendRegionTo(PEER, RegionId.of(2), 999, 2)), 999, 1000);
        assertThrows(IllegalArgumentException.class,
                () -> s.sendRegionTo(PEER, RegionId.of(2), 0, UdpSocket.MAX_IPV4_PAYLOAD + 1));
        assertEquals(0, worker.regionTable().inFlight(2));
    }

    @Test
    void closingWhileRetainedHoldsTheRegionUntilReleased() {
        withConfig(Config.builder().workers(1).maxRegions(1).build());
        MemoryRegion region = MemoryRegion.allocate(100);
        worker.regionTable().install(0, region);
        UdpSocketImpl s = open();
        transport.takePerFlush = 0;
        s.sendRegionTo(PEER, RegionId.of(0), 0, 10);
        s.sendTo(PEER, bytes(5));
        s.outbound().retain(); // a send in flight in the kernel
        s.close();
        assertEquals(2, worker.stats().datagramSendFailures());
        assertEquals(1, worker.regionTable().inFlight(0), "held while the kernel may read it");
        assertTrue(s.outbound().isEmpty());
        s.outbound().release();
        assertEquals(0, worker.regionTable().inFlight(0));
        assertThrows(IllegalStateException.class, () -> s.outbound().release());
    }

    // ---------------------------------------------------------------- send failures

    @Test
    void aRefusedEntryIsDroppedCountedAndReported() {
        UdpSocketImpl s = open();
        transport.takePerFlush = 0;
        s.sendSegmentsTo(PEER6, bytes(30), 10);
        s.sendTo(PEER, bytes(1));
        IOException cause = new IOException("EMSGSIZE");
        s.sendFailed(cause);
        assertEquals(3, worker.stats().datagramSendFailures(), "a segmented entry counts its datagrams");
        assertEquals(List.of(new UdpRecorder.SendFailure(PEER6, cause)), events.sendFailures);
        assertEquals(1, s.outbound().size());
        assertEquals(1, s.pendingSendBytes());
        assertTrue(s.isOpen());
    }

    @Test
    void aConnectedSocketReportsFailuresWithItsPeer() {
        UdpSocketImpl s = open(events, PEER, true);
        transport.takePerFlush = 0;
        s.send(bytes(4));
        PortUnreachableException refused = new PortUnreachableException("ECONNREFUSED");
        s.sendFailed(refused);
        s.asyncError(refused);
        assertEquals(2, worker.stats().datagramSendFailures());
        assertEquals(List.of(new UdpRecorder.SendFailure(PEER, refused), new UdpRecorder.SendFailure(PEER, refused)),
                events.sendFailures);
        assertTrue(s.isOpen());
    }

    @Test
    void anAsyncErrorOfAnUnconnectedSocketHasNoTarget() {
        UdpSocketImpl s = open();
        IOException cause = new IOException("boom");
        s.asyncError(cause);
        assertEquals(1, worker.stats().datagramSendFailures());
        assertEquals(List.of(new UdpRecorder.SendFailure(null, cause)), events.sendFailures);
    }

    // ---------------------------------------------------------------- close

    @Test
    void closeIsIdempotentDropsTheQueueAndReportsOnce() {
        UdpSocketImpl s = open();
        transport.takePerFlush = 0;
        s.sendTo(PEER, bytes(3));
        s.sendSegmentsTo(PEER, bytes(30), 10);
        s.close();
        s.close();
        assertEquals(1, transport.closes);
        assertEquals(1, events.closeCalls);
        assertNull(events.closes.get(0));
        assertEquals(4, worker.stats().datagramSendFailures());
        assertTrue(s.isClosed());
        s.failed(new IOException("late"));
        s.sent(0);
        s.sendFailed(new IOException("late"));
        s.asyncError(new IOException("late"));
        transport.receive(PEER, new byte[]{1}, false);
        s.flushed();
        assertEquals(1, events.closeCalls);
        assertEquals(0, events.datagrams.size());
        assertEquals(0, worker.stats().datagramsReceived());
        assertEquals(4, worker.stats().datagramSendFailures());
        worker.runOnce();
        assertEquals(0, transport.flushes, "a closed socket is not flushed");
    }

    @Test
    void aFailedSocketClosesWithTheCause() {
        UdpSocketImpl s = open();
        IOException cause = new IOException("receive failed");
        s.failed(cause);
        s.failed(new IOException("again"));
        assertFalse(s.isOpen());
        assertEquals(1, transport.closes);
        assertEquals(List.of(cause), events.closes);
    }

    @Test
    void chunksGoBackToThePoolOnceTheirDatagramsAreSent() {
        UdpSocketImpl s = open();
        transport.takePerFlush = 0;
        for (int i = 0; i < 5; i++) {
            s.sendTo(PEER, ByteBuffer.allocate(30_000)); // two per chunk: three chunks
        }
        assertEquals(0, worker.datagramChunks().pooled());
        transport.takePerFlush = Integer.MAX_VALUE;
        worker.runOnce();
        assertEquals(2, worker.datagramChunks().pooled(), "the full chunks are back, the write chunk is kept");
        s.close();
        assertEquals(3, worker.datagramChunks().pooled());
    }

    // ---------------------------------------------------------------- shutdown drain

    @Test
    void aDrainWithNothingQueuedClosesAtOnce() {
        UdpSocketImpl s = open();
        s.beginDrain();
        assertFalse(s.isOpen());
        assertEquals(1, transport.closes);
        assertEquals(1, events.closeCalls);
        assertNull(events.closes.get(0));
    }

    @Test
    void aDrainStopsReceivingSendsWhatIsQueuedThenCloses() {
        UdpSocketImpl s = open();
        transport.takePerFlush = 0;
        s.sendTo(PEER, bytes(4));
        s.sendTo(PEER, bytes(5));
        worker.runOnce();
        transport.takePerFlush = 1;
        s.beginDrain();
        transport.receive(PEER, new byte[]{1}, false);
        assertEquals(0, events.datagrams.size(), "no longer presented");
        assertEquals(0, worker.stats().datagramsReceived());
        worker.runOnce(); // the drain's flush: one taken
        assertTrue(s.isOpen());
        s.sendFailed(new IOException("EMSGSIZE")); // the other refused: the queue is empty now
        assertTrue(s.isOpen(), "closes at the end of the flush, not inside the driver's report");
        s.flushed();
        assertFalse(s.isOpen());
        assertEquals(1, worker.stats().datagramsSent());
        assertEquals(1, worker.stats().datagramSendFailures());
        assertEquals(1, events.closeCalls);
    }
}
