package io.ringline.examples.resp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The arena store's allocator, pinning and limits, without a network. */
class RegionStoreTest {

    private final AtomicLong clock = new AtomicLong(1_000);
    private final RegionStore store = new RegionStore(64 * 1024, 1024, clock::get);

    @AfterEach
    void close() {
        store.close();
    }

    /** Records region writes; the caller releases the pins. */
    static final class Recorder implements RegionOutput {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<long[]> regions = new ArrayList<>();
        final List<RegionStore.Pin> pins = new ArrayList<>();

        @Override
        public void writeByte(int b) {
            bytes.write(b);
        }

        @Override
        public void writeBytes(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        @Override
        public void writeRegion(long offset, int length, RegionStore.Pin pin) {
            regions.add(new long[] {offset, length});
            pins.add(pin);
            bytes.writeBytes(("<region " + offset + "+" + length + ">").getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] k(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void smallValuesAreCopiedLargeOnesPinned() {
        store.set(k("small"), k("hello"), 0);
        Recorder out = new Recorder();
        store.writeValue(k("small"), out);
        assertEquals("$5\r\nhello\r\n", out.bytes.toString(StandardCharsets.US_ASCII));
        assertTrue(out.regions.isEmpty());

        byte[] big = bytes(5000, 1);
        store.set(k("big"), big, 0);
        out = new Recorder();
        store.writeValue(k("big"), out);
        assertEquals(1, out.regions.size());
        long offset = out.regions.getFirst()[0];
        assertEquals("$5000\r\n<region " + offset + "+5000>\r\n", out.bytes.toString(StandardCharsets.US_ASCII));
        byte[] inArena = store.segment().asSlice(offset, 5000).toArray(ValueLayout.JAVA_BYTE);
        assertArrayEquals(big, inArena);
        assertEquals(1, store.pinnedValues());
        out.pins.getFirst().release();
        assertEquals(0, store.pinnedValues());
        assertThrows(IllegalStateException.class, () -> {
            Recorder r = new Recorder();
            store.writeValue(k("big"), r);
            r.pins.getFirst().release();
            r.pins.getFirst().release();
        });
    }

    @Test
    void aPinnedValueIsNotReusedAfterDeleteOrOverwrite() {
        byte[] v1 = bytes(4000, 1);
        store.set(k("a"), v1, 0);
        Recorder out = new Recorder();
        store.writeValue(k("a"), out);
        long pinned = out.regions.getFirst()[0];
        MemorySegment snapshot = store.segment().asSlice(pinned, 4000);

        // overwrite and delete while the "send" is in flight, then fill the arena with same-class values
        store.set(k("a"), bytes(4000, 2), 0);
        store.delete(k("a"));
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; ; i++) {
            try {
                store.set(k("fill" + i), bytes(4000, 100 + i), 0);
                keys.add(k("fill" + i));
            } catch (StoreFullException full) {
                break;
            }
        }
        assertTrue(keys.size() >= 10, "filled " + keys.size());
        assertArrayEquals(v1, snapshot.toArray(ValueLayout.JAVA_BYTE), "pinned bytes untouched");
        long before = store.allocatedBytes();
        out.pins.getFirst().release(); // the block is freed only now
        assertEquals(before - 4096, store.allocatedBytes());
        store.set(k("again"), bytes(4000, 3), 0); // and can be reused
    }

    @Test
    void fullArenaAnswersOomAndKeepsTheOldValue() {
        RespCommands cmds = new RespCommands(store);
        store.set(k("keep"), k("old"), 0);
        byte[] huge = new byte[60 * 1024];
        Recorder out = new Recorder();
        cmds.execute(new byte[][] {k("SET"), k("keep"), huge}, out);
        assertEquals("-OOM arena full\r\n", out.bytes.toString(StandardCharsets.US_ASCII));
        assertArrayEquals(k("old"), store.get(k("keep")));
        out = new Recorder();
        cmds.execute(new byte[][] {k("SET"), k("x"), new byte[70 * 1024]}, out);
        assertEquals("-OOM arena full\r\n", out.bytes.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void flushallAndExpiryGiveTheMemoryBack() {
        for (int i = 0; i < 10; i++) {
            store.set(k("k" + i), bytes(3000, i), clock.get() + 10);
        }
        assertEquals(10 * 4096, store.allocatedBytes());
        clock.addAndGet(10);
        // a SET that does not fit drops expired keys first
        store.set(k("big"), bytes(40_000, 9), 0);
        assertEquals(65536, store.allocatedBytes());
        assertNull(store.get(k("k0")));
        store.clear();
        assertEquals(0, store.allocatedBytes());
        store.set(k("whole"), bytes(65536, 5), 0); // merged back into one block
        assertEquals(65536, store.allocatedBytes());
    }

    @Test
    void emptyValuesAndIncr() {
        store.set(k("e"), new byte[0], 0);
        Recorder out = new Recorder();
        store.writeValue(k("e"), out);
        assertEquals("$0\r\n\r\n", out.bytes.toString(StandardCharsets.US_ASCII));
        assertEquals(0, store.allocatedBytes());
        assertEquals(1, store.incrBy(k("n"), 1));
        assertEquals(64, store.allocatedBytes());
    }

    @Test
    void allocatorSplitsAndMerges() {
        ArenaAllocator a = new ArenaAllocator(java.lang.foreign.Arena.ofAuto().allocate(6 << 20));
        assertEquals(4 << 20, a.maxLength());
        long x = a.allocate(4 << 20);
        long y = a.allocate(2 << 20);
        assertEquals(-1, a.allocate(1));
        assertNotEquals(x, y);
        a.free(y, 2 << 20);
        long[] small = new long[32];
        for (int i = 0; i < small.length; i++) {
            small[i] = a.allocate(65536);
            assertTrue(small[i] >= 4 << 20, "from the free 2 MiB block");
        }
        assertEquals(-1, a.allocate(65536));
        long[] sorted = small.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            assertEquals(sorted[i - 1] + 65536, sorted[i]);
        }
        for (long s : small) {
            a.free(s, 65536);
        }
        assertEquals(4 << 20, a.allocatedBytes());
        assertEquals(4 << 20, a.allocate(2 << 20)); // merged back
        assertEquals(0, ArenaAllocator.orderFor(1));
        assertEquals(0, ArenaAllocator.orderFor(64));
        assertEquals(1, ArenaAllocator.orderFor(65));
        assertEquals(1, ArenaAllocator.orderFor(128));
    }

    @Test
    void allocatorNeverHandsOutOverlappingBlocksAndMergesBackToWhole() {
        ArenaAllocator a = new ArenaAllocator(java.lang.foreign.Arena.ofAuto().allocate(1 << 20));
        Random random = new Random(7);
        List<long[]> live = new ArrayList<>(); // {offset, length}
        java.util.TreeMap<Long, Long> used = new java.util.TreeMap<>(); // offset -> end
        for (int step = 0; step < 20_000; step++) {
            if (!live.isEmpty() && (random.nextInt(2) == 0)) {
                long[] b = live.remove(random.nextInt(live.size()));
                a.free(b[0], (int) b[1]);
                used.remove(b[0]);
            } else {
                int length = 1 + random.nextInt(random.nextBoolean() ? 200 : 40_000);
                long offset = a.allocate(length);
                if (offset < 0) {
                    continue;
                }
                long end = offset + ArenaAllocator.blockSize(ArenaAllocator.orderFor(length));
                var below = used.floorEntry(offset);
                var above = used.ceilingEntry(offset);
                assertTrue(below == null || below.getValue() <= offset, "overlaps the block below at step " + step);
                assertTrue(above == null || above.getKey() >= end, "overlaps the block above at step " + step);
                assertTrue(end <= 1 << 20);
                used.put(offset, end);
                live.add(new long[] {offset, length});
            }
        }
        for (long[] b : live) {
            a.free(b[0], (int) b[1]);
        }
        assertEquals(0, a.allocatedBytes());
        assertEquals(0, a.allocate(1 << 20), "every block merged back into the whole arena");
    }

    @Test
    void overwritingWithTheSameSizeClassReusesTheBlockAndAPinnedValueKeepsItsBytes() {
        store.set(k("a"), bytes(2000, 1), 0);
        long allocated = store.allocatedBytes();
        for (int i = 0; i < 100; i++) {
            store.set(k("a"), bytes(1500 + i, i), 0);
        }
        assertEquals(allocated, store.allocatedBytes(), "overwritten in place");
        assertArrayEquals(bytes(1599, 99), store.get(k("a")));

        Recorder out = new Recorder();
        store.writeValue(k("a"), out); // 1599 bytes >= the threshold of 1024: pinned, sent by reference
        assertEquals(1, out.pins.size());
        long[] region = out.regions.getFirst();
        store.set(k("a"), bytes(1599, 500), 0); // the pinned block must not be overwritten
        assertArrayEquals(bytes(1599, 99), store.segment().asSlice(region[0], region[1]).toArray(ValueLayout.JAVA_BYTE));
        assertArrayEquals(bytes(1599, 500), store.get(k("a")));
        out.pins.getFirst().release();
        assertEquals(allocated, store.allocatedBytes(), "the retired block was freed once unpinned");
    }
}
