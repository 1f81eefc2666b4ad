package io.ringline.internal;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SendQueueTest {

    private final BufferPool pool = new BufferPool(16, 4);
    private final RegionTable regions = new RegionTable(0);
    private final SendQueue queue = new SendQueue(pool, regions, new LentViews(16));

    private static ByteBuffer bytes(int from, int n) {
        ByteBuffer b = ByteBuffer.allocate(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) (from + i));
        }
        return b.flip();
    }

    private byte[] drain() {
        ByteBuffer all = ByteBuffer.allocate((int) queue.bytes());
        while (!queue.isEmpty()) {
            int k = Math.min(8, queue.size());
            long n = 0;
            for (int i = 0; i < k; i++) {
                all.put(queue.buffer(i).duplicate());
                n += queue.buffer(i).remaining();
            }
            queue.consumed(n);
        }
        return all.array();
    }

    @Test
    void coalescesSmallSendsIntoChunksInOrder() {
        for (int i = 0; i < 10; i++) {
            queue.appendCopy(bytes(i * 5, 5));
        }
        assertEquals(50, queue.bytes());
        assertEquals(4, queue.size(), "50 bytes in 16-byte chunks");
        byte[] all = drain();
        for (int i = 0; i < 50; i++) {
            assertEquals((byte) i, all[i]);
        }
        assertEquals(0, queue.bytes());
    }

    @Test
    void partialConsumptionKeepsTheRest() {
        queue.appendCopy(bytes(0, 40));
        queue.consumed(20);
        assertEquals(20, queue.bytes());
        assertEquals((byte) 20, queue.buffer(0).get(queue.buffer(0).position()));
        assertThrows(IllegalStateException.class, () -> queue.consumed(21));
    }

    @Test
    void completionFiresOnlyWhenItsBytesWereWritten() {
        queue.appendCopy(bytes(0, 10));
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.completeWhenWritten(done);
        queue.appendCopy(bytes(10, 4)); // goes to a new chunk: the tail was sealed
        queue.consumed(9);
        assertFalse(done.isDone());
        queue.consumed(1);
        assertTrue(done.isDone());
        assertEquals(4, queue.bytes());
    }

    @Test
    void discardFailsPendingCompletions() {
        queue.appendCopy(bytes(0, 10));
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.completeWhenWritten(done);
        queue.discard("closed");
        assertTrue(done.isCompletedExceptionally());
        assertEquals(0, queue.bytes());
        assertTrue(queue.isEmpty());
        assertEquals(1, pool.pooled(), "the chunk went back to the pool");
    }

    @Test
    void indexAccessWrapsAroundTheRingAndGrowsInOrder() {
        // 16-byte chunks: consume some entries so that the head moves, then grow past the ring's capacity.
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 3; i++) {
                queue.appendCopy(bytes(0, 16));
            }
            queue.consumed(32);
        }
        assertEquals(5, queue.size());
        for (int i = 0; i < 20; i++) {
            queue.appendCopy(bytes(i, 16));
        }
        assertEquals(25, queue.size());
        for (int i = 0; i < 20; i++) {
            ByteBuffer b = queue.buffer(5 + i);
            assertEquals((byte) i, b.get(b.position()), "entry " + (5 + i));
            assertEquals(-1, queue.regionSlot(5 + i));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> queue.buffer(25));
        assertThrows(IndexOutOfBoundsException.class, () -> queue.regionSlot(-1));
    }

    @Test
    void retainedEntriesAreHeldUntilTheLastRelease() {
        queue.appendCopy(bytes(0, 10));
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.completeWhenWritten(done);
        int pooledBefore = pool.pooled();
        queue.retain();
        queue.retain();
        queue.consumed(10);
        assertTrue(queue.isEmpty());
        assertFalse(done.isDone(), "a retained entry's future waits for the release");
        assertEquals(pooledBefore, pool.pooled(), "its chunk is not back in the pool yet");
        queue.release();
        assertFalse(done.isDone(), "one retain is still outstanding");
        queue.release();
        assertTrue(done.isDone());
        assertEquals(pooledBefore + 1, pool.pooled());
        assertEquals(0, queue.heldCount());
        assertThrows(IllegalStateException.class, queue::release, "a release without a retain");
    }

    @Test
    void entriesDiscardedWhileRetainedFailTheirFuturesAtOnceButKeepTheirMemory() {
        queue.appendCopy(bytes(0, 10));
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.completeWhenWritten(done);
        int pooledBefore = pool.pooled();
        queue.retain();
        queue.discard("closed");
        assertTrue(done.isCompletedExceptionally());
        assertEquals(pooledBefore, pool.pooled(), "the kernel may still read the chunk");
        queue.release();
        assertEquals(pooledBefore + 1, pool.pooled());
    }
}
