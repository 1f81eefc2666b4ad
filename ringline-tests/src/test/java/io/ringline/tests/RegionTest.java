package io.ringline.tests;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.MemoryRegion;
import io.ringline.RegionException;
import io.ringline.RegionId;
import io.ringline.RinglineException;
import io.ringline.Runtime;
import io.ringline.ShutdownHandle;
import io.ringline.WorkerContext;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.Faults;
import io.ringline.tests.support.FaultyBackendProvider;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.Recorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registered-region control plane (see {@link ShutdownHandle}) and region sends. Faults are
 * injected with the "faulty" test backend, which wraps the backend under test.
 */
class RegionTest extends BackendTest {

    private static final Duration NO_HANG = Duration.ofSeconds(15);

    private Arena arena;

    @BeforeEach
    void openArena() {
        Faults.reset();
        arena = Arena.ofShared();
    }

    @AfterEach
    void closeArena() {
        Faults.reset();
        if (arena != null) {
            arena.close(); // every runtime of the test was closed before: the regions may be freed now
            arena = null;
        }
    }

    /** {@return a native region of {@code size} random bytes} */
    private MemoryRegion region(int size, long seed) {
        MemorySegment seg = arena.allocate(size);
        seg.copyFrom(MemorySegment.ofArray(Bytes.random(new Random(seed), size)));
        return MemoryRegion.of(seg);
    }

    private static byte[] bytes(MemoryRegion r, long offset, int length) {
        return r.segment().asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
    }

    private static void assertMessageNames(Throwable e, Object... values) {
        String m = String.valueOf(e.getMessage());
        for (Object v : values) {
            assertTrue(m.contains(String.valueOf(v)), () -> "message '" + m + "' names " + v);
        }
    }

    private static Throwable causeChainContaining(Throwable e, String text) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains(text)) {
                return t;
            }
        }
        throw new AssertionError("no cause of " + e + " mentions '" + text + "'", e);
    }

    // ------------------------------------------------------------------ slots

    @Test
    void initialRegionsOccupyTheFirstSlotsAndCannotBeUnregistered() throws Exception {
        MemoryRegion r0 = region(1000, 1);
        MemoryRegion r1 = region(3000, 2);
        Recorder h = new Recorder();
        try (Runtime rt = start(serverConfig().maxRegions(6).initialRegion(r0).initialRegion(r1), w -> h);
             Client s = connect(rt)) {
            ShutdownHandle handle = rt.shutdownHandle();
            for (int slot : new int[] {0, 1}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> handle.unregisterRegion(RegionId.of(slot)));
                assertMessageNames(e, slot);
                assertInstanceOf(IllegalArgumentException.class,
                        OnWorker.Stages.failure(handle.unregisterRegionAsync(RegionId.of(slot))));
            }
            assertEquals(RegionId.of(2), handle.registerRegion(region(10, 3)), "the first dynamic slot follows the initial ones");
            Connection c = h.next();
            OnWorker.run(c.worker(), () -> {
                c.sendRegion(RegionId.of(0), 0, 1000);
                c.sendRegion(RegionId.of(1), 0, 3000);
            });
            byte[] got = s.readExactly(4000);
            assertArrayEquals(bytes(r0, 0, 1000), java.util.Arrays.copyOfRange(got, 0, 1000), "slot 0 holds the first initial region");
            assertArrayEquals(bytes(r1, 0, 3000), java.util.Arrays.copyOfRange(got, 1000, 4000), "slot 1 holds the second");
        }
    }

    @Test
    void fullTableThrowsRegionExceptionAndFreedSlotsAreReusedSmallestFirst() throws Exception {
        MemoryRegion[] rs = new MemoryRegion[8];
        for (int i = 0; i < rs.length; i++) {
            rs[i] = region(100 + i, 10 + i);
        }
        Recorder h = new Recorder();
        try (Runtime rt = start(serverConfig().maxRegions(4).initialRegion(rs[0]), w -> h);
             Client s = connect(rt)) {
            ShutdownHandle handle = rt.shutdownHandle();
            assertEquals(RegionId.of(1), handle.registerRegion(rs[1]));
            assertEquals(RegionId.of(2), handle.registerRegion(rs[2]));
            assertEquals(RegionId.of(3), handle.registerRegion(rs[3]));
            RegionException full = assertThrows(RegionException.class, () -> handle.registerRegion(rs[4]));
            assertMessageNames(full, 4);
            assertInstanceOf(RegionException.class, OnWorker.Stages.failure(handle.registerRegionAsync(rs[4])));
            // Nothing changed: each slot still sends its own region's bytes.
            Connection c = h.next();
            OnWorker.run(c.worker(), () -> {
                for (int slot = 0; slot < 4; slot++) {
                    c.sendRegion(RegionId.of(slot), 0, (int) rs[slot].length());
                }
            });
            for (int slot = 0; slot < 4; slot++) {
                assertArrayEquals(bytes(rs[slot], 0, 100 + slot), s.readExactly(100 + slot), "slot " + slot);
            }
            // Freed slots are reused, smallest first.
            handle.unregisterRegion(RegionId.of(2));
            assertEquals(RegionId.of(2), handle.registerRegion(rs[5]));
            handle.unregisterRegion(RegionId.of(3));
            handle.unregisterRegion(RegionId.of(1));
            assertEquals(RegionId.of(1), handle.registerRegion(rs[6]));
            assertEquals(RegionId.of(3), handle.registerRegion(rs[7]));
            assertThrows(RegionException.class, () -> handle.registerRegion(rs[4]));
            OnWorker.run(c.worker(), () -> {
                c.sendRegion(RegionId.of(1), 0, 106);
                c.sendRegion(RegionId.of(2), 0, 105);
                c.sendRegion(RegionId.of(3), 0, 107);
            });
            assertArrayEquals(bytes(rs[6], 0, 106), s.readExactly(106));
            assertArrayEquals(bytes(rs[5], 0, 105), s.readExactly(105));
            assertArrayEquals(bytes(rs[7], 0, 107), s.readExactly(107));
        }
    }

    @Test
    void invalidUnregistersAreRejectedClearlyAndLeaveTheFreeListIntact() {
        try (Runtime rt = start(clientConfig().maxRegions(5).initialRegion(region(8, 1)), w -> (c, d) -> d.remaining())) {
            ShutdownHandle handle = rt.shutdownHandle();
            RegionId a = handle.registerRegion(region(8, 2));
            assertEquals(RegionId.of(1), a);
            IllegalArgumentException e;
            e = assertThrows(IllegalArgumentException.class, () -> handle.unregisterRegion(RegionId.UNREGISTERED));
            assertMessageNames(e, "UNREGISTERED");
            e = assertThrows(IllegalArgumentException.class, () -> handle.unregisterRegion(RegionId.of(2)));
            assertMessageNames(e, 2);
            e = assertThrows(IllegalArgumentException.class, () -> handle.unregisterRegion(RegionId.of(5)));
            assertMessageNames(e, 5);
            e = assertThrows(IllegalArgumentException.class, () -> handle.unregisterRegion(RegionId.of(100_000)));
            assertMessageNames(e, 100000, 5);
            assertThrows(IllegalArgumentException.class, () -> RegionId.of(-2));
            assertThrows(NullPointerException.class, () -> handle.unregisterRegion(null));
            for (RegionId id : List.of(RegionId.UNREGISTERED, RegionId.of(2), RegionId.of(5), RegionId.of(100_000))) {
                assertInstanceOf(IllegalArgumentException.class, OnWorker.Stages.failure(handle.unregisterRegionAsync(id)), "async " + id);
            }
            handle.unregisterRegion(a);
            e = assertThrows(IllegalArgumentException.class, () -> handle.unregisterRegion(a), "unregistering twice");
            assertMessageNames(e, 1);
            assertInstanceOf(IllegalArgumentException.class, OnWorker.Stages.failure(handle.unregisterRegionAsync(a)));
            // The free list is intact: exactly the four dynamic slots, each once, then full.
            List<Integer> slots = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                slots.add(handle.registerRegion(region(8, 10 + i)).slot());
            }
            assertEquals(List.of(1, 2, 3, 4), slots);
            assertThrows(RegionException.class, () -> handle.registerRegion(region(8, 20)));
        }
    }

    @Test
    void concurrentRegistersAndUnregistersNeverShareASlot() throws Exception {
        int maxRegions = 8;
        int threads = 6;
        int iterations = 150;
        Set<Integer> held = ConcurrentHashMap.newKeySet();
        List<String> violations = new CopyOnWriteArrayList<>();
        AtomicInteger fullCount = new AtomicInteger();
        MemoryRegion[] regions = new MemoryRegion[threads];
        for (int i = 0; i < threads; i++) {
            regions[i] = region(64, i);
        }
        try (Runtime rt = start(clientConfig().maxRegions(maxRegions), w -> (c, d) -> d.remaining());
             ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            ShutdownHandle handle = rt.shutdownHandle();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    Random random = new Random(id);
                    List<RegionId> mine = new ArrayList<>();
                    for (int i = 0; i < iterations; i++) {
                        // Hold up to two slots per thread: 12 wanted for 8 slots, so the table fills up at times.
                        if (mine.size() < 2 && random.nextBoolean()) {
                            try {
                                RegionId r = (i % 2 == 0) ? handle.registerRegion(regions[id])
                                        : OnWorker.Stages.await(handle.registerRegionAsync(regions[id]));
                                if (!held.add(r.slot())) {
                                    violations.add("slot " + r.slot() + " handed out while held by another");
                                }
                                mine.add(r);
                            } catch (RegionException full) {
                                fullCount.incrementAndGet();
                            }
                        } else if (!mine.isEmpty()) {
                            RegionId r = mine.remove(random.nextInt(mine.size()));
                            held.remove(r.slot()); // before the unregister: the slot may be handed out again right after
                            if (i % 3 == 0) {
                                OnWorker.Stages.await(handle.unregisterRegionAsync(r));
                            } else {
                                handle.unregisterRegion(r);
                            }
                        }
                    }
                    for (RegionId r : mine) {
                        held.remove(r.slot());
                        handle.unregisterRegion(r);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertEquals(List.of(), violations);
            // Every slot is free again, each exactly once.
            List<Integer> slots = new ArrayList<>();
            for (int i = 0; i < maxRegions; i++) {
                slots.add(handle.registerRegion(regions[0]).slot());
            }
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), slots);
            assertThrows(RegionException.class, () -> handle.registerRegion(regions[0]));
        }
    }

    // ------------------------------------------------------------------ threads and lifecycle

    @Test
    void blockingVariantsThrowOnAWorkerThreadWhereTheAsyncVariantsWork() {
        MemoryRegion r = region(32, 1);
        try (Runtime rt = start(clientConfig().maxRegions(4), w -> (c, d) -> d.remaining())) {
            WorkerContext w = rt.worker(1);
            ShutdownHandle handle = w.shutdownHandle();
            RegionId registered = handle.registerRegion(region(32, 2));
            CompletableFuture<String> result = new CompletableFuture<>();
            assertTimeoutPreemptively(NO_HANG, () -> OnWorker.run(w, () -> {
                assertThrows(IllegalStateException.class, () -> handle.registerRegion(r), "blocking register on a worker");
                assertThrows(IllegalStateException.class, () -> handle.unregisterRegion(registered), "blocking unregister on a worker");
                handle.registerRegionAsync(r).whenComplete((id, t) -> {
                    if (t != null) {
                        result.completeExceptionally(t);
                        return;
                    }
                    boolean onWorker1 = w.inWorkerThread();
                    handle.unregisterRegionAsync(id).whenComplete((v, t2) -> {
                        if (t2 != null) {
                            result.completeExceptionally(t2);
                        } else {
                            result.complete("registered " + id + " (completed on worker: " + onWorker1
                                    + "), unregistered (completed on worker: " + w.inWorkerThread() + ")");
                        }
                    });
                });
            }));
            assertEquals("registered RegionId[1] (completed on worker: true), unregistered (completed on worker: true)",
                    OnWorker.Stages.await(result));
            // The blocking refusal changed nothing: the registered region can still be unregistered.
            handle.unregisterRegion(registered);
        }
    }

    @Test
    void regionOperationsAfterShutdownFailAtOnceWithAClearError() throws Exception {
        MemoryRegion r = region(32, 1);
        Runtime rt = start(clientConfig().maxRegions(4), w -> (c, d) -> d.remaining());
        try {
            ShutdownHandle handle = rt.shutdownHandle();
            RegionId id = handle.registerRegion(r);
            handle.shutdown();
            for (int phase = 0; phase < 2; phase++) {
                assertTimeoutPreemptively(NO_HANG, () -> {
                    IllegalStateException e = assertThrows(IllegalStateException.class, () -> handle.registerRegion(r));
                    assertTrue(e.getMessage().contains("shut"), e.getMessage());
                    assertThrows(IllegalStateException.class, () -> handle.unregisterRegion(id));
                    assertInstanceOf(IllegalStateException.class, OnWorker.Stages.failure(handle.registerRegionAsync(r)));
                    assertInstanceOf(IllegalStateException.class, OnWorker.Stages.failure(handle.unregisterRegionAsync(id)));
                });
                assertTrue(rt.awaitTermination(Duration.ofSeconds(10))); // phase 1: after termination
            }
        } finally {
            rt.close();
        }
    }

    // ------------------------------------------------------------------ region sends

    @Test
    void invalidRegionSendsThrowIllegalArgumentExceptionNamingValueAndLimit() throws Exception {
        MemoryRegion r0 = region(100, 1);
        Recorder h = new Recorder();
        try (Runtime rt = start(serverConfig().maxRegions(4).initialRegion(r0), w -> h);
             Client s = connect(rt)) {
            RegionId dynamic = rt.shutdownHandle().registerRegion(region(50, 2));
            rt.shutdownHandle().unregisterRegion(dynamic);
            Connection c = h.next();
            OnWorker.run(c.worker(), () -> {
                IllegalArgumentException e;
                e = assertThrows(IllegalArgumentException.class, () -> c.sendRegion(RegionId.of(2), 0, 1), "never registered");
                assertMessageNames(e, 2);
                e = assertThrows(IllegalArgumentException.class, () -> c.sendRegion(RegionId.of(10), 0, 1), "beyond the table");
                assertMessageNames(e, 10, 4);
                assertThrows(IllegalArgumentException.class, () -> c.sendRegion(RegionId.UNREGISTERED, 0, 1));
                e = assertThrows(IllegalArgumentException.class, () -> c.sendRegion(dynamic, 0, 1), "unregistered");
                assertMessageNames(e, dynamic.slot());
                e = assertThrows(IllegalArgumentException.class, () -> c.sendRegion(RegionId.of(0), -1, 1));
                assertMessageNames(e, -1, 100);
                e = assertThrows(IllegalArgumentException.class, () -> c.sendRegion(RegionId.of(0), 100, 1));
                assertMessageNames(e, 100);
                e = assertThrows(IllegalArgumentException.class, () -> c.sendRegion(RegionId.of(0), 0, 101));
                assertMessageNames(e, 101, 100);
                e = assertThrows(IllegalArgumentException.class, () -> c.sendRegion(RegionId.of(0), 60, 41));
                assertMessageNames(e, 60, 41, 100);
                e = assertThrows(IllegalArgumentException.class, () -> c.sendRegion(RegionId.of(0), 0, 0));
                assertMessageNames(e, 0);
                e = assertThrows(IllegalArgumentException.class, () -> c.sendRegion(RegionId.of(0), 0, -5));
                assertMessageNames(e, -5);
                e = assertThrows(IllegalArgumentException.class, () -> c.sendRegion(RegionId.of(0), Long.MAX_VALUE, 1));
                assertMessageNames(e, Long.MAX_VALUE, 100);
                assertThrows(NullPointerException.class, () -> c.sendRegion(null, 0, 1));
                assertEquals(0, c.pendingSendBytes(), "refused region sends queued nothing");
                assertTrue(c.isOpen(), "a refused region send does not close the connection");
                c.sendRegion(RegionId.of(0), 99, 1); // the last byte: valid
            });
            assertEquals(bytes(r0, 99, 1)[0] & 0xFF, s.input().read());
        }
    }

    @Test
    void regionSendsDeliverTheRegionsExactBytesInOrderWithCopiedSends() throws Exception {
        MemoryRegion big = region(1 << 20, 1);
        Recorder h = new Recorder();
        try (Runtime rt = start(serverConfig().initialRegion(big), w -> h);
             Client s = connect(rt)) {
            MemoryRegion dyn = region(256 * 1024, 2);
            RegionId d = rt.shutdownHandle().registerRegion(dyn);
            Connection c = h.next();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            OnWorker.run(c.worker(), () -> {
                long[][] slices = {{0, 0, 1}, {0, 12345, 100_000}, {1, 0, 256 * 1024}, {0, (1 << 20) - 1, 1}, {1, 777, 1}, {0, 0, 1 << 20}};
                for (long[] sl : slices) {
                    RegionId id = sl[0] == 0 ? RegionId.of(0) : d;
                    MemoryRegion r = sl[0] == 0 ? big : dyn;
                    c.sendRegion(id, sl[1], (int) sl[2]);
                    expected.writeBytes(bytes(r, sl[1], (int) sl[2]));
                    c.send(new byte[] {'|'});
                    expected.write('|');
                }
            });
            byte[] want = expected.toByteArray();
            byte[] got = s.readExactly(want.length);
            assertArrayEquals(want, got);
            long[] counted = OnWorker.call(c.worker(), () -> new long[] {c.worker().stats().regionSends(),
                    c.worker().stats().zeroCopySends()});
            assertEquals(6, counted[0], "regionSends counts the sendRegion calls on every backend");
            assertTrue(counted[1] <= counted[0], "zero-copy sends are some of the region sends: " + counted[1]);
        }
    }

    /**
     * An unregister completes only when no queued send references the region: the client does not
     * read, so a large region send stays queued; the unregister stays pending (and new sends of the
     * region are refused) until the client has read everything.
     */
    @Test
    void unregisterWaitsUntilInFlightSendsOfTheRegionAreDone() throws Exception {
        int size = 8 << 20;
        MemoryRegion r = region(size, 7);
        Recorder h = new Recorder();
        try (Runtime rt = start(serverConfig().sendQueueLimit(2L * size), w -> h);
             Client s = connectWithSmallReceiveBuffer(rt, 8 * 1024)) {
            ShutdownHandle handle = rt.shutdownHandle();
            RegionId id = handle.registerRegion(r);
            Connection c = h.next();
            OnWorker.run(c.worker(), () -> c.sendRegion(id, 0, size));
            CompletionStage<Void> unregister = handle.unregisterRegionAsync(id);
            // Both workers have processed the unregister request once they ran a task submitted after it.
            awaitBothWorkersProcessedEarlierTasks(rt);
            long pending = OnWorker.call(c.worker(), c::pendingSendBytes);
            assertTrue(pending > 0, "the region send is still queued (the client reads nothing)");
            assertFalse(unregister.toCompletableFuture().isDone(), "unregister completed while a send of the region was queued");
            for (int w = 0; w < 2; w++) {
                Connection any = c;
                OnWorker.run(rt.worker(w), () -> {
                    if (any.worker().inWorkerThread()) {
                        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> any.sendRegion(id, 0, 1),
                                "a region being unregistered refuses new sends");
                        assertMessageNames(e, id.slot());
                    }
                });
            }
            assertInstanceOf(IllegalStateException.class, OnWorker.Stages.failure(handle.unregisterRegionAsync(id)),
                    "a second operation on the slot while one is in progress");
            // The memory was not released under the send: the client gets the region's exact bytes.
            byte[] got = s.readExactly(size);
            assertArrayEquals(bytes(r, 0, size), got);
            OnWorker.Stages.await(unregister);
            assertEquals(id, handle.registerRegion(region(16, 8)), "the slot is free again");
        }
    }

    @Test
    void unregisterCompletesWhenTheConnectionWithTheInFlightSendCloses() throws Exception {
        int size = 8 << 20;
        MemoryRegion r = region(size, 9);
        Recorder h = new Recorder();
        try (Runtime rt = start(serverConfig().sendQueueLimit(2L * size), w -> h);
             Client s = connectWithSmallReceiveBuffer(rt, 8 * 1024)) {
            ShutdownHandle handle = rt.shutdownHandle();
            RegionId id = handle.registerRegion(r);
            Connection c = h.next();
            OnWorker.run(c.worker(), () -> c.sendRegion(id, 0, size));
            CompletionStage<Void> unregister = handle.unregisterRegionAsync(id);
            awaitBothWorkersProcessedEarlierTasks(rt);
            assertFalse(unregister.toCompletableFuture().isDone(), "unregister completed while a send of the region was queued");
            OnWorker.run(c.worker(), c::abort);
            OnWorker.Stages.await(unregister);
            assertEquals(id, handle.registerRegion(region(16, 10)));
        }
    }

    private static void awaitBothWorkersProcessedEarlierTasks(Runtime rt) {
        OnWorker.run(rt.worker(0), () -> { });
        OnWorker.run(rt.worker(1), () -> { });
    }

    // ------------------------------------------------------------------ injected faults

    private Config.Builder faultyConfig() {
        Faults.wrap(spec.backend());
        return clientConfig().backend(FaultyBackendProvider.NAME).maxRegions(4);
    }

    @Test
    void aWorkerFailingToInstallRollsBackTheOthersAndFreesTheSlot() {
        try (Runtime rt = start(faultyConfig(), w -> (c, d) -> d.remaining())) {
            assertEquals(FaultyBackendProvider.NAME, rt.backendName());
            ShutdownHandle handle = rt.shutdownHandle();
            Faults.failInstallOnWorker = 1;
            RegionException e = assertThrows(RegionException.class, () -> handle.registerRegion(region(64, 1)));
            causeChainContaining(e, "injected install failure on worker 1");
            assertEquals(Set.of(), Faults.installed(0), "worker 0 rolled the region back");
            assertEquals(Set.of(), Faults.installed(1));
            // Async variant, every worker failing: the first error is reported, nothing stays installed.
            Faults.failInstallOnWorker = Faults.ALL_WORKERS;
            Throwable t = OnWorker.Stages.failure(handle.registerRegionAsync(region(64, 2)));
            assertInstanceOf(RegionException.class, t);
            causeChainContaining(t, "injected install failure on worker");
            assertEquals(Set.of(), Faults.installed(0));
            assertEquals(Set.of(), Faults.installed(1));
            // The slot is free again and reused (smallest first); it installs cleanly on every worker.
            Faults.failInstallOnWorker = -1;
            assertEquals(RegionId.of(0), handle.registerRegion(region(64, 3)));
            assertEquals(Set.of(0), Faults.installed(0));
            assertEquals(Set.of(0), Faults.installed(1));
        }
    }

    /**
     * Worker 1 dies (its poll throws an Error) while a register waits for its acknowledgement: the
     * register fails with a clear error instead of hanging, the runtime shuts down, and later
     * operations fail at once.
     */
    @Test
    void aWorkerDyingMidOperationFailsTheOperationInsteadOfHanging() throws Exception {
        Runtime rt = start(faultyConfig(), w -> (c, d) -> d.remaining());
        try {
            ShutdownHandle handle = rt.shutdownHandle();
            // Worker 1 is idle and blocked in poll: the register's task will wake it, and then it dies.
            Await.until(() -> Faults.workerIos.get(1) != null && Faults.workerIos.get(1).inPoll(), "worker 1 idle in poll");
            Faults.dieOnWakeup = 1;
            RegionException e = assertTimeoutPreemptively(NO_HANG,
                    () -> assertThrows(RegionException.class, () -> handle.registerRegion(region(64, 1))));
            assertEquals(Set.of(1), Faults.died, "worker 1 died by injection");
            causeChainContaining(e, "terminated before acknowledging");
            Await.until(Duration.ofSeconds(10), rt::isTerminated, "a dead worker shuts the runtime down");
            RinglineException death = assertThrows(RinglineException.class, rt::awaitTermination,
                    "awaitTermination reports the dead worker");
            assertTrue(death.getMessage().contains("worker 1 died"), death.getMessage());
            assertTimeoutPreemptively(NO_HANG, () -> {
                assertThrows(IllegalStateException.class, () -> handle.registerRegion(region(64, 2)));
                assertThrows(IllegalStateException.class, () -> handle.unregisterRegion(RegionId.of(0)));
            });
            assertEquals(Faults.installs.get(), Faults.removes.get(), "every installed region was removed at termination");
        } finally {
            rt.close();
        }
    }

    /** Termination removes every region from the backend (io_uring: unregisters the kernel buffers). */
    @Test
    void terminationRemovesEveryInstalledRegionFromTheBackend() {
        Runtime rt = start(faultyConfig().initialRegion(region(32, 1)), w -> (c, d) -> d.remaining());
        try {
            rt.shutdownHandle().registerRegion(region(32, 2));
            RegionId b = rt.shutdownHandle().registerRegion(region(32, 3));
            rt.shutdownHandle().unregisterRegion(b);
            assertEquals(Set.of(0, 1), Faults.installed(0));
            assertEquals(Set.of(0, 1), Faults.installed(1));
        } finally {
            rt.close();
        }
        assertEquals(Set.of(), Faults.installed(0));
        assertEquals(Set.of(), Faults.installed(1));
        assertEquals(Faults.installs.get(), Faults.removes.get());
        assertEquals(6, Faults.installs.get(), "3 regions x 2 workers");
    }
}
