package io.ringline.tests;

import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import io.ringline.Runtime;
import io.ringline.WorkerContext;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.OncePerBackendTest;
import io.ringline.tests.support.Recorder;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link io.ringline.Config#taskQueueLimit()} and {@link io.ringline.Config#blockingQueueLimit()}:
 * past the bound {@code execute} and {@code runBlocking} refuse with a message naming the limit;
 * once drained they work again; the runtime's own tasks are never refused because of the bound.
 */
class QueueLimitTest extends OncePerBackendTest {

    private static final int TASK_LIMIT = 8;

    /** A task that holds its worker until released, so that tasks queue up behind it. */
    private static final class Blocker implements Runnable {
        final CountDownLatch running = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<Runnable> beforeWaiting = new ArrayList<>();

        @Override
        public void run() {
            beforeWaiting.forEach(Runnable::run);
            running.countDown();
            try {
                if (!release.await(Await.LONG.toSeconds(), TimeUnit.SECONDS)) {
                    throw new AssertionError("blocker was never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void awaitRunning() throws InterruptedException {
            assertTrue(running.await(Await.LONG.toSeconds(), TimeUnit.SECONDS), "the blocker runs on the worker");
        }
    }

    /** Fills {@code w}'s user queue to the limit and checks the next task is refused naming the limit. */
    private static void fillAndExpectRefusal(WorkerContext w, AtomicInteger ran) {
        for (int i = 0; i < TASK_LIMIT; i++) {
            w.execute(ran::incrementAndGet);
        }
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class, () -> w.execute(ran::incrementAndGet));
        String m = String.valueOf(e.getMessage());
        assertTrue(m.contains("taskQueueLimit") && m.contains(String.valueOf(TASK_LIMIT)),
                () -> "'" + m + "' names the knob taskQueueLimit and the limit " + TASK_LIMIT);
    }

    @Test
    void executePastTheLimitIsRefusedNamingItAndWorksAgainOnceDrained() throws Exception {
        try (Runtime rt = start(clientConfig().taskQueueLimit(TASK_LIMIT), w -> (c, d) -> d.remaining())) {
            WorkerContext w = rt.worker(0);
            AtomicInteger ran = new AtomicInteger();
            for (int round = 0; round < 2; round++) {
                Blocker blocker = new Blocker();
                w.execute(blocker);
                try {
                    blocker.awaitRunning();
                    fillAndExpectRefusal(w, ran);
                    assertEquals(TASK_LIMIT * round, ran.get(), "nothing queued ran while the worker was held");
                } finally {
                    blocker.release.countDown();
                }
                int expected = TASK_LIMIT * (round + 1);
                Await.until(() -> ran.get() == expected, () -> "the queued tasks ran: " + ran.get() + " of " + expected);
                // Drained: execute is accepted again (the next round fills it again).
                int r = round;
                assertEquals(r, OnWorker.call(w, () -> r));
            }
            // Another worker's queue is its own.
            assertEquals(1, OnWorker.call(rt.worker(1), () -> 1));
        }
    }

    /**
     * While worker 0's user queue is full: a region register, an accepted connection and the
     * completion of a runBlocking call are queued for it all the same, and all complete once the
     * worker goes on (runBlocking's on worker 0's own thread).
     */
    @Test
    void internalTasksAreNeverRefusedWhileTheUserQueueIsFull() throws Exception {
        Recorder h = new Recorder();
        Blocker blocker = new Blocker();
        CountDownLatch queueFull = new CountDownLatch(1);
        try (Arena arena = Arena.ofShared();
             Runtime rt = start(serverConfig().workers(1).taskQueueLimit(TASK_LIMIT), ignored -> h)) {
            WorkerContext w = rt.worker(0);
            AtomicInteger ran = new AtomicInteger();
            AtomicReference<Thread> poolThread = new AtomicReference<>();
            AtomicBoolean callableReturned = new AtomicBoolean();
            CompletableFuture<Boolean> completedOnWorker = new CompletableFuture<>();
            blocker.beforeWaiting.add(() -> w.runBlocking(() -> {
                poolThread.set(Thread.currentThread());
                assertTrue(queueFull.await(Await.LONG.toSeconds(), TimeUnit.SECONDS));
                callableReturned.set(true);
                return 42;
            }).whenComplete((v, e) -> completedOnWorker.complete(e == null && v == 42 && w.inWorkerThread())));
            w.execute(blocker);
            blocker.awaitRunning();
            fillAndExpectRefusal(w, ran);

            queueFull.countDown();
            // The pool thread queues the completion for the held worker, then idles.
            Await.until(() -> callableReturned.get() && poolThread.get().getState() == Thread.State.TIMED_WAITING,
                    "the blocking task finished and queued its completion");
            CompletionStage<RegionId> registered = rt.shutdownHandle().registerRegionAsync(MemoryRegion.of(arena.allocate(4096)));
            try (Client client = connect(rt)) {
                assertThrows(RejectedExecutionException.class, () -> w.execute(ran::incrementAndGet), "the user queue is still full");
                assertFalse(registered.toCompletableFuture().isDone(), "the register is queued, not refused, while the worker is held");

                blocker.release.countDown();
                assertTrue(OnWorker.Stages.await(completedOnWorker), "runBlocking completed with its value on worker 0");
                assertEquals(0, OnWorker.Stages.await(registered).slot(), "the region register completed");
                h.next(); // the connection accepted meanwhile is served
                Await.until(() -> ran.get() == TASK_LIMIT, "the user tasks ran");
            }
        } finally {
            queueFull.countDown();
            blocker.release.countDown(); // a failed assertion must not leave the worker held
        }
    }

    @Test
    void runBlockingPastTheLimitFailsAtOnceNamingItAndWorksAgainOnceDrained() throws Exception {
        int limit = 2;
        try (Runtime rt = start(clientConfig().blockingPoolSize(1).blockingQueueLimit(limit), w -> (c, d) -> d.remaining())) {
            WorkerContext w = rt.worker(0);
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<CompletionStage<Integer>> stages = OnWorker.call(w, () -> {
                List<CompletionStage<Integer>> l = new ArrayList<>();
                l.add(w.runBlocking(() -> {
                    running.countDown();
                    assertTrue(release.await(Await.LONG.toSeconds(), TimeUnit.SECONDS));
                    return 0;
                }));
                assertTrue(running.await(Await.LONG.toSeconds(), TimeUnit.SECONDS), "the only pool thread is held");
                for (int i = 1; i <= limit + 1; i++) {
                    int v = i;
                    l.add(w.runBlocking(() -> v));
                }
                return l;
            });
            CompletableFuture<Integer> refused = stages.get(limit + 1).toCompletableFuture();
            assertTrue(refused.isCompletedExceptionally(), "the stage past the limit failed at once, on the worker");
            Throwable e = OnWorker.Stages.failure(refused);
            assertInstanceOf(RejectedExecutionException.class, e);
            String m = String.valueOf(e.getMessage());
            assertTrue(m.contains("blockingQueueLimit") && m.contains(String.valueOf(limit)),
                    () -> "'" + m + "' names the knob blockingQueueLimit and the limit " + limit);
            release.countDown();
            for (int i = 0; i <= limit; i++) {
                assertEquals(i, OnWorker.Stages.await(stages.get(i)));
            }
            // Drained: accepted again.
            assertEquals(7, OnWorker.Stages.await(OnWorker.call(w, () -> w.runBlocking(() -> 7))));
        }
    }
}
