package io.ringline.internal;

import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegionTableTest {

    @Test
    void removalWaitsForInFlightReferences() {
        try (Arena arena = Arena.ofConfined()) {
            RegionTable t = new RegionTable(4);
            t.install(1, MemoryRegion.of(arena.allocate(100)));
            t.acquire(new RegionId(1), 0, 10);
            t.acquire(new RegionId(1), 90, 10);
            AtomicInteger drained = new AtomicInteger();
            t.beginRemove(1, drained::incrementAndGet);
            var e = assertThrows(IllegalArgumentException.class, () -> t.acquire(new RegionId(1), 0, 1));
            assertTrue(e.getMessage().contains("being unregistered"), e.getMessage());
            t.release(1);
            assertEquals(0, drained.get());
            t.release(1);
            assertEquals(1, drained.get());
            t.clear(1);
            assertNull(t.get(1));
        }
    }

    @Test
    void rejectsOutOfRangeSendsNamingTheLimit() {
        try (Arena arena = Arena.ofConfined()) {
            RegionTable t = new RegionTable(2);
            t.install(0, MemoryRegion.of(arena.allocate(100)));
            var e = assertThrows(IllegalArgumentException.class, () -> t.acquire(new RegionId(0), 95, 10));
            assertTrue(e.getMessage().contains("length 100"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> t.acquire(new RegionId(0), -1, 10));
            assertThrows(IllegalArgumentException.class, () -> t.acquire(new RegionId(0), 0, 0));
            assertThrows(IllegalArgumentException.class, () -> t.acquire(new RegionId(1), 0, 1));
            assertThrows(IllegalArgumentException.class, () -> t.acquire(new RegionId(5), 0, 1));
            assertThrows(IllegalArgumentException.class, () -> t.acquire(RegionId.UNREGISTERED, 0, 1));
            assertEquals(0, t.inFlight(0));
        }
    }
}
