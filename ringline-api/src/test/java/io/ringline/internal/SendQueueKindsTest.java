package io.ringline.internal;

import io.ringline.BufferRelease;
import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The send queue's four kinds of entry: copied, region, owned and lent; their order, release and addresses. */
class SendQueueKindsTest {

    private final Arena arena = Arena.ofConfined();
    private final BufferPool pool = new BufferPool(16, 8);
    private final RegionTable regions = new RegionTable(4);
    private final LentViews lentViews = new LentViews(16);
    private final SendQueue queue = new SendQueue(pool, regions, lentViews);
    /** What was released, in order: owned buffers' and lent memories' names. */
    private final List<String> released = new ArrayList<>();

    @AfterEach
    void closeArena() {
        arena.close();
    }

    private CountingMemory memory(String name, int size, int offset, int firstByte) {
        return new CountingMemory(name, size, offset, firstByte, released);
    }

    /** Retains {@code m} (as the core does before queueing) and queues {@code data} from it. */
    private void lend(CountingMemory m, ByteBuffer data) {
        assertTrue(m.tryRetain());
        queue.appendLent(m, data);
    }

    private BufferRelease recording(String name) {
        return b -> released.add(name);
    }

    private static ByteBuffer direct(int firstByte, int n) {
        ByteBuffer b = ByteBuffer.allocateDirect(n);
        for (int i = 0; i < n; i++) {
            b.put(i, (byte) (firstByte + i));
        }
        return b;
    }

    private static byte[] range(int firstByte, int n) {
        byte[] a = new byte[n];
        for (int i = 0; i < n; i++) {
            a[i] = (byte) (firstByte + i);
        }
        return a;
    }

    /** Writes everything queued, {@code step} bytes at a time (short writes), and returns it. */
    private byte[] drain(int step) {
        ByteBuffer all = ByteBuffer.allocate((int) queue.bytes());
        while (!queue.isEmpty()) {
            ByteBuffer head = queue.buffer(0).duplicate();
            int k = Math.min(step, head.remaining());
            all.put(head.limit(head.position() + k));
            queue.consumed(k);
        }
        return all.array();
    }

    private MemoryRegion installRegion(int slot, int size, int firstByte) {
        MemorySegment s = arena.allocate(size);
        for (int i = 0; i < size; i++) {
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (firstByte + i));
        }
        MemoryRegion r = MemoryRegion.of(s);
        regions.install(slot, r);
        return r;
    }

    private final RegionId[] ids = {new RegionId(0), new RegionId(1), new RegionId(2), new RegionId(3)};

    private void sendRegion(int slot, long offset, int length) {
        MemoryRegion r = regions.acquire(ids[slot], offset, length);
        queue.appendRegion(r, slot, offset, length);
    }

    private void assertAddressesMatchTheBuffers() {
        for (int i = 0; i < queue.size(); i++) {
            assertEquals(MemorySegment.ofBuffer(queue.buffer(i)).address(), queue.address(i), "address of entry " + i);
        }
    }

    @Test
    void anOwnedEntryIsTheBufferItselfReleasedOnceWhenWrittenWhole() {
        ByteBuffer data = direct(0, 100);
        List<ByteBuffer> given = new ArrayList<>();
        queue.appendOwned(data, given::add);
        assertSame(data, queue.buffer(0), "no duplicate: the connection advances the owned buffer itself");
        assertEquals(OutboundEntry.Kind.OWNED, queue.kind(0));
        assertEquals(100, queue.bytes());
        queue.consumed(60);
        assertEquals(60, data.position());
        assertTrue(given.isEmpty(), "not released while bytes are left");
        assertAddressesMatchTheBuffers();
        queue.consumed(40);
        assertEquals(List.of(data), given);
        assertEquals(100, data.position(), "released with its position at its limit");
        assertTrue(queue.isEmpty());
    }

    @Test
    void aLentEntrySendsFromAViewOfTheMemoryAndReturnsItOnce() {
        CountingMemory m = memory("m", 256, 32, 0);
        ByteBuffer data = m.delivered(100);
        data.position(10).limit(50); // the handler narrowed what it sends
        lend(m, data);
        assertEquals(OutboundEntry.Kind.LENT, queue.kind(0));
        assertEquals(40, queue.bytes());
        assertNotSame(m.memory(), queue.buffer(0), "a view: the memory's own position and limit are the backend's");
        assertEquals(10, data.position(), "the queue does not move the caller's buffer (the path does)");
        assertEquals(MemorySegment.ofBuffer(m.memory()).address() + 32 + 10, queue.address(0));
        assertArrayEquals(range(42, 40), drain(7));
        assertEquals(1, m.retains);
        assertEquals(1, m.releases);
    }

    @Test
    void viewsOfOneMemoryAreReusedAndDistinctWhileQueuedTogether() {
        CountingMemory m = memory("m", 64, 0, 0);
        lend(m, m.delivered(10));
        ByteBuffer first = queue.buffer(0);
        lend(m, m.delivered(20));
        ByteBuffer second = queue.buffer(1);
        assertNotSame(first, second, "two entries of one memory need their own positions");
        assertArrayEquals(concat(range(0, 10), range(0, 20)), drain(64));
        lend(m, m.delivered(5));
        ByteBuffer again = queue.buffer(0);
        assertTrue(again == first || again == second, "a view made before is reused");
        assertEquals(1, lentViews.size(), "one memory, one view source");
        drain(64);
        assertEquals(3, m.releases);
    }

    @Test
    void aRegionEntryIsAReusedViewOfTheRegion() {
        MemoryRegion r = installRegion(2, 1000, 3);
        sendRegion(2, 100, 50);
        assertEquals(OutboundEntry.Kind.REGION, queue.kind(0));
        assertEquals(2, queue.regionSlot(0));
        assertEquals(r.address() + 100, queue.address(0));
        ByteBuffer view = queue.buffer(0);
        assertEquals(1, regions.inFlight(2));
        assertArrayEquals(range(103, 50), drain(16));
        assertEquals(0, regions.inFlight(2), "the reference was dropped");
        sendRegion(2, 900, 100);
        assertSame(view, queue.buffer(0), "the view is reused, not made per send");
        assertEquals(r.address() + 900, queue.address(0));
        assertArrayEquals(range(903, 100), drain(100));
    }

    @Test
    void aRegionBeyondTwoGigabytesIsSlicedPerSend() {
        MemorySegment real = arena.allocate(4096);
        for (int i = 0; i < 4096; i++) {
            real.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        // Only its first 4 KiB are ever read: the region's length is what makes it too large for a ByteBuffer.
        MemoryRegion huge = MemoryRegion.of(real.reinterpret(3L << 30));
        regions.install(1, huge);
        sendRegion(1, 1000, 24);
        assertEquals(huge.address() + 1000, queue.address(0));
        assertArrayEquals(range(1000, 24), drain(5));
        assertEquals(0, regions.inFlight(1));
    }

    @Test
    void copiedChunksKnowTheirAddress() {
        queue.appendCopy(ByteBuffer.wrap(range(0, 40))); // three 16-byte chunks
        assertEquals(3, queue.size());
        queue.consumed(5);
        assertAddressesMatchTheBuffers();
    }

    @Test
    void everyKindKeepsOrderWithTheOthersAndCopiesCoalesceOnlyWithCopies() {
        installRegion(0, 100, 50);
        CountingMemory m = memory("m", 64, 4, 200);
        queue.appendCopy(ByteBuffer.wrap(range(0, 3)));
        queue.appendOwned(direct(10, 5), recording("owned1"));
        queue.appendCopy(ByteBuffer.wrap(range(20, 3)));
        sendRegion(0, 10, 6); // bytes 60..65
        lend(m, m.delivered(8)); // bytes 204..211
        queue.appendCopy(ByteBuffer.wrap(range(30, 2)));
        queue.appendCopy(ByteBuffer.wrap(range(32, 2))); // coalesces with the previous copy
        queue.appendOwned(direct(40, 4), recording("owned2"));
        assertEquals(List.of(OutboundEntry.Kind.COPIED, OutboundEntry.Kind.OWNED, OutboundEntry.Kind.COPIED,
                OutboundEntry.Kind.REGION, OutboundEntry.Kind.LENT, OutboundEntry.Kind.COPIED, OutboundEntry.Kind.OWNED),
                kinds());
        assertAddressesMatchTheBuffers();
        byte[] expected = concat(range(0, 3), range(10, 5), range(20, 3), range(60, 6), range(204, 8), range(30, 4), range(40, 4));
        assertEquals(expected.length, queue.bytes());
        assertArrayEquals(expected, drain(3));
        assertEquals(List.of("owned1", "m", "owned2"), released);
    }

    @Test
    void whileRetainedFinishedEntriesAreHeldThenReleasedInOrder() {
        installRegion(0, 100, 0);
        CountingMemory m = memory("lent", 64, 0, 0);
        queue.appendOwned(direct(0, 10), recording("owned1"));
        lend(m, m.delivered(10));
        queue.appendCopy(ByteBuffer.wrap(range(0, 10)));
        sendRegion(0, 0, 10);
        queue.appendOwned(direct(0, 10), recording("owned2"));
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.completeWhenWritten(done);
        int pooled = pool.pooled();
        queue.retain();
        queue.consumed(50);
        assertTrue(queue.isEmpty());
        assertEquals(5, queue.heldCount());
        assertTrue(released.isEmpty(), "held: the kernel may still read them");
        assertEquals(0, m.releases);
        assertEquals(1, regions.inFlight(0));
        assertEquals(pooled, pool.pooled());
        assertFalse(done.isDone());
        queue.release();
        assertEquals(List.of("owned1", "lent", "owned2"), released);
        assertEquals(0, regions.inFlight(0));
        assertEquals(pooled + 1, pool.pooled());
        assertTrue(done.isDone());
        assertTrue(m.balanced());
    }

    @Test
    void discardReleasesOwnedAndLentExactlyOnceAlsoWhileRetained() {
        CountingMemory m = memory("lent", 64, 0, 0);
        ByteBuffer owned = direct(0, 10);
        List<ByteBuffer> given = new ArrayList<>();
        queue.appendOwned(owned, given::add);
        lend(m, m.delivered(10));
        queue.appendOwned(direct(0, 10), recording("owned2"));
        queue.consumed(4); // a partial write of the first
        queue.retain();
        queue.discard("closed");
        assertTrue(given.isEmpty() && released.isEmpty(), "held while retained");
        queue.release();
        assertEquals(List.of(owned), given);
        assertEquals(4, owned.position(), "released where the connection stopped reading");
        assertEquals(List.of("lent", "owned2"), released);
        queue.discard("again");
        assertEquals(1, given.size());
        assertEquals(List.of("lent", "owned2"), released);
        assertEquals(1, m.releases);
    }

    @Test
    void aThrowingBufferReleaseIsContainedAndLaterEntriesStillRelease() {
        queue.appendOwned(direct(0, 5), b -> {
            throw new IllegalStateException("application bug (expected by the test)");
        });
        queue.appendOwned(direct(0, 5), recording("second"));
        queue.consumed(10);
        assertEquals(List.of("second"), released);
        assertTrue(queue.isEmpty());
    }

    @Test
    void aReleaseCallbackThatClosesTheConnectionEndsTheWriteWithoutFailing() {
        // A BufferRelease that aborts the connection discards the queue while consumed() walks it.
        queue.appendOwned(direct(0, 5), b -> queue.discard("aborted by the release callback"));
        queue.appendOwned(direct(0, 5), recording("second"));
        queue.consumed(10);
        assertTrue(queue.isEmpty());
        assertEquals(0, queue.bytes());
        assertEquals(List.of("second"), released, "dropped at the discard, released once");
    }

    @Test
    void aLentViewThatDoesNotFitTheMemoryReturnsTheBorrow() {
        CountingMemory m = memory("m", 16, 8, 0);
        ByteBuffer tooLong = ByteBuffer.allocateDirect(20).asReadOnlyBuffer(); // not from m: a backend bug
        assertTrue(m.tryRetain());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> queue.appendLent(m, tooLong));
        assertEquals(1, m.releases);
        assertTrue(queue.isEmpty());
        assertEquals(0, queue.bytes());
    }

    @Test
    void steadyStateSendingOfEveryKindAllocatesNothing() {
        installRegion(0, 4096, 0);
        CountingMemory m = new CountingMemory("m", 4096, 16, 0, null); // not listing its releases: no allocation
        ByteBuffer owned = direct(0, 64);
        ByteBuffer copy = direct(0, 64);
        ByteBuffer delivered = m.delivered(64);
        BufferRelease ignore = b -> { };
        Runnable round = () -> {
            queue.appendCopy(copy.clear());
            queue.appendOwned(owned.clear(), ignore);
            sendRegion(0, 128, 64);
            lend(m, delivered.clear());
            long sum = 0;
            for (int i = 0; i < queue.size(); i++) {
                sum += queue.address(i) + queue.buffer(i).remaining() + queue.regionSlot(i);
            }
            if (sum == 42) {
                throw new AssertionError();
            }
            queue.consumed(queue.bytes());
        };
        for (int i = 0; i < 20_000; i++) {
            round.run();
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            round.run();
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 10_000, "appending, reading and consuming 4 entries 10,000 times allocated " + allocated + " B");
        assertTrue(m.balanced());
    }

    private List<OutboundEntry.Kind> kinds() {
        List<OutboundEntry.Kind> k = new ArrayList<>();
        for (int i = 0; i < queue.size(); i++) {
            k.add(queue.kind(i));
        }
        return k;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
