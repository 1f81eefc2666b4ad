package io.ringline.tests.udp;

import io.ringline.Runtime;
import io.ringline.UdpMode;
import io.ringline.UdpSocket;
import io.ringline.WorkerContext;
import io.ringline.spi.Capability;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Leaks;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.Requires;
import org.junit.jupiter.api.Test;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Runtimes with UDP bindings and opened UDP sockets release their threads, descriptors and direct memory. */
@Requires(value = {Capability.UDP, Capability.OS_SOCKETS}, why = "counts file descriptors")
class UdpResourceLeakTest extends BackendTest {

    /** Cycles on a backend's default spec; its option variants run {@link #LIGHT}. */
    private static final int HEAVY = 20;
    private static final int LIGHT = 5;
    /** Descriptors the JVM may open on its own meanwhile; a leak of one socket per cycle shows as >= {@value #LIGHT}. */
    private static final int FD_TOLERANCE = 3;
    /** Direct memory the JDK may keep meanwhile; a leaked receive or send buffer per socket shows as far more. */
    private static final long DIRECT_TOLERANCE = 512 * 1024;

    @Test
    void udpRuntimesLeakNothing() throws Exception {
        int cycles = spec.isDefault() ? HEAVY : LIGHT;
        Set<Thread> threadsBefore = Leaks.ringlineThreads();
        cycle(); // warm-up: classes, the JVM's own descriptors
        cycle();
        Leaks.awaitNoNewRinglineThreads(threadsBefore, Duration.ofSeconds(20));
        long fdsBefore = Leaks.openFileDescriptors();
        long directBefore = direct();
        for (int i = 0; i < cycles; i++) {
            cycle();
        }
        Leaks.awaitNoNewRinglineThreads(threadsBefore, Duration.ofSeconds(20));
        Await.until(Duration.ofSeconds(20), () -> Leaks.openFileDescriptors() <= fdsBefore + FD_TOLERANCE,
                () -> "descriptors: " + fdsBefore + " before " + cycles + " UDP runtimes, " + Leaks.openFileDescriptors() + " after");
        Await.until(Duration.ofSeconds(20), () -> {
            System.gc(); // buffers the runtime dropped are freed by their cleaners
            return direct() <= directBefore + DIRECT_TOLERANCE;
        }, () -> "direct memory: " + directBefore + " B before " + cycles + " UDP runtimes, " + direct() + " B after");
    }

    private static long direct() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }

    /** One runtime: a PER_WORKER and a SHARED binding echo, every worker opens a socket and sends from it, then shutdown. */
    private void cycle() throws Exception {
        UdpRecorder echo = new UdpRecorder(true, false);
        try (Runtime rt = start(clientConfig().bindUdp(loopbackAnyPort(), UdpMode.PER_WORKER).bindUdp(loopbackAnyPort(), UdpMode.SHARED),
                w -> echo);
             UdpPeer client = UdpPeer.bind(loopbackAnyPort())) {
            for (InetSocketAddress server : rt.udpAddresses()) {
                client.send(server, new byte[] {1, 2, 3});
                assertArrayEquals(new byte[] {1, 2, 3}, client.receive("echo from " + server));
            }
            for (int w = 0; w < rt.workerCount(); w++) {
                WorkerContext worker = rt.worker(w);
                byte[] hello = {(byte) w};
                OnWorker.run(worker, () -> {
                    UdpSocket s = worker.openUdp(loopbackAnyPort(), echo);
                    s.sendTo(client.localAddress(), ByteBuffer.wrap(hello));
                });
                assertArrayEquals(hello, client.receive("datagram from a socket opened on worker " + w));
            }
            // Closing the runtime with every socket open: shutdown closes them.
        }
    }
}
