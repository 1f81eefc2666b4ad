package io.ringline.internal;

import io.ringline.Config;
import io.ringline.UdpSocket;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady-state UDP allocates nothing per datagram in the core: receive, echo with {@code sendTo},
 * the loop's flush and the transport's {@code sent} over an in-memory transport that itself
 * allocates nothing. Measured with the thread's allocated bytes.
 */
class UdpAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int WARM_UP = 50_000;
    private static final int MEASURED = 200_000;
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 9001);

    private final Worker worker = Worker.detached(Config.builder().workers(1).build(), (c, d) -> 0);
    private final FakeUdpTransport transport = new FakeUdpTransport(new InetSocketAddress("127.0.0.1", 9000), true);

    private UdpSocketImpl open(UdpRecorder handler) {
        UdpSocketImpl s = new UdpSocketImpl(worker, handler, null);
        transport.core = s;
        transport.record = false;
        s.attach(transport);
        return s;
    }

    private static double perDatagram(Runnable oneDatagram) {
        for (int i = 0; i < WARM_UP; i++) {
            oneDatagram.run();
        }
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < MEASURED; i++) {
            oneDatagram.run();
        }
        return (double) (THREADS.getCurrentThreadAllocatedBytes() - before) / MEASURED;
    }

    @Test
    void receiveEchoFlushAndSentAllocateNothingPerDatagram() {
        UdpSocketImpl s = open(new UdpRecorder() {
            @Override
            public void onDatagram(UdpSocket socket, InetSocketAddress sender, ByteBuffer datagram) {
                socket.sendTo(sender, datagram);
            }
        });
        double bytes = perDatagram(() -> {
            transport.receive(PEER, 100);
            worker.runOnce();
        });
        System.out.printf("UDP receive + echo (sendTo) + flush + sent of 100 B: %.3f B allocated per datagram%n", bytes);
        assertTrue(bytes < 1, bytes + " B per datagram");
        assertEquals(WARM_UP + MEASURED, worker.stats().datagramsSent());
        assertEquals(0, s.pendingSendBytes());
    }

    @Test
    void batchesOfSendsAndSegmentedSendsAllocateNothingPerDatagram() {
        UdpSocketImpl s = open(new UdpRecorder());
        ByteBuffer datagram = ByteBuffer.allocateDirect(1200);
        ByteBuffer segments = ByteBuffer.allocateDirect(1200 * 10);
        double bytes = perDatagram(() -> {
            for (int i = 0; i < 16; i++) { // several chunks' worth per pass: chunks cycle through the pool
                s.sendTo(PEER, datagram.clear());
            }
            s.sendSegmentsTo(PEER, segments.clear(), 1200);
            worker.runOnce();
        }) / 26;
        System.out.printf("UDP 16 x sendTo + 1 x sendSegmentsTo(10 x 1200 B) + flush + sent: %.3f B allocated per datagram%n", bytes);
        assertTrue(bytes < 1, bytes + " B per datagram");
    }
}
