package io.ringline.nio;

import io.ringline.Config;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The NIO UDP receive path allocates nothing per datagram from a repeating sender: the JDK's
 * {@code DatagramChannelImpl.receive} hands back its cached {@link InetSocketAddress} when the
 * sender equals the previous one, the datagram is shown in the worker's one read-only view, and
 * the drops refresh reads {@code /proc/net/udp} into a buffer it keeps. Measured on the polling
 * thread (the worker here) with a {@link FakeUdpCore} that only counts; the sender is another
 * thread, in lockstep batches so that the socket buffer never overflows.
 */
class NioUdpReceiveAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int BATCH = 16;
    private static final int FROM = 5_000;
    private static final int TOTAL = 30_000;

    private NioWorkerIo io;

    @AfterEach
    void closeWorker() {
        if (io != null) {
            io.close();
        }
    }

    @Test
    void receivingFromARepeatingSenderAllocatesLessThanAByteADatagram() throws Exception {
        io = new NioWorkerIo(new FakeWorkerServices(Config.builder().build(), Map.of()));
        FakeUdpCore core = new FakeUdpCore();
        NioUdpSocket s = (NioUdpSocket) io.openUdp(core, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, false);
        core.transport = s;
        core.keep = false;
        s.startReceiving();
        assertTrue(s.inode() > 0, "the drops refresh runs during the measurement");

        AtomicLong progress = new AtomicLong();
        AtomicLong senderFailure = new AtomicLong();
        Thread sender = Thread.ofPlatform().name("udp-sender").start(() -> {
            try (DatagramSocket out = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                DatagramPacket p = new DatagramPacket(new byte[64], 64, s.localAddress());
                long deadline = System.nanoTime() + 30_000_000_000L;
                for (int sent = 0; sent < TOTAL; ) {
                    for (int i = 0; i < BATCH; i++) {
                        out.send(p);
                    }
                    sent += BATCH;
                    while (progress.get() < sent) {
                        if (System.nanoTime() - deadline > 0) {
                            senderFailure.set(sent);
                            return;
                        }
                        LockSupport.parkNanos(10_000);
                    }
                }
            } catch (IOException e) {
                senderFailure.set(-1);
            }
        });

        long deadline = System.nanoTime() + 40_000_000_000L;
        long allocatedAtFrom = 0;
        long countAtFrom = 0;
        while (core.receivedCount < TOTAL && System.nanoTime() - deadline < 0 && senderFailure.get() == 0) {
            io.poll(1_000_000L);
            progress.set(core.receivedCount);
            if (countAtFrom == 0 && core.receivedCount >= FROM) {
                countAtFrom = core.receivedCount;
                allocatedAtFrom = THREADS.getCurrentThreadAllocatedBytes();
            }
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocatedAtFrom;
        long datagrams = core.receivedCount - countAtFrom;
        sender.join(10_000);
        assertEquals(0, senderFailure.get(), "sender failed or stalled at datagram " + senderFailure.get());
        assertEquals(TOTAL, core.receivedCount);
        assertNull(core.failure);
        assertTrue(allocated < datagrams, allocated + " bytes allocated on the worker for " + datagrams + " datagrams");
    }
}
