package io.ringline.nio;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The NIO receive path allocates nothing per select, read or delivery in steady state: with a
 * handler that allocates nothing, the worker thread's allocated bytes do not grow with the number
 * of reads (measured between two deliveries, far apart, on the worker itself). The JDK's epoll
 * Selector boxes the fd of each ready key, which allocates above 127: this module's tests run with
 * {@code -XX:AutoBoxCacheMax=65536} (see the pom), so only ringline's own allocation counts.
 */
class NioReceiveAllocationTest {

    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Consumes everything; at delivery {@link #FROM} and {@link #TO} it notes the worker's allocated bytes. */
    static final class Sink implements Handler {
        static final int FROM = 1_000;
        static final int TO = 4_000;
        final AtomicLong deliveries = new AtomicLong();
        long allocatedAtFrom;
        long allocatedAtTo;

        @Override
        public int onData(Connection connection, ByteBuffer data) {
            long n = deliveries.get() + 1;
            if (n == FROM || n == TO) {
                long allocated = ((com.sun.management.ThreadMXBean) THREADS).getCurrentThreadAllocatedBytes();
                if (n == FROM) {
                    allocatedAtFrom = allocated;
                } else {
                    allocatedAtTo = allocated;
                }
            }
            deliveries.set(n);
            return data.remaining();
        }
    }

    @Test
    void readsAndDeliveriesAllocateNothingOnTheWorker() throws Exception {
        Sink h = new Sink();
        Config cfg = Config.builder().workers(1).backend("nio")
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .shutdownGracePeriod(Duration.ofSeconds(2)).build();
        try (Runtime rt = Runtime.start(cfg, w -> h)) {
            InetSocketAddress addr = rt.boundAddresses().get(0);
            try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
                s.setTcpNoDelay(true);
                OutputStream out = s.getOutputStream();
                byte[] message = new byte[100];
                for (int i = 1; i <= Sink.TO; i++) {
                    out.write(message);
                    // One write per select and read: wait until it was delivered before the next.
                    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while (h.deliveries.get() < i) {
                        assertTrue(System.nanoTime() - deadline < 0, "delivery " + i + " within 20 s");
                        LockSupport.parkNanos(20_000);
                    }
                }
            }
            assertEquals(Sink.TO, h.deliveries.get(), "one delivery per write");
            long[] marks = new long[2];
            java.util.concurrent.CompletableFuture<Void> read = new java.util.concurrent.CompletableFuture<>();
            rt.worker(0).execute(() -> {
                marks[0] = h.allocatedAtFrom;
                marks[1] = h.allocatedAtTo;
                read.complete(null);
            });
            read.get(20, java.util.concurrent.TimeUnit.SECONDS);
            long perDelivery = (marks[1] - marks[0]) / (Sink.TO - Sink.FROM);
            // Nothing per delivery (a rare one-off, e.g. a JIT deoptimization, stays below a byte each).
            assertEquals(0, perDelivery, () -> (marks[1] - marks[0]) + " bytes allocated on the worker over "
                    + (Sink.TO - Sink.FROM) + " selects, reads and deliveries");
        }
    }
}
