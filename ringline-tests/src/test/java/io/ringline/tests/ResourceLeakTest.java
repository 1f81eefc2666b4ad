package io.ringline.tests;

import io.ringline.Connection;
import io.ringline.MemoryRegion;
import io.ringline.RegionException;
import io.ringline.RegionId;
import io.ringline.Runtime;
import io.ringline.ShutdownHandle;
import io.ringline.spi.Capability;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.EchoHandler;
import io.ringline.tests.support.Leaks;
import io.ringline.tests.support.OncePerBackendTest;
import io.ringline.tests.support.Requires;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Starting and stopping a runtime many times leaks no thread, no descriptor and no region slot. */
@Requires(value = Capability.OS_SOCKETS, why = "counts file descriptors")
class ResourceLeakTest extends OncePerBackendTest {

    private static final int ITERATIONS = 50;
    private static final int MAX_REGIONS = 4;
    /**
     * Descriptors the JVM may open on its own during the test (class loading, logging). A leak of one
     * descriptor per iteration would show as at least {@value #ITERATIONS}.
     */
    private static final int FD_TOLERANCE = 3;

    @Test
    void startAndStopManyTimesLeaksNothing() throws Exception {
        Set<Thread> threadsBefore = Leaks.ringlineThreads();
        cycle(-1); // warm-up: loads classes, opens the JVM's own descriptors for good
        Leaks.awaitNoNewRinglineThreads(threadsBefore, Duration.ofSeconds(20));
        long fdsBefore = Leaks.openFileDescriptors();
        for (int i = 0; i < ITERATIONS; i++) {
            cycle(i);
        }
        Leaks.awaitNoNewRinglineThreads(threadsBefore, Duration.ofSeconds(20));
        if (fdsBefore >= 0) {
            Await.until(Duration.ofSeconds(20), () -> Leaks.openFileDescriptors() <= fdsBefore + FD_TOLERANCE,
                    () -> "descriptors: " + fdsBefore + " before " + ITERATIONS + " start/stop cycles, "
                            + Leaks.openFileDescriptors() + " after");
        }
    }

    /** One runtime: a connection, every region slot registered and used, then a graceful close. */
    private void cycle(int iteration) throws Exception {
        EchoHandler echo = EchoHandler.plain();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment initial = arena.allocate(128);
            try (Runtime rt = start(serverConfig().maxRegions(MAX_REGIONS).initialRegion(MemoryRegion.of(initial)), w -> echo);
                 Client s = connect(rt)) {
                s.output().write(new byte[] {1, 2, 3});
                assertArrayEquals(new byte[] {1, 2, 3}, s.readExactly(3));
                ShutdownHandle handle = rt.shutdownHandle();
                // Every dynamic slot is usable in every runtime: nothing stays registered from an earlier one.
                List<RegionId> ids = new ArrayList<>();
                List<MemorySegment> segments = new ArrayList<>();
                for (int i = 1; i < MAX_REGIONS; i++) {
                    MemorySegment seg = arena.allocate(256);
                    seg.copyFrom(MemorySegment.ofArray(Bytes.random(new Random(iteration * 31L + i), 256)));
                    segments.add(seg);
                    ids.add(handle.registerRegion(MemoryRegion.of(seg)));
                }
                assertEquals(List.of(RegionId.of(1), RegionId.of(2), RegionId.of(3)), ids, "iteration " + iteration);
                assertThrows(RegionException.class, () -> handle.registerRegion(MemoryRegion.of(initial)));
                Connection c = echo.next();
                RegionId last = ids.get(ids.size() - 1);
                io.ringline.tests.support.OnWorker.run(c.worker(), () -> c.sendRegion(last, 0, 256));
                assertArrayEquals(segments.get(segments.size() - 1).toArray(ValueLayout.JAVA_BYTE),
                        s.readExactly(256));
                handle.unregisterRegion(ids.get(0));
                // Closing the runtime with the connection open: the graceful shutdown closes it.
            }
        }
    }
}
