package io.ringline.nio;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.DatagramHandler;
import io.ringline.Handler;
import io.ringline.Runtime;
import io.ringline.UdpSocket;
import io.ringline.WorkerStats;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The NIO UDP driver under the real core: bindings, drops and failures as the handler and {@link WorkerStats} see them. */
class NioUdpRuntimeTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** Echoes every datagram to its sender. */
    static class Echo implements Handler, DatagramHandler {
        @Override
        public int onData(Connection connection, ByteBuffer data) {
            return data.remaining();
        }

        @Override
        public void onDatagram(UdpSocket socket, InetSocketAddress sender, ByteBuffer datagram) {
            socket.sendTo(sender, datagram);
        }
    }

    private static Config.Builder config(int workers) {
        return Config.builder().backend("nio").workers(workers).shutdownGracePeriod(Duration.ofSeconds(2));
    }

    private static long sum(Runtime rt, java.util.function.ToLongFunction<WorkerStats> counter) {
        long n = 0;
        for (int i = 0; i < rt.workerCount(); i++) {
            n += counter.applyAsLong(rt.worker(i).stats());
        }
        return n;
    }

    private static void await(LongSupplier value, long expected, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (value.getAsLong() != expected) {
            assertTrue(System.nanoTime() - deadline < 0, what + ": " + value.getAsLong() + ", expected " + expected);
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    private static DatagramSocket client() throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        s.setSoTimeout(10_000);
        return s;
    }

    private static byte[] roundTrip(DatagramSocket client, InetSocketAddress server, byte[] bytes) throws IOException {
        client.send(new DatagramPacket(bytes, bytes.length, server));
        DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
        client.receive(p);
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    /** One socket per worker on one port (SO_REUSEPORT): the kernel spreads senders over them, each echoes. */
    @Test
    void aPerWorkerBindingEchoesFromEveryWorker() throws Exception {
        try (Runtime rt = Runtime.start(config(2).bindUdp(new InetSocketAddress(LOOPBACK, 0)).build(), w -> new Echo())) {
            InetSocketAddress server = rt.udpAddresses().getFirst();
            int clients = 16;
            for (int i = 0; i < clients; i++) {
                try (DatagramSocket c = client()) {
                    byte[] msg = ("datagram " + i).getBytes();
                    assertArrayEquals(msg, roundTrip(c, server, msg));
                }
            }
            await(() -> sum(rt, WorkerStats::datagramsReceived), clients, "datagrams received");
            await(() -> sum(rt, WorkerStats::datagramsSent), clients, "datagrams sent");
            assertTrue(rt.worker(0).stats().datagramsReceived() > 0 && rt.worker(1).stats().datagramsReceived() > 0,
                    "16 senders reached both workers' sockets: " + rt.worker(0).stats().datagramsReceived() + " and "
                            + rt.worker(1).stats().datagramsReceived());
        }
    }

    @Test
    void aDatagramAboveMaxDatagramSizeArrivesCutAndIsCounted() throws Exception {
        AtomicReference<byte[]> head = new AtomicReference<>();
        Echo handler = new Echo() {
            @Override
            public void onDatagramTruncated(UdpSocket socket, InetSocketAddress sender, ByteBuffer cut) {
                byte[] b = new byte[cut.remaining()];
                cut.get(b);
                head.set(b);
            }
        };
        try (Runtime rt = Runtime.start(config(1).maxDatagramSize(1000).bindUdp(new InetSocketAddress(LOOPBACK, 0)).build(),
                w -> handler)) {
            InetSocketAddress server = rt.udpAddresses().getFirst();
            byte[] whole = new byte[1000];
            Arrays.fill(whole, (byte) 1);
            byte[] big = new byte[1001];
            Arrays.fill(big, (byte) 2);
            try (DatagramSocket c = client()) {
                assertArrayEquals(whole, roundTrip(c, server, whole), "exactly maxDatagramSize is whole");
                c.send(new DatagramPacket(big, big.length, server));
            }
            await(() -> rt.worker(0).stats().datagramsTruncated(), 1, "truncated");
            assertArrayEquals(Arrays.copyOf(big, 1000), head.get());
        }
    }

    /**
     * The worker is held in the first datagram's callback while a flood fills the socket's tiny
     * receive buffer: what the kernel could not queue is counted in {@link WorkerStats#datagramsDropped()}.
     */
    @Test
    void aFloodedSocketCountsTheKernelsDrops() throws Exception {
        int flood = 2000;
        CountDownLatch floodSent = new CountDownLatch(1);
        Echo holdFirst = new Echo() {
            private boolean held;

            @Override
            public void onDatagram(UdpSocket socket, InetSocketAddress sender, ByteBuffer datagram) {
                if (!held) {
                    held = true;
                    try {
                        assertTrue(floodSent.await(20, TimeUnit.SECONDS), "the flood was sent");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        Config cfg = config(1).option("nio.udpReceiveBufferSize", 4096).bindUdp(new InetSocketAddress(LOOPBACK, 0)).build();
        try (Runtime rt = Runtime.start(cfg, w -> holdFirst); DatagramSocket c = client()) {
            InetSocketAddress server = rt.udpAddresses().getFirst();
            byte[] payload = new byte[200];
            DatagramPacket p = new DatagramPacket(payload, payload.length, server);
            c.send(p);
            await(() -> rt.worker(0).stats().datagramsReceived(), 1, "the first datagram");
            for (int i = 1; i < flood; i++) {
                c.send(p);
            }
            floodSent.countDown();
            WorkerStats stats = rt.worker(0).stats();
            await(() -> stats.datagramsReceived() + stats.datagramsDropped(), flood, "received + dropped");
            assertTrue(stats.datagramsDropped() > 0, "a 4 KiB receive buffer overflowed");
        }
    }

    /** No socket behind the connected peer's port: the ICMP error reaches onUdpSendFailed with the peer. */
    @Test
    void anIcmpPortUnreachableOnAConnectedSocketReachesTheHandler() throws Exception {
        InetSocketAddress dead = NioUdpSocketTest.deadPort();
        CompletableFuture<IOException> failure = new CompletableFuture<>();
        CompletableFuture<InetSocketAddress> failedTarget = new CompletableFuture<>();
        DatagramHandler handler = new DatagramHandler() {
            @Override
            public void onDatagram(UdpSocket socket, InetSocketAddress sender, ByteBuffer datagram) {
            }

            @Override
            public void onUdpSendFailed(UdpSocket socket, InetSocketAddress target, IOException cause) {
                failedTarget.complete(target);
                failure.complete(cause);
            }
        };
        try (Runtime rt = Runtime.start(config(1).build(), w -> new Echo())) {
            CompletableFuture<UdpSocket> opened = new CompletableFuture<>();
            rt.worker(0).execute(() -> {
                try {
                    UdpSocket s = rt.worker(0).openUdp(new InetSocketAddress(LOOPBACK, 0), dead, handler);
                    s.send(ByteBuffer.wrap("anyone?".getBytes()));
                    opened.complete(s);
                } catch (Throwable t) {
                    opened.completeExceptionally(t);
                }
            });
            UdpSocket s = opened.get(20, TimeUnit.SECONDS);
            assertInstanceOf(PortUnreachableException.class, failure.get(20, TimeUnit.SECONDS));
            assertEquals(dead, failedTarget.get());
            await(() -> rt.worker(0).stats().datagramSendFailures(), 1, "send failures");
            assertTrue(s.isOpen(), "the socket stays open");
        }
    }

    /**
     * The whole echo path on the worker (select, receive, core delivery, handler, queue, send)
     * allocates nothing per datagram from a repeating sender (the JDK's epoll Selector boxes fds
     * above 127: this module's tests raise {@code AutoBoxCacheMax}, see the pom).
     */
    @Test
    void echoingARepeatingSenderAllocatesLessThanAByteADatagramOnTheWorker() throws Exception {
        int from = 2_000;
        int to = 10_000;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] marks = new long[2];
        AtomicLong seen = new AtomicLong();
        Echo measuring = new Echo() {
            @Override
            public void onDatagram(UdpSocket socket, InetSocketAddress sender, ByteBuffer datagram) {
                long n = seen.get() + 1;
                if (n == from) {
                    marks[0] = threads.getCurrentThreadAllocatedBytes();
                } else if (n == to) {
                    marks[1] = threads.getCurrentThreadAllocatedBytes();
                }
                seen.set(n);
                super.onDatagram(socket, sender, datagram);
            }
        };
        try (Runtime rt = Runtime.start(config(1).bindUdp(new InetSocketAddress(LOOPBACK, 0)).build(), w -> measuring);
             DatagramSocket c = client()) {
            InetSocketAddress server = rt.udpAddresses().getFirst();
            byte[] msg = new byte[64];
            DatagramPacket out = new DatagramPacket(msg, msg.length, server);
            DatagramPacket in = new DatagramPacket(new byte[100], 100);
            for (int i = 0; i < to; i++) {
                c.send(out);
                c.receive(in);
            }
            CompletableFuture<long[]> read = new CompletableFuture<>();
            rt.worker(0).execute(() -> read.complete(marks.clone()));
            long[] m = read.get(20, TimeUnit.SECONDS);
            long allocated = m[1] - m[0];
            assertTrue(allocated < to - from, allocated + " bytes allocated on the worker over " + (to - from) + " echoed datagrams");
        }
    }
}
