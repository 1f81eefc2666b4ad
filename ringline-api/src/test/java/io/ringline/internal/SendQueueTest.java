package io.ringline.internal;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SendQueueTest {

    private final BufferPool pool = new BufferPool(16, 4);
    private final RegionTable regions = new RegionTable(0);
    private final SendQueue queue = new SendQueue(pool);

    private static ByteBuffer bytes(int from, int n) {
        ByteBuffer b = ByteBuffer.allocate(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) (from + i));
        }
        return b.flip();
    }

    private byte[] drain() {
        ByteBuffer[] out = new ByteBuffer[8];
        ByteBuffer all = ByteBuffer.allocate((int) queue.bytes());
        while (!queue.isEmpty()) {
            int k = queue.gather(out);
            long n = 0;
            for (int i = 0; i < k; i++) {
                all.put(out[i].duplicate());
                n += out[i].remaining();
            }
            queue.consumed(n, e -> queue.finish(e, regions));
        }
        return all.array();
    }

    @Test
    void coalescesSmallSendsIntoChunksInOrder() {
        for (int i = 0; i < 10; i++) {
            queue.appendCopy(bytes(i * 5, 5));
        }
        assertEquals(50, queue.bytes());
        assertEquals(4, queue.entryCount(), "50 bytes in 16-byte chunks");
        byte[] all = drain();
        for (int i = 0; i < 50; i++) {
            assertEquals((byte) i, all[i]);
        }
        assertEquals(0, queue.bytes());
    }

    @Test
    void partialConsumptionKeepsTheRest() {
        queue.appendCopy(bytes(0, 40));
        queue.consumed(20, e -> queue.finish(e, regions));
        assertEquals(20, queue.bytes());
        assertEquals((byte) 20, queue.peek().buffer().get(queue.peek().buffer().position()));
        assertThrows(IllegalStateException.class, () -> queue.consumed(21, e -> { }));
    }

    @Test
    void completionFiresOnlyWhenItsBytesWereWritten() {
        queue.appendCopy(bytes(0, 10));
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.completeWhenWritten(done);
        queue.appendCopy(bytes(10, 4)); // goes to a new chunk: the tail was sealed
        queue.consumed(9, e -> queue.finish(e, regions));
        assertFalse(done.isDone());
        queue.consumed(1, e -> queue.finish(e, regions));
        assertTrue(done.isDone());
        assertEquals(4, queue.bytes());
    }

    @Test
    void discardFailsPendingCompletions() {
        queue.appendCopy(bytes(0, 10));
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.completeWhenWritten(done);
        List<OutboundEntry> finished = new ArrayList<>();
        queue.discard(regions, finished::add, "closed");
        assertTrue(done.isCompletedExceptionally());
        assertEquals(1, finished.size());
        assertEquals(0, queue.bytes());
        assertTrue(queue.isEmpty());
    }
}
