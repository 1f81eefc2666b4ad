package io.ringline;

import io.ringline.internal.PageMemory;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link MemoryRegion} without a runtime: allocation, validation, close. */
class MemoryRegionTest {

    @Test
    void allocateGivesZeroedPageAlignedWritableMemoryOfExactlyTheSizeAskedFor() {
        try (MemoryRegion r = MemoryRegion.allocate(10_000)) {
            assertTrue(r.isRuntimeOwned());
            assertEquals(10_000, r.length());
            assertEquals(0, r.address() % PageMemory.pageSize(), "page aligned");
            assertTrue(r.segment().isNative());
            for (long i = 0; i < r.length(); i += 997) {
                assertEquals(0, r.segment().get(ValueLayout.JAVA_BYTE, i), "zero-filled at " + i);
            }
            r.segment().fill((byte) 7);
            assertEquals(7, r.segment().get(ValueLayout.JAVA_BYTE, 9_999));
            assertFalse(r.isClosed());
            assertFalse(r.isFreed());
            assertEquals("MemoryRegion[address=0x" + Long.toHexString(r.address()) + ", length=10000]", r.toString());
        }
    }

    @Test
    void closeWithoutRegistrationFreesAtOnceAndIsIdempotent() {
        MemoryRegion r = MemoryRegion.allocate(1 << 20);
        r.close();
        assertTrue(r.isClosed());
        assertTrue(r.isFreed(), "nothing had it registered: freed at once");
        r.close(); // a second close does nothing (and does not unmap twice)
        assertTrue(r.isFreed());
    }

    @Test
    void nonPositiveAndUnrepresentableSizesAreRejectedNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MemoryRegion.allocate(0));
        assertTrue(e.getMessage().contains("was 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MemoryRegion.allocate(-4096));
        assertTrue(e.getMessage().contains("-4096"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MemoryRegion.allocate(Long.MAX_VALUE));
        assertTrue(e.getMessage().contains(String.valueOf(Long.MAX_VALUE)), e.getMessage());
    }

    @Test
    void aSizeTheSystemRefusesFailsWithTheSizeAndErrno() {
        long huge = 1L << 60; // 1 EiB: more address space than any machine maps
        RinglineException e = assertThrows(RinglineException.class, () -> MemoryRegion.allocate(huge));
        assertTrue(e.getMessage().contains(String.valueOf(huge)) && e.getMessage().contains("errno"), e.getMessage());
    }

    @Test
    void applicationOwnedRegionsKeepTheirRulesAndCloseDoesNothing() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(64);
            MemoryRegion r = MemoryRegion.of(seg);
            assertFalse(r.isRuntimeOwned());
            r.close();
            assertFalse(r.isClosed(), "the application owns the memory");
            seg.set(ValueLayout.JAVA_BYTE, 0, (byte) 1); // still usable
            assertEquals(new MemoryRegion(seg), r, "value equality over the segment, as before");
            assertEquals(r.hashCode(), MemoryRegion.of(seg).hashCode());
        }
        assertThrows(IllegalArgumentException.class, () -> MemoryRegion.of(MemorySegment.ofArray(new byte[8])));
        assertThrows(NullPointerException.class, () -> MemoryRegion.of(null));
    }

    @Test
    void aRuntimeOwnedRegionOnlyEqualsItself() {
        try (MemoryRegion a = MemoryRegion.allocate(4096); MemoryRegion b = MemoryRegion.allocate(4096)) {
            assertEquals(a, a);
            assertNotEquals(a, b);
            assertNotEquals(a, MemoryRegion.of(a.segment()));
        }
    }

    @Test
    void aClosedRegionCannotBeAnInitialRegion() {
        MemoryRegion r = MemoryRegion.allocate(4096);
        r.close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Config.builder().initialRegion(r));
        assertTrue(e.getMessage().contains(r.toString()), e.getMessage());
    }
}
