package io.ringline.uring;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loop passes through {@link NettyRunner}: the same dispatch as Netty's run, without its garbage per pass. */
class NettyRunnerTest {

    @BeforeEach
    void requireIoUring() {
        UringTestSupport.requireIoUring();
    }

    private static final class Counter implements IoUringIoHandle {
        int completions;
        int lastRes = Integer.MIN_VALUE;

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            completions++;
            lastRes = ((IoUringIoEvent) event).res();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void theRunnerIsAvailableWithThisNetty() {
        assertNull(NettyRunner.unavailable(), "NettyRunner cannot reach Netty 4.2.18's internals");
    }

    @Test
    void completionsAreDispatchedAndBlockingWaitsEndOnCompletion() throws Exception {
        try (NettyRing ring = new NettyRing(64, Runnable::run)) {
            assertTrue(ring.allocationFreeRun());
            Counter counter = new Counter();
            IoRegistration reg = ring.register(counter);
            for (int i = 1; i <= 100; i++) {
                reg.submit(Sqe.nop(1));
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (counter.completions < i && System.nanoTime() < deadline) {
                    ring.run(-1); // blocks until the NOP completes
                }
                assertEquals(i, counter.completions, "NOP " + i + " completed");
                assertEquals(0, counter.lastRes);
            }
            reg.cancel();
        }
    }

    @Test
    void aBlockingWaitWithATimeoutReturnsWhenItExpires() throws Exception {
        try (NettyRing ring = new NettyRing(64, Runnable::run)) {
            long start = System.nanoTime();
            assertEquals(0, ring.run(20_000_000L));
            assertTrue(System.nanoTime() - start >= 15_000_000L, "waited about the timeout");
        }
    }

    @Test
    void aWakeupFromAnotherThreadEndsABlockingWait() throws Exception {
        try (NettyRing ring = new NettyRing(64, Runnable::run)) {
            // Before or during the wait: either way the wait ends (Netty's eventfd stays readable).
            Thread waker = new Thread(ring::wakeup);
            waker.start();
            long start = System.nanoTime();
            ring.run(-1);
            waker.join();
            assertTrue(System.nanoTime() - start < 5_000_000_000L, "the wake-up ended the wait");
        }
    }

    @Test
    void passesAllocateNothing() throws Exception {
        assertTrue(bytesPerPass(true) < 1.0, "bytes per pass through NettyRunner");
    }

    /** Netty's public run allocates per call: the reason for the runner (shows the measurement can fail). */
    @Test
    void nettysPublicRunAllocatesPerPass() throws Exception {
        assertTrue(bytesPerPass(false) >= 8.0, "Netty's run allocates its callback per call");
    }

    private static double bytesPerPass(boolean runner) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        try (NettyRing ring = new NettyRing(64, Runnable::run, runner)) {
            assertEquals(runner, ring.allocationFreeRun());
            for (int i = 0; i < 200_000; i++) {
                ring.run(0); // warm-up: let C2 compile the pass
            }
            int passes = 100_000;
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < passes; i++) {
                ring.run(0);
            }
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            return (double) allocated / passes;
        }
    }
}
