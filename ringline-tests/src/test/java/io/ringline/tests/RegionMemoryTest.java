package io.ringline.tests;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.MemoryRegion;
import io.ringline.RegionException;
import io.ringline.RegionId;
import io.ringline.Runtime;
import io.ringline.ShutdownHandle;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.Faults;
import io.ringline.tests.support.FaultyBackendProvider;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.OncePerBackendTest;
import io.ringline.tests.support.Recorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.CompletionStage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lifecycle of runtime-owned region memory ({@link MemoryRegion#allocate(long)}) with a
 * running runtime: closing while registered defers the free until the unregister completed on
 * every worker or the runtime terminated; failed registers and completed unregisters drop their
 * reference; a closed region cannot be registered.
 */
class RegionMemoryTest extends OncePerBackendTest {

    @AfterEach
    void resetFaults() {
        Faults.reset();
    }

    private static MemoryRegion filled(int size, long seed) {
        MemoryRegion r = MemoryRegion.allocate(size);
        r.segment().copyFrom(MemorySegment.ofArray(Bytes.random(new Random(seed), size)));
        return r;
    }

    private static void assertMessageNames(Throwable e, Object value) {
        assertTrue(String.valueOf(e.getMessage()).contains(String.valueOf(value)), () -> "message '" + e.getMessage() + "' names " + value);
    }

    /**
     * The client does not read, so an 8 MiB region send stays queued: closing the region and
     * starting its unregister free nothing; once the client read everything (the region's exact
     * bytes: the memory was not freed under the send) the unregister completes and the memory is
     * freed.
     */
    @Test
    void closeWhileRegisteredDefersTheFreeUntilTheUnregisterCompletedOnEveryWorker() throws Exception {
        int size = 8 << 20;
        MemoryRegion r = filled(size, 1);
        byte[] content = r.segment().toArray(ValueLayout.JAVA_BYTE);
        Recorder h = new Recorder();
        try (Runtime rt = start(serverConfig().sendQueueLimit(2L * size), w -> h);
             Client s = connectWithSmallReceiveBuffer(rt, 8 * 1024)) {
            ShutdownHandle handle = rt.shutdownHandle();
            RegionId id = handle.registerRegion(r);
            Connection c = h.next();
            OnWorker.run(c.worker(), () -> c.sendRegion(id, 0, size));
            r.close();
            assertTrue(r.isClosed());
            assertFalse(r.isFreed(), "closed while registered: the free waits for the unregister");
            CompletionStage<Void> unregister = handle.unregisterRegionAsync(id);
            OnWorker.run(rt.worker(0), () -> { });
            OnWorker.run(rt.worker(1), () -> { }); // both workers have seen the unregister
            assertTrue(OnWorker.call(c.worker(), c::pendingSendBytes) > 0, "the region send is still queued");
            assertFalse(unregister.toCompletableFuture().isDone(), "the unregister waits for the queued send");
            assertFalse(r.isFreed(), "not freed while a send references it");
            assertArrayEquals(content, s.readExactly(size), "the region's exact bytes");
            OnWorker.Stages.await(unregister);
            assertTrue(r.isFreed(), "freed once the unregister completed on every worker");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> handle.registerRegion(r));
            assertMessageNames(e, r);
        }
    }

    @Test
    void aClosedRegionCannotBeRegisteredAndTheSlotStaysFree() {
        MemoryRegion r = MemoryRegion.allocate(4096);
        r.close();
        try (Runtime rt = start(clientConfig().maxRegions(2), w -> (c, d) -> d.remaining())) {
            ShutdownHandle handle = rt.shutdownHandle();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> handle.registerRegion(r));
            assertMessageNames(e, r);
            assertInstanceOf(IllegalStateException.class, OnWorker.Stages.failure(handle.registerRegionAsync(r)));
            try (MemoryRegion open = MemoryRegion.allocate(4096)) {
                assertTrue(handle.registerRegion(open).slot() == 0, "the refused register took no slot");
            }
        }
    }

    @Test
    void aRegionRegisteredTwiceIsFreedAfterBothUnregisters() {
        MemoryRegion r = MemoryRegion.allocate(64 * 1024);
        try (Runtime rt = start(clientConfig().maxRegions(4), w -> (c, d) -> d.remaining())) {
            ShutdownHandle handle = rt.shutdownHandle();
            RegionId a = handle.registerRegion(r);
            RegionId b = handle.registerRegion(r);
            r.close();
            handle.unregisterRegion(a);
            assertFalse(r.isFreed(), "still registered in " + b);
            handle.unregisterRegion(b);
            assertTrue(r.isFreed());
        }
    }

    @Test
    void aCompletedUnregisterOfAnOpenRegionLeavesItToTheApplication() {
        MemoryRegion r = MemoryRegion.allocate(4096);
        try (Runtime rt = start(clientConfig().maxRegions(2), w -> (c, d) -> d.remaining())) {
            rt.shutdownHandle().unregisterRegion(rt.shutdownHandle().registerRegion(r));
            assertFalse(r.isFreed(), "not closed: the memory stays for the application");
            r.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            RegionId again = rt.shutdownHandle().registerRegion(r);
            r.close();
            assertFalse(r.isFreed());
            rt.shutdownHandle().unregisterRegion(again);
            assertTrue(r.isFreed());
        }
    }

    /** Regions still registered when the runtime terminates (initial ones included) are freed then if closed. */
    @Test
    void closedRegionsStillRegisteredAreFreedWhenTheRuntimeTerminated() {
        MemoryRegion initial = MemoryRegion.allocate(4096);
        MemoryRegion dynamic = MemoryRegion.allocate(4096);
        MemoryRegion keptOpen = MemoryRegion.allocate(4096);
        Runtime rt = start(clientConfig().maxRegions(4).initialRegion(initial), w -> (c, d) -> d.remaining());
        try {
            rt.shutdownHandle().registerRegion(dynamic);
            rt.shutdownHandle().registerRegion(keptOpen);
            initial.close();
            dynamic.close();
            assertFalse(initial.isFreed(), "an initial region stays for the runtime's life");
            assertFalse(dynamic.isFreed(), "still registered");
        } finally {
            rt.close();
        }
        assertTrue(rt.isTerminated());
        assertTrue(initial.isFreed(), "freed at termination");
        assertTrue(dynamic.isFreed(), "freed at termination");
        assertFalse(keptOpen.isFreed(), "never closed: the application still owns it");
        keptOpen.close();
        assertTrue(keptOpen.isFreed(), "no runtime holds it any more: freed at once");
    }

    @Test
    void aClosedInitialRegionFailsTheStart() {
        MemoryRegion r = MemoryRegion.allocate(4096);
        Config config = clientConfig().initialRegion(r).build();
        r.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Runtime.start(config, w -> (c, d) -> d.remaining()));
        assertMessageNames(e, r);
        assertTrue(r.isFreed());
    }

    /** A register that failed on a worker and was rolled back holds no reference: close frees at once. */
    @Test
    void aFailedRegisterDropsItsReference() {
        Faults.wrap(spec.backend());
        MemoryRegion r = MemoryRegion.allocate(4096);
        try (Runtime rt = start(clientConfig().backend(FaultyBackendProvider.NAME).maxRegions(4), w -> (c, d) -> d.remaining())) {
            Faults.failInstallOnWorker = 1;
            assertThrows(RegionException.class, () -> rt.shutdownHandle().registerRegion(r));
            r.close();
            assertTrue(r.isFreed(), "the rolled-back register released the region");
        }
    }
}
