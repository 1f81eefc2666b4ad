package io.ringline.tests;

import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.IdleStrategy;
import io.ringline.Runtime;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Clients;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each idle strategy serves an echo: request/response round trips (the worker must notice input
 * however it waits), a task from another thread (it must wake or see it), and a timer.
 */
class IdleStrategyEchoTest extends BackendTest {

    private static final Handler ECHO = new Handler() {
        @Override
        public int onData(Connection c, ByteBuffer data) {
            int n = data.remaining();
            c.send(data);
            return n;
        }
    };

    private void echoes(IdleStrategy strategy) throws Exception {
        try (Runtime rt = start(serverConfig().workers(1).idleStrategy(strategy), w -> ECHO);
             Socket s = Clients.connect(address(rt))) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int i = 0; i < 50; i++) {
                byte[] msg = ("ping " + i + " " + strategy).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                out.write(msg);
                assertArrayEquals(msg, Clients.readExactly(in, msg.length), "round trip " + i);
            }
            CompletableFuture<String> task = new CompletableFuture<>();
            rt.worker(0).execute(() -> task.complete(Thread.currentThread().getName()));
            assertTrue(task.get(10, TimeUnit.SECONDS).contains("worker-0"), "a task from another thread ran on the worker");
            CompletableFuture<Long> timer = new CompletableFuture<>();
            long start = System.nanoTime();
            rt.worker(0).execute(() -> rt.worker(0).schedule(Duration.ofMillis(20), () -> timer.complete(System.nanoTime())));
            assertTrue(timer.get(10, TimeUnit.SECONDS) - start >= TimeUnit.MILLISECONDS.toNanos(20), "the timer fired, not early");
        }
    }

    @Test
    void blockingServesAnEcho() throws Exception {
        echoes(IdleStrategy.BLOCKING);
    }

    @Test
    void busySpinServesAnEcho() throws Exception {
        echoes(IdleStrategy.BUSY_SPIN);
    }

    @Test
    void backoffServesAnEcho() throws Exception {
        echoes(IdleStrategy.backoff(10, 5, Duration.ofNanos(10_000), Duration.ofMillis(5)));
    }
}
