package io.ringline.internal;

import io.ringline.BufferRelease;
import io.ringline.CloseReason;
import io.ringline.Config;
import io.ringline.SendQueueFullException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sendReceived} and {@code sendOwned} through a connection's send path (on a detached
 * worker, no socket): when received memory is lent and when it is copied, the statistics, the
 * queue limit, and the release of owned buffers and lent memory.
 */
class PassThroughSendTest {

    private static final int LIMIT = 1000;

    private final Worker worker = Worker.detached(Config.builder().workers(1).sendQueueLimit(LIMIT).build(), (c, d) -> d.remaining());
    private final SocketlessConnection connection = new SocketlessConnection(worker);
    private final ConnectionImpl c = connection.core;
    private final SendQueue queue = (SendQueue) c.outbound();
    private final List<String> released = new ArrayList<>();

    /** Runs {@code send} as if inside an {@code onData} call shown {@code shown}, from {@code memory}. */
    private void duringDelivery(ByteBuffer shown, CountingMemory memory, Runnable send) {
        worker.delivery().begin(shown, memory);
        try {
            send.run();
        } finally {
            worker.delivery().end();
        }
    }

    private long passThrough() {
        return worker.stats().passThroughSends();
    }

    private long copied() {
        return worker.stats().copiedSends();
    }

    @Test
    void theBufferBeingShownIsSentFromTheLentMemory() {
        CountingMemory m = new CountingMemory("m", 512, 100, 0, released);
        ByteBuffer shown = m.delivered(200);
        duringDelivery(shown, m, () -> c.sendReceived(shown));
        assertEquals(OutboundEntry.Kind.LENT, queue.kind(0));
        assertEquals(200, shown.position(), "the position advanced to the limit");
        assertEquals(1, m.retains);
        assertEquals(1, passThrough());
        assertEquals(0, copied());
        ByteBuffer sent = queue.buffer(0);
        assertEquals((byte) 100, sent.get(sent.position()), "the bytes at the memory's offset");
        c.written(150);
        assertEquals(0, m.releases, "held until written whole");
        c.written(50);
        assertEquals(List.of("m"), released);
        assertTrue(m.balanced());
    }

    @Test
    void partsOfTheShownBufferAreLentInOrder() {
        CountingMemory m = new CountingMemory("m", 512, 0, 0, released);
        ByteBuffer shown = m.delivered(300);
        duringDelivery(shown, m, () -> {
            shown.limit(100);
            c.sendReceived(shown);
            c.send(ByteBuffer.wrap(new byte[] {-1}));
            shown.limit(300);
            c.sendReceived(shown);
        });
        assertEquals(List.of(OutboundEntry.Kind.LENT, OutboundEntry.Kind.COPIED, OutboundEntry.Kind.LENT),
                List.of(queue.kind(0), queue.kind(1), queue.kind(2)));
        assertEquals(0, queue.buffer(0).position(), "first part from index 0");
        assertEquals(100, queue.buffer(2).position(), "second part from index 100");
        assertEquals(301, queue.bytes());
        assertEquals(2, m.retains);
        c.written(301);
        assertTrue(m.balanced());
    }

    @Test
    void withoutALoanTheBytesAreCopied() {
        CountingMemory m = new CountingMemory("m", 64, 0, 0, released);
        m.lends = false; // the backend's lending budget is used up
        ByteBuffer shown = m.delivered(10);
        duringDelivery(shown, m, () -> c.sendReceived(shown));
        assertEquals(OutboundEntry.Kind.COPIED, queue.kind(0));
        assertEquals(10, shown.position());
        assertEquals(0, m.retains);
        assertEquals(1, copied());
        assertEquals(0, passThrough());
    }

    @Test
    void aBufferOtherThanTheOneShownIsCopied() {
        CountingMemory m = new CountingMemory("m", 64, 0, 0, released);
        ByteBuffer shown = m.delivered(10);
        ByteBuffer other = shown.duplicate(); // same memory, but not the very buffer shown
        duringDelivery(shown, m, () -> c.sendReceived(other));
        c.sendReceived(shown.duplicate().position(0)); // no onData call at all
        assertEquals(OutboundEntry.Kind.COPIED, queue.kind(0));
        assertEquals(1, queue.size(), "both copies coalesced into one chunk");
        assertEquals(0, m.retains);
        assertEquals(2, copied());
        assertEquals(10, other.position());
    }

    @Test
    void lentMemoryIsReturnedWhenTheConnectionCloses() {
        CountingMemory m = new CountingMemory("m", 64, 0, 0, released);
        ByteBuffer shown = m.delivered(40);
        duringDelivery(shown, m, () -> c.sendReceived(shown));
        c.written(10);
        c.failed(CloseReason.RESET, new java.io.IOException("reset (expected by the test)"));
        assertEquals(List.of("m"), released);
        assertTrue(m.balanced());
    }

    @Test
    void aFullQueueRefusesASendReceivedWithoutBorrowing() {
        c.send(ByteBuffer.allocate(900));
        CountingMemory m = new CountingMemory("m", 512, 0, 0, released);
        ByteBuffer shown = m.delivered(200);
        duringDelivery(shown, m, () -> {
            assertFalse(c.trySendReceived(shown));
            assertThrows(SendQueueFullException.class, () -> c.sendReceived(shown));
        });
        assertEquals(0, shown.position(), "nothing queued: the position did not move");
        assertEquals(0, m.retains);
        assertFalse(c.isWritable(), "the refused sender is told onWritable later");
        assertEquals(900, queue.bytes());
    }

    @Test
    void anOwnedBufferIsQueuedAsItIsAndReleasedOnceWritten() {
        ByteBuffer data = ByteBuffer.allocateDirect(300);
        List<ByteBuffer> given = new ArrayList<>();
        c.sendOwned(data, given::add);
        assertSame(data, queue.buffer(0));
        assertEquals(1, passThrough());
        assertEquals(0, copied());
        c.written(299);
        assertTrue(given.isEmpty());
        c.written(1);
        assertEquals(List.of(data), given);
    }

    @Test
    void anEmptyOwnedBufferIsReleasedAtOnce() {
        List<ByteBuffer> given = new ArrayList<>();
        ByteBuffer empty = ByteBuffer.allocateDirect(8).limit(0);
        assertTrue(c.trySendOwned(empty, given::add));
        assertEquals(List.of(empty), given);
        assertTrue(queue.isEmpty());
    }

    @Test
    void aHeapBufferIsRefusedNamingIt() {
        BufferRelease never = b -> released.add("released");
        ByteBuffer heap = ByteBuffer.allocate(10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.sendOwned(heap, never));
        assertTrue(e.getMessage().contains("direct") && e.getMessage().contains(heap.toString()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.trySendOwned(heap, never));
        assertTrue(released.isEmpty());
        assertTrue(queue.isEmpty());
    }

    @Test
    void aFullQueueRefusesAnOwnedBufferWithoutReleasingIt() {
        BufferRelease never = b -> released.add("released");
        c.send(ByteBuffer.allocate(900));
        ByteBuffer data = ByteBuffer.allocateDirect(200);
        assertFalse(c.trySendOwned(data, never));
        SendQueueFullException full = assertThrows(SendQueueFullException.class, () -> c.sendOwned(data, never));
        assertTrue(full.getMessage().contains(String.valueOf(LIMIT)), full.getMessage());
        IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
                () -> c.sendOwned(ByteBuffer.allocateDirect(LIMIT + 1), never));
        assertTrue(tooLarge.getMessage().contains("limit of " + LIMIT), tooLarge.getMessage());
        assertEquals(0, data.position());
        assertEquals(900, queue.bytes());
        c.written(900);
        assertTrue(released.isEmpty(), "a refused buffer is never released: the caller still owns it");
        assertEquals(0, passThrough());
    }

    @Test
    void ownedBuffersAreReleasedWhenTheConnectionCloses() {
        ByteBuffer a = ByteBuffer.allocateDirect(100);
        ByteBuffer b = ByteBuffer.allocateDirect(100);
        List<ByteBuffer> given = new ArrayList<>();
        c.sendOwned(a, given::add);
        c.sendOwned(b, given::add);
        c.written(30);
        c.abort();
        assertEquals(List.of(a, b), given, "each once, in order");
        assertEquals(30, a.position(), "where the connection stopped reading");
        assertEquals(0, b.position());
    }
}
