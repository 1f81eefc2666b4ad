package io.ringline.tests.udp;

import io.ringline.Runtime;
import io.ringline.SendQueueFullException;
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
import org.junit.jupiter.api.function.Executable;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The UDP send queue's limit ({@code udpSendQueueLimit}: refusal, {@code onUdpWritable}, all or
 * nothing for segmented sends) and the arguments and states every send refuses.
 */
@Requires(Capability.UDP)
class UdpSendQueueTest extends BackendTest {

    private static final int LIMIT = UdpSocket.MAX_IPV6_PAYLOAD;

    private Runtime startShared(UdpRecorder handler) {
        return start(clientConfig().udpSendQueueLimit(LIMIT).bindUdp(loopbackAnyPort(), UdpMode.SHARED), w -> handler);
    }

    private static UdpSocket boundSocket(Runtime rt) {
        WorkerContext w0 = rt.worker(0);
        return OnWorker.call(w0, () -> w0.udpSockets().get(0));
    }

    @Test
    void aSendPastTheLimitIsRefusedThenOnUdpWritableFiresAndSendingWorksAgain() throws Exception {
        UdpRecorder rec = UdpRecorder.recording();
        Random random = new Random(40);
        byte[] first = Bytes.random(random, 40_000);
        byte[] second = Bytes.random(random, 40_000);
        try (Runtime rt = startShared(rec);
             UdpPeer client = UdpPeer.bind(loopbackAnyPort())) {
            UdpSocket socket = boundSocket(rt);
            WorkerContext w0 = rt.worker(0);
            InetSocketAddress to = client.localAddress();
            long refusedBefore = w0.stats().datagramSendsRefused();
            OnWorker.run(w0, () -> {
                assertTrue(socket.isWritable(), "writable before any send");
                assertTrue(socket.trySendTo(to, ByteBuffer.wrap(first)), "40,000 B fit the 65,527 B queue");
                assertEquals(40_000, socket.pendingSendBytes(), "queued, not yet handed to the kernel (same callback)");
                ByteBuffer refused = ByteBuffer.wrap(second);
                assertFalse(socket.trySendTo(to, refused), "another 40,000 B do not fit");
                assertEquals(40_000, refused.remaining(), "a refused trySendTo leaves the position");
                SendQueueFullException e = assertThrows(SendQueueFullException.class, () -> socket.sendTo(to, refused));
                assertEquals(LIMIT, e.limit(), "the exception names the limit");
                assertFalse(socket.isWritable(), "not writable after a refusal");
                assertEquals(40_000, socket.pendingSendBytes(), "nothing of the refused sends was queued");
            });
            Await.until(() -> w0.stats().datagramSendsRefused() == refusedBefore + 2,
                    () -> "datagramSendsRefused +2, was +" + (w0.stats().datagramSendsRefused() - refusedBefore));
            assertArrayEquals(first, client.receive("the queued datagram"));
            Await.until(() -> rec.writables().size() == 1, () -> "onUdpWritable once after the refusal, got " + rec.writables().size());
            assertEquals(socket, rec.writables().get(0), "onUdpWritable names the socket");
            OnWorker.run(w0, () -> {
                assertTrue(socket.isWritable(), "writable again after onUdpWritable");
                socket.sendTo(to, ByteBuffer.wrap(second));
            });
            assertArrayEquals(second, client.receive("the datagram sent after onUdpWritable"));
            assertNull(client.tryReceive(Duration.ofMillis(200)), "nothing else (the refused sends were not queued)");
            assertEquals(1, rec.writables().size(), "onUdpWritable fired once for the one refusal episode");
        }
    }

    @Test
    void aSegmentedSendPastTheLimitQueuesNothing() throws Exception {
        UdpRecorder rec = UdpRecorder.recording();
        byte[] first = Bytes.random(new Random(30), 30_000);
        try (Runtime rt = startShared(rec);
             UdpPeer client = UdpPeer.bind(loopbackAnyPort())) {
            UdpSocket socket = boundSocket(rt);
            WorkerContext w0 = rt.worker(0);
            InetSocketAddress to = client.localAddress();
            long refusedBefore = w0.stats().datagramSendsRefused();
            OnWorker.run(w0, () -> {
                socket.sendTo(to, ByteBuffer.wrap(first));
                ByteBuffer segments = ByteBuffer.wrap(new byte[40_000]);
                assertFalse(socket.trySendSegmentsTo(to, segments, 1000), "30,000 + 40 x 1000 B exceed 65,527 B");
                assertEquals(40_000, segments.remaining(), "a refused trySendSegmentsTo leaves the position");
                assertThrows(SendQueueFullException.class, () -> socket.sendSegmentsTo(to, segments, 1000));
                assertEquals(30_000, socket.pendingSendBytes(), "none of the 40 segments was queued");
            });
            assertArrayEquals(first, client.receive("the datagram queued before the refused segments"));
            assertNull(client.tryReceive(Duration.ofMillis(200)), "no segment of the refused sends went out");
            Await.until(() -> w0.stats().datagramSendsRefused() == refusedBefore + 80,
                    () -> "datagramSendsRefused counts the refused datagrams (2 x 40), was +"
                            + (w0.stats().datagramSendsRefused() - refusedBefore));
        }
    }

    @Test
    void invalidArgumentsAndStatesAreRefusedNamingTheProblem() throws Exception {
        UdpRecorder rec = UdpRecorder.recording();
        try (Runtime rt = startShared(rec);
             UdpPeer client = UdpPeer.bind(loopbackAnyPort())) {
            UdpSocket socket = boundSocket(rt);
            WorkerContext w0 = rt.worker(0);
            InetSocketAddress to = client.localAddress();
            OnWorker.run(w0, () -> {
                ByteBuffer tooBig = ByteBuffer.allocate(UdpSocket.MAX_IPV4_PAYLOAD + 1);
                for (Executable send : List.<Executable>of(() -> socket.sendTo(to, tooBig), () -> socket.trySendTo(to, tooBig))) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, send, "65,508 B to an IPv4 address");
                    String m = digits(e.getMessage());
                    assertTrue(m.contains("65508") && m.contains("65507"), () -> "'" + e.getMessage() + "' names the size 65508 and the limit 65507");
                }
                assertEquals(UdpSocket.MAX_IPV4_PAYLOAD + 1, tooBig.remaining(), "a refused datagram's position is left");
                InetSocketAddress unresolved = InetSocketAddress.createUnresolved("localhost", to.getPort());
                assertThrows(IllegalArgumentException.class, () -> socket.sendTo(unresolved, ByteBuffer.allocate(1)), "unresolved target");
                assertThrows(IllegalArgumentException.class, () -> socket.sendSegmentsTo(to, ByteBuffer.allocate(1000), 0), "segmentSize 0");
                assertThrows(IllegalArgumentException.class, () -> socket.sendSegmentsTo(to, ByteBuffer.allocate(1000), -1), "segmentSize -1");
                assertThrows(IllegalArgumentException.class,
                        () -> socket.sendSegmentsTo(to, ByteBuffer.allocate(70_000), UdpSocket.MAX_IPV4_PAYLOAD + 1), "segmentSize 65,508 to IPv4");
                assertThrows(IllegalStateException.class, () -> socket.send(ByteBuffer.allocate(1)), "send() on an unconnected socket");
                assertThrows(IllegalStateException.class, () -> socket.trySend(ByteBuffer.allocate(1)), "trySend() on an unconnected socket");
                // A socket closed by the handler refuses every send.
                UdpSocket closed = w0.openUdp(loopbackAnyPort(), rec);
                closed.close();
                assertFalse(closed.isOpen(), "closed");
                assertThrows(IllegalStateException.class, () -> closed.sendTo(to, ByteBuffer.allocate(1)), "sendTo on a closed socket");
                assertThrows(IllegalStateException.class, () -> closed.trySendTo(to, ByteBuffer.allocate(1)), "trySendTo on a closed socket");
                assertThrows(IllegalStateException.class, () -> closed.sendSegmentsTo(to, ByteBuffer.allocate(10), 5), "sendSegmentsTo on a closed socket");
                closed.close(); // idempotent
            });
            // Off the worker thread.
            assertThrows(IllegalStateException.class, () -> socket.sendTo(to, ByteBuffer.allocate(1)), "sendTo off the worker");
            assertThrows(IllegalStateException.class, () -> socket.trySendTo(to, ByteBuffer.allocate(1)), "trySendTo off the worker");
            assertThrows(IllegalStateException.class, () -> socket.sendSegmentsTo(to, ByteBuffer.allocate(10), 5), "sendSegmentsTo off the worker");
            assertThrows(IllegalStateException.class, socket::close, "close off the worker");
            assertThrows(IllegalStateException.class, () -> w0.openUdp(loopbackAnyPort(), rec), "openUdp off the worker");
            assertThrows(IllegalStateException.class, w0::udpSockets, "udpSockets off the worker");
            assertTrue(socket.isOpen(), "isOpen works off the worker, and the refused close left it open");
            // Nothing of the refused sends went out; the socket still sends.
            OnWorker.run(w0, () -> socket.sendTo(to, ByteBuffer.wrap(new byte[] {42})));
            assertArrayEquals(new byte[] {42}, client.receive("a datagram after the refused calls"));
            assertNull(client.tryReceive(Duration.ofMillis(200)), "only that one");
            rec.awaitCloses(1);
            assertEquals(1, rec.closes().size(), "onUdpClosed once for the closed socket (closed twice)");
            assertNull(rec.closes().get(0).cause(), "closed by close(): cause null");
        }
    }

    /** {@code message} without digit group separators, so "65,508" reads as "65508". */
    static String digits(String message) {
        return String.valueOf(message).replaceAll("(?<=\\d)[,_ '.](?=\\d{3})", "");
    }
}
