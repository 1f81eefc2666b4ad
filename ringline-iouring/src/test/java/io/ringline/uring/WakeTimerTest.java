package io.ringline.uring;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Blocking waits while a timer is pending: ended by the {@link WakeTimer}, not by a timeout operation per wait. */
class WakeTimerTest {

    @BeforeEach
    void requireIoUring() {
        UringTestSupport.requireIoUring();
    }

    private static Config.Builder config() {
        return Config.builder().workers(1).backend(IoUringBackendProvider.NAME)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .shutdownGracePeriod(Duration.ofSeconds(5));
    }

    /** {@return completions the kernel posted on ring {@code fd} so far (CqTail in fdinfo)} */
    private static long completions(int fd) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (l.startsWith("CqTail:")) {
                return Long.parseLong(l.substring("CqTail:".length()).trim());
            }
        }
        throw new AssertionError("no CqTail in fdinfo of ring " + fd);
    }

    @Test
    void roundTripsWithAnIdleTimerPendingCostOnlyTheirOwnCompletions() throws Exception {
        AtomicInteger ringFd = new AtomicInteger(-1);
        Handler echo = new Handler() {
            @Override
            public void onOpen(Connection c) {
                ringFd.set(UringWorkerIo.current().ringFd());
            }

            @Override
            public int onData(Connection c, ByteBuffer data) {
                int n = data.remaining();
                c.send(data);
                return n;
            }
        };
        // The idle timeout keeps a timer pending on the worker: every blocking wait has a deadline.
        try (Runtime rt = Runtime.start(config().idleTimeout(Duration.ofSeconds(60)).build(), w -> echo);
             Socket s = new Socket()) {
            InetSocketAddress addr = rt.boundAddresses().get(0);
            s.connect(addr);
            s.setSoTimeout(10_000);
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] msg = "0123456789".getBytes();
            out.write(msg);
            assertArrayEquals(msg, in.readNBytes(msg.length)); // open, registered, receiving
            long before = completions(ringFd.get());
            int rounds = 300;
            for (int i = 0; i < rounds; i++) {
                out.write(msg);
                assertArrayEquals(msg, in.readNBytes(msg.length));
            }
            long cqes = completions(ringFd.get()) - before;
            // One receive and one send completion per round trip; a timeout operation per blocking
            // wait (about two waits per round trip) would add about two more.
            assertTrue(cqes <= 2L * rounds + 20, cqes + " completions for " + rounds + " round trips");
        }
    }

    @Test
    void aTimerDueBeforeThePendingWakeUpEndsTheWaitOnTime() throws Exception {
        Handler none = new Handler() {
            @Override
            public int onData(Connection c, ByteBuffer data) {
                return data.remaining();
            }
        };
        try (Runtime rt = Runtime.start(config().build(), w -> none)) {
            CompletableFuture<Long> late = new CompletableFuture<>();
            CompletableFuture<Long> soon = new CompletableFuture<>();
            long start = System.nanoTime();
            rt.worker(0).execute(() -> rt.worker(0).schedule(Duration.ofSeconds(30), () -> late.complete(System.nanoTime())));
            // Let the worker block with the wake-up at 30 s, then ask for an earlier one.
            CompletableFuture<Void> blocked = new CompletableFuture<>();
            rt.worker(0).execute(() -> rt.worker(0).schedule(Duration.ofMillis(50), () -> blocked.complete(null)));
            blocked.get(10, TimeUnit.SECONDS);
            rt.worker(0).execute(() -> rt.worker(0).schedule(Duration.ofMillis(200), () -> soon.complete(System.nanoTime())));
            long fired = soon.get(10, TimeUnit.SECONDS);
            assertTrue(fired - start < TimeUnit.SECONDS.toNanos(10));
            assertTrue(!late.isDone(), "the 30 s timer fired early");
        }
    }
}
