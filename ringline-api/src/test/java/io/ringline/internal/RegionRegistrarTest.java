package io.ringline.internal;

import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registrar's ordering across workers, with workers whose acknowledgements the test completes. */
class RegionRegistrarTest {

    private final Arena arena = Arena.ofShared();
    private final List<String> log = new ArrayList<>();

    @AfterEach
    void close() {
        arena.close();
    }

    /** A worker that records each update and leaves its acknowledgement to the test. */
    final class FakeWorker implements RegionControl {
        final int id;
        final List<CompletableFuture<Void>> acks = new ArrayList<>();

        FakeWorker(int id) {
            this.id = id;
        }

        @Override
        public CompletableFuture<Void> controlRegister(int slot, MemoryRegion region) {
            log.add("register " + slot + " on " + id);
            CompletableFuture<Void> f = new CompletableFuture<>();
            acks.add(f);
            return f;
        }

        @Override
        public CompletableFuture<Void> controlUnregister(int slot) {
            log.add("unregister " + slot + " on " + id);
            CompletableFuture<Void> f = new CompletableFuture<>();
            acks.add(f);
            return f;
        }

        CompletableFuture<Void> last() {
            return acks.getLast();
        }
    }

    private MemoryRegion region() {
        return MemoryRegion.of(arena.allocate(64));
    }

    @Test
    void aRegisterCompletesOnlyOnceEveryWorkerAcknowledged() {
        FakeWorker a = new FakeWorker(0);
        FakeWorker b = new FakeWorker(1);
        RegionRegistrar r = new RegionRegistrar(new RegionControl[] {a, b}, 4, List.of(region()));
        CompletableFuture<RegionId> id = r.register(region());
        assertEquals(List.of("register 1 on 0", "register 1 on 1"), log, "the first free slot after the initial one, on every worker");
        a.last().complete(null);
        assertFalse(id.isDone(), "worker 1 has not acknowledged");
        b.last().complete(null);
        assertEquals(1, id.join().slot());
    }

    @Test
    void regionsInUseCountTheInitialOnesAndCompletedRegistrationsOnly() {
        FakeWorker a = new FakeWorker(0);
        RegionRegistrar r = new RegionRegistrar(new RegionControl[] {a}, 4, List.of(region()));
        assertEquals(1, r.regionsInUse());
        assertEquals(64, r.regionBytesInUse());
        CompletableFuture<RegionId> id = r.register(MemoryRegion.of(arena.allocate(100)));
        assertEquals(1, r.regionsInUse(), "not counted before every worker acknowledged");
        a.last().complete(null);
        assertEquals(2, r.regionsInUse());
        assertEquals(164, r.regionBytesInUse());
        CompletableFuture<Void> gone = r.unregister(id.join());
        a.last().complete(null);
        gone.join();
        assertEquals(1, r.regionsInUse());
        assertEquals(64, r.regionBytesInUse());
    }

    @Test
    void aRegisterFailingOnOneWorkerIsRolledBackOnTheOthersBeforeItsSlotIsFree() {
        FakeWorker a = new FakeWorker(0);
        FakeWorker b = new FakeWorker(1);
        RegionRegistrar r = new RegionRegistrar(new RegionControl[] {a, b}, 2, List.of());
        CompletableFuture<RegionId> id = r.register(region());
        a.last().complete(null);
        b.last().completeExceptionally(new IOException("injected"));
        assertEquals(List.of("register 0 on 0", "register 0 on 1", "unregister 0 on 0"), log,
                "rolled back on the worker that applied it, only");
        assertFalse(id.isDone(), "the failure is reported once the rollback is acknowledged");
        CompletableFuture<RegionId> meanwhile = r.register(region());
        assertEquals("register 1 on 0", log.get(3), "slot 0 is not handed out before the rollback finished");
        a.acks.get(1).complete(null); // the rollback
        CompletionException e = assertThrows(CompletionException.class, id::join);
        boolean named = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            named |= String.valueOf(t.getMessage()).contains("injected");
        }
        assertTrue(named, "the failure names the worker's error: " + e);
        a.last().complete(null);
        b.last().complete(null);
        assertEquals(1, meanwhile.join().slot());
        CompletableFuture<RegionId> reused = r.register(region());
        assertTrue(log.getLast().startsWith("register 0 "), "slot 0 is free again after its rollback: " + log);
        a.last().complete(null);
        b.last().complete(null);
        assertEquals(0, reused.join().slot());
    }

    @Test
    void aSlotIsFreeAgainOnlyAfterEveryWorkerAcknowledgedTheUnregister() {
        FakeWorker a = new FakeWorker(0);
        RegionRegistrar r = new RegionRegistrar(new RegionControl[] {a}, 1, List.of());
        CompletableFuture<RegionId> id = r.register(region());
        a.last().complete(null);
        RegionId registered = id.join();
        CompletableFuture<Void> gone = r.unregister(registered);
        CompletableFuture<RegionId> full = r.register(region());
        assertTrue(full.isCompletedExceptionally(), "the only slot is still being unregistered");
        a.last().complete(null);
        gone.join();
        CompletableFuture<RegionId> again = r.register(region());
        a.last().complete(null);
        assertEquals(0, again.join().slot());
    }

    @Test
    void initialRegionsCannotBeUnregistered() {
        RegionRegistrar r = new RegionRegistrar(new RegionControl[] {new FakeWorker(0)}, 2, List.of(region()));
        CompletionException e = assertThrows(CompletionException.class, () -> r.unregister(RegionId.of(0)).join());
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
    }
}
