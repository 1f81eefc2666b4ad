package io.ringline.tests;

import io.ringline.IdleStrategy;
import io.ringline.Runtime;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.EchoHandler;
import io.ringline.tests.support.OncePerBackendTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each idle strategy serves an echo: request/response round trips (the worker must notice input
 * however it waits), a task from another thread (it must wake or see it), and a timer. The idle
 * strategy does not depend on backend options: once per backend.
 */
class IdleStrategyEchoTest extends OncePerBackendTest {

    private void echoes(IdleStrategy strategy) throws Exception {
        try (Runtime rt = start(serverConfig().workers(1).idleStrategy(strategy), w -> EchoHandler.plain());
             Client s = connect(rt)) {
            for (int i = 0; i < 50; i++) {
                byte[] msg = ("ping " + i + " " + strategy).getBytes(StandardCharsets.US_ASCII);
                s.write(msg);
                assertArrayEquals(msg, s.readExactly(msg.length), "round trip " + i);
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
