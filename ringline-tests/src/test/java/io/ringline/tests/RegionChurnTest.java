package io.ringline.tests;

import io.ringline.MemoryRegion;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.RegionChurn;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Region churn (see {@link RegionChurn}): 4 threads allocate, register, send from, unregister and
 * free 1 MiB regions while the workers' receive paths are busy. With runtime-owned regions
 * ({@link MemoryRegion#allocate(long)}) no exception may ever reach a handler or close a
 * connection, and every byte a client receives is the region's content.
 *
 * <p>{@code -Dringline.churn.memory=shared-arena} runs the same churn with the pattern README used
 * to show (memory from {@code Arena.ofShared()}, closed right after the unregister returned): the
 * reproducer of the reported {@code NullPointerException} in {@code BaseConnection.consume} (today {@code InboundPath})
 * (see bench/repro/README.md). {@code -Dringline.churn.cycles=N} sets the cycles per thread.
 */
class RegionChurnTest extends BackendTest {

    private static final int THREADS = 4;
    /** Repetitions on a backend's default spec; its option variants churn once (the suite runs ~7 specs). */
    private static final int REPETITIONS = 3;
    /** Cycles per thread and repetition: one backend's 3 repetitions take 5 to 13 s here (2 busy cores). */
    private static final int CYCLES = Integer.getInteger("ringline.churn.cycles", 250);
    private static final AtomicLong LEASES = new AtomicLong();

    @Test
    void churnOfRuntimeOwnedRegionsNeverFailsAndDeliversTheRegionsBytes() throws Exception {
        boolean arena = "shared-arena".equals(System.getProperty("ringline.churn.memory"));
        RegionChurn.Memory memory = arena ? RegionChurnTest::sharedArena : RegionChurnTest::runtimeOwned;
        int repetitions = spec.isDefault() ? REPETITIONS : 1;
        for (int repetition = 0; repetition < repetitions; repetition++) {
            RegionChurn churn = new RegionChurn(THREADS, CYCLES, 2, 128 * 1024, memory);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            churn.run(serverConfig().sendQueueLimit(8L << 20), this::connect, deadline);
            String what = "[" + spec + (arena ? ", shared arenas" : "") + "] repetition " + repetition;
            assertEquals(List.of(), churn.errors(), what + ": exceptions in handlers, connections closed with ERROR, failed threads");
            assertEquals((long) THREADS * CYCLES, churn.cyclesDone(), what + ": every cycle completed");
            assertTrue(churn.bytesChecked() > (long) THREADS * CYCLES, what + ": clients received and checked region bytes");
            assertTrue(churn.noiseBytes() > 0, what + ": the noise reached the handlers");
        }
    }

    /**
     * A region from {@link MemoryRegion#allocate}: every other cycle closes it right after the
     * register (so its free is deferred while the cycle's sends are queued and the unregister
     * runs); the others close it after the unregister. Either way it must be freed once the
     * unregister returned.
     */
    private static RegionChurn.Lease runtimeOwned(int bytes) {
        MemoryRegion region = MemoryRegion.allocate(bytes);
        boolean closeEarly = LEASES.getAndIncrement() % 2 == 0;
        return new RegionChurn.Lease() {
            @Override
            public MemoryRegion region() {
                return region;
            }

            @Override
            public void registered() {
                if (closeEarly) {
                    region.close();
                    if (region.isFreed()) {
                        throw new AssertionError(region + " was freed while registered");
                    }
                }
            }

            @Override
            public void free() {
                region.close();
                if (!region.isFreed()) {
                    throw new AssertionError(region + " was not freed after its unregister completed and it was closed");
                }
            }
        };
    }

    /** The old README pattern: a shared arena, closed right after the unregister returned. */
    private static RegionChurn.Lease sharedArena(int bytes) {
        Arena arena = Arena.ofShared();
        MemoryRegion region = MemoryRegion.of(arena.allocate(bytes));
        return new RegionChurn.Lease() {
            @Override
            public MemoryRegion region() {
                return region;
            }

            @Override
            public void free() {
                arena.close();
            }
        };
    }
}
