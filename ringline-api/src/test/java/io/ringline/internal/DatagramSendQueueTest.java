package io.ringline.internal;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The UDP send queue's ring: order, growth with held entries, addresses, and chunk recycling. */
class DatagramSendQueueTest {

    private final DatagramChunks chunks = new DatagramChunks(64);
    private final DatagramSendQueue q = new DatagramSendQueue(chunks, new RegionTable(1));

    private static InetSocketAddress target(int i) {
        return new InetSocketAddress("127.0.0.1", 1000 + i);
    }

    private void append(int i, int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        for (int k = 0; k < size; k++) {
            b.put(k, (byte) (i + k));
        }
        q.appendCopy(target(i), b, 0, size, 0, 1);
    }

    private void assertEntry(int index, int i, int size) {
        assertEquals(target(i), q.target(index));
        ByteBuffer b = q.buffer(index);
        assertEquals(size, b.remaining());
        assertTrue(b.isDirect());
        assertEquals(size, q.length(index));
        for (int k = 0; k < size; k++) {
            assertEquals((byte) (i + k), b.get(b.position() + k));
        }
        if (size > 0) {
            long address = q.address(index);
            assertEquals((byte) i, MemorySegment.ofAddress(address).reinterpret(1).get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0),
                    "address(i) points at the entry's first byte");
        }
        assertEquals(-1, q.regionSlot(index));
        assertEquals(1, q.datagrams(index));
        assertEquals(0, q.segmentSize(index));
    }

    @Test
    void entriesKeepTheirOrderAndBytesWhileTheRingGrowsWithHeldEntries() {
        int size = 5_000; // 13 per chunk
        for (int i = 0; i < 100; i++) {
            append(i, size);
        }
        q.retain();
        for (int i = 0; i < 50; i++) {
            q.finishHead();
        }
        assertEquals(50, q.heldCount());
        for (int i = 100; i < 300; i++) {
            append(i, size); // grows past 128 entries with 50 held before the head
        }
        assertEquals(250, q.size());
        assertEquals(250L * size, q.bytes());
        for (int index = 0; index < 250; index++) {
            assertEntry(index, 50 + index, size);
        }
        assertEquals(0, chunks.pooled(), "held entries keep their chunks");
        q.release();
        assertEquals(0, q.heldCount());
        assertEquals(3, chunks.pooled(), "the chunks of the 50 released entries (13 per chunk: 3 whole ones)");
        assertEquals(250L * size, q.bytes());
        while (!q.isEmpty()) {
            q.finishHead();
        }
        assertEquals(300 / 13, chunks.pooled(), "every chunk but the write chunk is back");
        q.releaseWriteChunk();
        assertEquals(300 / 13 + 1, chunks.pooled());
        assertThrows(IllegalStateException.class, q::finishHead);
        assertThrows(IndexOutOfBoundsException.class, () -> q.buffer(0));
    }

    @Test
    void aChunkNothingUsesIsWrittenAgainFromTheStart() {
        append(1, 40_000);
        q.finishHead();
        append(2, 40_000); // does not fit behind the first, whose chunk is free again: reused
        assertEquals(0, chunks.pooled());
        assertEntry(0, 2, 40_000);
        q.finishHead();
        append(3, 0);
        assertEntry(0, 3, 0);
    }

    @Test
    void discardAllCountsTheDatagramsOfEveryEntry() {
        ByteBuffer data = ByteBuffer.allocate(300);
        q.appendCopy(null, data, 0, 300, 100, 3);
        q.appendCopy(null, data, 0, 50, 0, 1);
        assertEquals(3, q.datagrams(0));
        assertEquals(100, q.segmentSize(0));
        assertEquals(4, q.discardAll());
        assertTrue(q.isEmpty());
        assertEquals(0, q.bytes());
    }
}
