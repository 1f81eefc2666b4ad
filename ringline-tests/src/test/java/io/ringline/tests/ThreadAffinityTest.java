package io.ringline.tests;

import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import io.ringline.Runtime;
import io.ringline.WorkerContext;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.OncePerBackendTest;
import io.ringline.tests.support.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Which thread runs what: worker callbacks, execute, runBlocking, and the worker-only rule. */
class ThreadAffinityTest extends OncePerBackendTest {

    @Test
    void handlersAreCreatedAndCalledOnTheirOwnWorkerThread() throws Exception {
        List<String> violations = new CopyOnWriteArrayList<>();
        List<Integer> created = new CopyOnWriteArrayList<>();
        try (Runtime rt = start(serverConfig(), w -> {
            created.add(w.workerId());
            if (!w.inWorkerThread()) {
                violations.add("factory for worker " + w.workerId() + " called on " + Thread.currentThread().getName());
            }
            Thread owner = Thread.currentThread();
            return new Handler() {
                void check(String what) {
                    if (Thread.currentThread() != owner) {
                        violations.add(what + " on " + Thread.currentThread().getName());
                    }
                }

                @Override
                public void onOpen(Connection c) {
                    check("onOpen");
                    if (c.workerId() != w.workerId() || c.worker() != w) {
                        violations.add("connection of worker " + c.workerId() + " served by " + w.workerId());
                    }
                }

                @Override
                public int onData(Connection c, ByteBuffer data) {
                    check("onData");
                    int n = data.remaining();
                    c.send(data);
                    return n;
                }
            };
        })) {
            assertEquals(List.of(0, 1), created.stream().sorted().toList(), "one handler per worker");
            for (int i = 0; i < 4; i++) {
                try (Client s = connect(rt)) {
                    s.output().write(7);
                    assertEquals(7, s.input().read());
                }
            }
            assertEquals(List.of(), violations);
        }
    }

    @Test
    void executeFromAForeignThreadRunsOnTheWorkerInSubmissionOrder() {
        try (Runtime rt = start(clientConfig(), w -> (c, d) -> d.remaining())) {
            for (int id = 0; id < rt.workerCount(); id++) {
                WorkerContext w = rt.worker(id);
                assertFalse(w.inWorkerThread());
                List<Integer> order = new CopyOnWriteArrayList<>();
                List<String> threads = new CopyOnWriteArrayList<>();
                int n = 5000;
                CompletableFuture<Void> done = new CompletableFuture<>();
                for (int i = 0; i < n; i++) {
                    int k = i;
                    w.execute(() -> {
                        if (!w.inWorkerThread()) {
                            threads.add(Thread.currentThread().getName());
                        }
                        order.add(k);
                        if (k == n - 1) {
                            done.complete(null);
                        }
                    });
                }
                OnWorker.Stages.await(done);
                assertEquals(List.of(), threads, "tasks ran off the worker");
                List<Integer> expected = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    expected.add(i);
                }
                assertEquals(expected, order);
                String name = OnWorker.call(w, () -> Thread.currentThread().getName());
                assertTrue(name.startsWith("ringline-"), "worker thread name " + name);
                assertNotEquals(name, OnWorker.call(rt.worker(1 - id), () -> Thread.currentThread().getName()),
                        "each worker has its own thread");
            }
        }
    }

    @Test
    void runBlockingRunsOffTheWorkerAndCompletesOnIt() {
        try (Runtime rt = start(clientConfig(), w -> (c, d) -> d.remaining())) {
            WorkerContext w = rt.worker(1);
            String workerThread = OnWorker.call(w, () -> Thread.currentThread().getName());
            AtomicReference<String> ranOn = new AtomicReference<>();
            AtomicReference<Boolean> ranOnAWorker = new AtomicReference<>();
            AtomicReference<Boolean> completedOnWorker = new AtomicReference<>();
            CompletionStage<Integer> stage = OnWorker.call(w, () -> w.runBlocking(() -> {
                ranOn.set(Thread.currentThread().getName());
                ranOnAWorker.set(rt.worker(0).inWorkerThread() || rt.worker(1).inWorkerThread());
                return 42;
            }).whenComplete((v, t) -> completedOnWorker.set(w.inWorkerThread())));
            assertEquals(42, OnWorker.Stages.await(stage));
            assertNotEquals(workerThread, ranOn.get());
            assertEquals(Boolean.FALSE, ranOnAWorker.get(), "the blocking task ran on " + ranOn.get());
            assertEquals(Boolean.TRUE, completedOnWorker.get(), "the stage completes on the worker thread");
            // A failing task fails the stage, also on the worker thread.
            IllegalStateException boom = new IllegalStateException("boom");
            AtomicReference<Boolean> failedOnWorker = new AtomicReference<>();
            CompletionStage<Object> failing = OnWorker.call(w, () -> w.runBlocking(() -> {
                throw boom;
            }).whenComplete((v, t) -> failedOnWorker.set(w.inWorkerThread())));
            assertEquals(boom, OnWorker.Stages.failure(failing));
            assertEquals(Boolean.TRUE, failedOnWorker.get());
            // Blocking work does not stall the worker: it keeps running tasks while the blocking task waits.
            CompletableFuture<Void> release = new CompletableFuture<>();
            CompletionStage<String> blocked = OnWorker.call(w, () -> w.runBlocking(() -> {
                release.get(20, TimeUnit.SECONDS);
                return "released";
            }));
            assertEquals("still responsive", OnWorker.call(w, () -> "still responsive"));
            release.complete(null);
            assertEquals("released", OnWorker.Stages.await(blocked));
        }
    }

    @Test
    void connectionAndWorkerMethodsOffTheWorkerThreadThrowIllegalStateException() throws Exception {
        Recorder h = new Recorder();
        try (Arena arena = Arena.ofShared()) {
            MemoryRegion region = MemoryRegion.of(arena.allocate(64));
            try (Runtime rt = start(serverConfig().initialRegion(region), w -> h);
                 Client s = connect(rt)) {
                Connection c = h.next();
                WorkerContext w = c.worker();
                Map<String, Executable> calls = new LinkedHashMap<>();
                calls.put("send(ByteBuffer)", () -> c.send(ByteBuffer.allocate(1)));
                calls.put("send(byte[])", () -> c.send(new byte[1]));
                calls.put("trySend", () -> c.trySend(ByteBuffer.allocate(1)));
                calls.put("sendGather", () -> c.sendGather(ByteBuffer.allocate(1)));
                calls.put("sendRegion", () -> c.sendRegion(RegionId.of(0), 0, 1));
                calls.put("sendAsync", () -> c.sendAsync(ByteBuffer.allocate(1)));
                calls.put("shutdownOutput", c::shutdownOutput);
                calls.put("close", c::close);
                calls.put("abort", c::abort);
                calls.put("WorkerContext.schedule", () -> w.schedule(Duration.ZERO, () -> { }));
                calls.put("WorkerContext.sleep", () -> w.sleep(Duration.ZERO));
                calls.put("WorkerContext.runBlocking", () -> w.runBlocking(() -> 1));
                calls.put("WorkerContext.connect", () -> w.connect(address(rt)));
                calls.put("WorkerContext.connect(timeout)", () -> w.connect(address(rt), Duration.ofSeconds(1)));
                calls.put("WorkerContext.connection", () -> w.connection(c.token()));
                for (Map.Entry<String, Executable> e : calls.entrySet()) {
                    assertThrows(IllegalStateException.class, e.getValue(), e.getKey() + " off the worker thread");
                }
                // None of the refused calls had an effect: the connection is open and nothing was sent.
                assertTrue(OnWorker.call(w, c::isOpen), "connection still open");
                assertEquals(0L, OnWorker.call(w, c::pendingSendBytes));
                // Methods documented as callable from any thread.
                c.token();
                w.workerId();
                w.stats().bytesIn();
                w.shutdownHandle();
                s.output().write(new byte[] {1, 2});
                OnWorker.run(w, () -> {
                    c.send(new byte[] {9});
                    c.close();
                });
                assertEquals(9, s.input().read());
                assertEquals(-1, s.input().read());
            }
        }
    }

    /** onTick runs on the worker thread, with its own worker, after each loop iteration's tasks. */
    @Test
    void onTickRunsOnTheWorkerAfterTasks() {
        List<String> violations = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger taskRan = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger tickSawTask = new java.util.concurrent.atomic.AtomicInteger();
        try (Runtime rt = start(clientConfig(), w -> new Handler() {
            @Override
            public int onData(Connection c, ByteBuffer data) {
                return data.remaining();
            }

            @Override
            public void onTick(WorkerContext worker) {
                if (worker != w || !w.inWorkerThread()) {
                    violations.add("onTick of worker " + w.workerId() + " got worker " + worker.workerId()
                            + " on " + Thread.currentThread().getName());
                }
                tickSawTask.set(taskRan.get());
            }
        })) {
            for (int i = 1; i <= 3; i++) {
                int n = i;
                rt.worker(0).execute(() -> taskRan.set(n));
                io.ringline.tests.support.Await.until(() -> tickSawTask.get() == n, "onTick ran after task " + n);
            }
            assertEquals(List.of(), violations);
        }
    }

    @Test
    void runtimeCloseAndAwaitTerminationOnAWorkerThreadThrow() {
        try (Runtime rt = start(clientConfig(), w -> (c, d) -> d.remaining())) {
            WorkerContext w = rt.worker(0);
            OnWorker.run(w, () -> {
                assertThrows(IllegalStateException.class, rt::close);
                assertThrows(IllegalStateException.class, rt::awaitTermination);
                assertThrows(IllegalStateException.class, () -> rt.awaitTermination(Duration.ofMillis(1)));
            });
            assertFalse(rt.shutdownHandle().isShutdown(), "the refused close did not shut down");
        } catch (Exception e) {
            fail(e);
        }
    }
}
