package io.ringline.tests;

import io.ringline.Handler;
import io.ringline.Runtime;
import io.ringline.TimerHandle;
import io.ringline.WorkerContext;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.OncePerBackendTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Worker timers: order, FIFO for equal delays, cancellation, sleep and timeout stages. */
class TimerTest extends OncePerBackendTest {

    private static final Handler IDLE = (c, data) -> data.remaining();

    private Runtime startIdle() {
        return start(clientConfig(), w -> IDLE);
    }

    @Test
    void timersRunInDeadlineOrderOnTheWorkerThread() {
        try (Runtime rt = startIdle()) {
            WorkerContext w = rt.worker(1);
            List<Integer> order = new CopyOnWriteArrayList<>();
            AtomicInteger offWorker = new AtomicInteger();
            int[] delaysMs = {120, 20, 80, 0, 40, 100, 60};
            OnWorker.run(w, () -> {
                for (int d : delaysMs) {
                    w.schedule(Duration.ofMillis(d), () -> {
                        if (!w.inWorkerThread()) {
                            offWorker.incrementAndGet();
                        }
                        order.add(d);
                    });
                }
            });
            Await.until(() -> order.size() == delaysMs.length, () -> "all timers ran, got " + order);
            assertEquals(List.of(0, 20, 40, 60, 80, 100, 120), order);
            assertEquals(0, offWorker.get(), "timers run on the worker thread");
        }
    }

    @Test
    void timersWithEqualDelaysRunInSchedulingOrder() {
        try (Runtime rt = startIdle()) {
            WorkerContext w = rt.worker(0);
            List<Integer> order = new CopyOnWriteArrayList<>();
            int n = 500;
            OnWorker.run(w, () -> {
                for (int i = 0; i < n; i++) {
                    int id = i;
                    w.schedule(Duration.ofMillis(30), () -> order.add(id));
                }
                // Zero delay, scheduled from within: also in order.
                for (int i = n; i < 2 * n; i++) {
                    int id = i;
                    w.schedule(Duration.ZERO, () -> order.add(id));
                }
            });
            Await.until(() -> order.size() == 2 * n, () -> "all timers ran, got " + order.size());
            List<Integer> expected = new ArrayList<>();
            for (int i = n; i < 2 * n; i++) {
                expected.add(i);
            }
            for (int i = 0; i < n; i++) {
                expected.add(i);
            }
            assertEquals(expected, order);
        }
    }

    @Test
    void cancelledTimersNeverRunAndCancelReportsWhetherItPreventedTheRun() {
        try (Runtime rt = startIdle()) {
            WorkerContext w = rt.worker(0);
            AtomicBoolean cancelledRan = new AtomicBoolean();
            AtomicBoolean victimRan = new AtomicBoolean();
            CompletableFuture<TimerHandle> lastRan = new CompletableFuture<>();
            AtomicReference<TimerHandle> cancelled = new AtomicReference<>();
            AtomicReference<TimerHandle> last = new AtomicReference<>();
            List<String> checks = new CopyOnWriteArrayList<>();
            OnWorker.run(w, () -> {
                TimerHandle t = w.schedule(Duration.ofMillis(20), () -> cancelledRan.set(true));
                assertFalse(t.isDone());
                assertTrue(t.cancel(), "first cancel prevents the run");
                assertFalse(t.cancel(), "second cancel has no effect");
                assertTrue(t.isCancelled());
                assertTrue(t.isDone());
                cancelled.set(t);
                // A timer cancelled by another timer with the same delay that runs just before it.
                AtomicReference<TimerHandle> victim = new AtomicReference<>();
                w.schedule(Duration.ofMillis(30), () -> checks.add("cancel victim: " + victim.get().cancel()));
                victim.set(w.schedule(Duration.ofMillis(30), () -> victimRan.set(true)));
                last.set(w.schedule(Duration.ofMillis(60), () -> lastRan.complete(last.get())));
            });
            TimerHandle ran = OnWorker.Stages.await(lastRan);
            OnWorker.run(w, () -> {
                assertFalse(ran.cancel(), "cancel after the run returns false");
                assertTrue(ran.isDone());
                assertFalse(ran.isCancelled());
            });
            assertFalse(cancelledRan.get(), "a cancelled timer never runs (its deadline passed long ago)");
            assertFalse(victimRan.get(), "a timer cancelled by an earlier timer never runs");
            assertEquals(List.of("cancel victim: true"), checks);
            assertTrue(cancelled.get().isCancelled());
        }
    }

    @Test
    void sleepCompletesOnTheWorkerAfterTheDelay() {
        try (Runtime rt = startIdle()) {
            WorkerContext w = rt.worker(0);
            AtomicReference<Boolean> onWorker = new AtomicReference<>();
            long[] startNanos = new long[1];
            CompletionStage<Long> elapsed = OnWorker.call(w, () -> {
                startNanos[0] = System.nanoTime();
                return w.sleep(Duration.ofMillis(50)).thenApply(v -> {
                    onWorker.set(w.inWorkerThread());
                    return System.nanoTime() - startNanos[0];
                });
            });
            long nanos = OnWorker.Stages.await(elapsed);
            assertTrue(nanos >= Duration.ofMillis(50).toNanos(), "slept " + nanos + " ns, expected >= 50 ms");
            assertEquals(Boolean.TRUE, onWorker.get(), "sleep completes on the worker thread");
        }
    }

    @Test
    void timeoutFailsAStageThatIsTooSlowAndPassesThroughOneThatIsNot() {
        try (Runtime rt = startIdle()) {
            WorkerContext w = rt.worker(0);
            // Never completes: fails with TimeoutException, on the worker thread.
            AtomicReference<Boolean> failedOnWorker = new AtomicReference<>();
            CompletionStage<Object> slow = OnWorker.call(w, () -> w.timeout(new CompletableFuture<>(), Duration.ofMillis(30))
                    .whenComplete((v, t) -> failedOnWorker.set(w.inWorkerThread())));
            assertInstanceOf(TimeoutException.class, OnWorker.Stages.failure(slow));
            assertEquals(Boolean.TRUE, failedOnWorker.get());
            // Completed by a foreign thread in time: the value passes through, completed on the worker thread.
            CompletableFuture<String> foreign = new CompletableFuture<>();
            AtomicReference<Boolean> doneOnWorker = new AtomicReference<>();
            CompletionStage<String> fast = OnWorker.call(w, () -> w.timeout(foreign, Duration.ofSeconds(20))
                    .whenComplete((v, t) -> doneOnWorker.set(w.inWorkerThread())));
            foreign.complete("value");
            assertEquals("value", OnWorker.Stages.await(fast));
            assertEquals(Boolean.TRUE, doneOnWorker.get(), "completed on the worker thread");
            // A failure passes through unchanged.
            IllegalStateException boom = new IllegalStateException("boom");
            CompletionStage<String> failing = OnWorker.call(w, () -> w.timeout(
                    w.sleep(Duration.ofMillis(5)).<String>thenApply(v -> {
                        throw boom;
                    }), Duration.ofSeconds(20)));
            assertEquals(boom, OnWorker.Stages.failure(failing));
            // sleep + timeout: the sleep wins when shorter.
            CompletionStage<Void> race = OnWorker.call(w, () -> w.timeout(w.sleep(Duration.ofMillis(10)), Duration.ofSeconds(20)));
            OnWorker.Stages.await(race);
        }
    }

    @Test
    void invalidDelaysAndForeignThreadsAreRejected() {
        try (Runtime rt = startIdle()) {
            WorkerContext w = rt.worker(0);
            assertThrows(IllegalStateException.class, () -> w.schedule(Duration.ofMillis(1), () -> { }));
            assertThrows(IllegalStateException.class, () -> w.sleep(Duration.ofMillis(1)));
            assertThrows(IllegalStateException.class, () -> w.timeout(new CompletableFuture<>(), Duration.ofMillis(1)));
            OnWorker.run(w, () -> {
                assertThrows(IllegalArgumentException.class, () -> w.schedule(Duration.ofMillis(-1), () -> { }));
                assertThrows(IllegalArgumentException.class, () -> w.sleep(Duration.ofNanos(-1)));
                assertThrows(IllegalArgumentException.class, () -> w.timeout(new CompletableFuture<>(), Duration.ofMillis(-1)));
            });
        }
    }
}
