package io.ringline.internal;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InboundBufferTest {

    private static final int UNBOUNDED = 1 << 30;

    /** {@code n} bytes counting up from {@code from} (mod 256), read-only and direct like a backend's receive buffer. */
    private static ByteBuffer bytes(int from, int n) {
        ByteBuffer b = ByteBuffer.allocateDirect(n);
        for (int i = 0; i < n; i++) {
            b.put(i, (byte) (from + i));
        }
        return b.asReadOnlyBuffer();
    }

    /** Asserts the kept bytes count up from {@code from}, {@code n} of them. */
    private static void assertKept(InboundBuffer buf, int from, int n) {
        assertEquals(n, buf.readableBytes());
        ByteBuffer view = buf.readable();
        assertEquals(n, view.remaining());
        for (int i = 0; i < n; i++) {
            assertEquals((byte) (from + i), view.get(view.position() + i), "kept byte " + i);
        }
    }

    @Test
    void emptyingResetsBothIndexesAndKeepsASmallStorage() {
        InboundBuffer buf = new InboundBuffer(64 * 1024, new InboundSpare());
        buf.append(bytes(0, 100), UNBOUNDED);
        buf.skip(40);
        assertEquals(40, buf.readIndex());
        buf.skip(60);
        assertTrue(buf.isEmpty());
        assertEquals(0, buf.readIndex());
        assertEquals(InboundBuffer.MIN_CAPACITY, buf.capacity(), "a small storage is kept for the next partial message");
        buf.append(bytes(7, 10), UNBOUNDED);
        assertEquals(0, buf.readIndex());
        assertKept(buf, 7, 10);
        assertEquals(0, buf.compactedBytes() + buf.regrownBytes());
    }

    @Test
    void aStorageAboveTheRetainedCapacityGoesToTheWorkersSpareWhenEmptied() {
        InboundSpare spare = new InboundSpare();
        InboundBuffer buf = new InboundBuffer(4096, spare);
        buf.append(bytes(0, 5000), UNBOUNDED);
        assertEquals(5000, buf.capacity());
        buf.skip(4999);
        assertEquals(5000, buf.capacity(), "kept while not empty");
        assertEquals(0, spare.capacity());
        buf.skip(1);
        assertEquals(0, buf.capacity(), "an idle connection does not pin a large buffer");
        assertEquals(5000, spare.capacity(), "the worker keeps it for the next large frame");
        buf.append(bytes(3, 10), UNBOUNDED);
        assertEquals(InboundBuffer.MIN_CAPACITY, buf.capacity(), "small input does not take the spare");
        assertEquals(5000, spare.capacity());
        assertKept(buf, 3, 10);
    }

    @Test
    void growthBeyondTheRetainedCapacityTakesTheSpareWhenLargeEnough() {
        InboundSpare spare = new InboundSpare();
        InboundBuffer first = new InboundBuffer(4096, spare);
        first.append(bytes(0, 20_000), UNBOUNDED);
        first.skip(20_000);
        assertEquals(20_000, spare.capacity());

        InboundBuffer other = new InboundBuffer(4096, spare);
        other.append(bytes(0, 4096), UNBOUNDED);
        other.append(bytes(4096, 1), UNBOUNDED);
        assertEquals(20_000, other.capacity(), "the spare replaces an 8 KiB allocation");
        assertEquals(0, spare.capacity(), "taken, not shared");
        assertKept(other, 0, 4097);
        other.append(bytes(4097, 30_000), UNBOUNDED);
        assertEquals(40_000, other.capacity(), "no spare left: allocated");
        assertKept(other, 0, 34_097);
    }

    @Test
    void aSpareTooSmallForTheGrowthIsNotTaken() {
        InboundSpare spare = new InboundSpare();
        InboundBuffer first = new InboundBuffer(4096, spare);
        first.append(bytes(0, 5000), UNBOUNDED);
        first.release();
        assertEquals(5000, spare.capacity());
        InboundBuffer other = new InboundBuffer(4096, spare);
        other.append(bytes(0, 4096), UNBOUNDED);
        other.append(bytes(0, 2000), UNBOUNDED);
        assertEquals(8192, other.capacity(), "at least doubles: a 5000-byte spare does not do");
        assertEquals(5000, spare.capacity());
    }

    @Test
    void theSpareHoldsOneBufferAndKeepsTheLarger() {
        InboundSpare spare = new InboundSpare();
        spare.offer(ByteBuffer.allocateDirect(8000));
        spare.offer(ByteBuffer.allocateDirect(5000));
        assertEquals(8000, spare.capacity());
        spare.offer(ByteBuffer.allocateDirect(9000));
        assertEquals(9000, spare.capacity());
        assertNull(spare.take(9001));
        assertEquals(9000, spare.take(100).capacity());
        assertNull(spare.take(100));
    }

    @Test
    void releaseDropsTheKeptBytesAndKeepsSmallStorageOutOfTheSpare() {
        InboundSpare spare = new InboundSpare();
        InboundBuffer buf = new InboundBuffer(4096, spare);
        buf.append(bytes(0, 100), UNBOUNDED);
        buf.release();
        assertTrue(buf.isEmpty());
        assertEquals(0, buf.capacity());
        assertEquals(0, spare.capacity(), "only storage beyond the retained capacity is worth caching");
    }

    @Test
    void growthDoublesTheCapacityAndKeepsTheBytes() {
        InboundBuffer buf = new InboundBuffer(64 * 1024, new InboundSpare());
        buf.append(bytes(0, 1024), UNBOUNDED);
        assertEquals(1024, buf.capacity());
        buf.append(bytes(1024, 1), UNBOUNDED);
        assertEquals(2048, buf.capacity());
        assertEquals(1024, buf.regrownBytes());
        buf.append(bytes(1025, 5000), UNBOUNDED);
        assertEquals(6025, buf.capacity(), "grows to what is needed when that is more than double");
        assertKept(buf, 0, 6025);
        assertEquals(6025, buf.appendedBytes());
        assertEquals(0, buf.compactedBytes());
    }

    @Test
    void growthStopsAtTheMaximumCapacity() {
        InboundBuffer buf = new InboundBuffer(64 * 1024, new InboundSpare());
        buf.append(bytes(0, 1024), 1500);
        buf.append(bytes(1024, 400), 1500);
        assertEquals(1500, buf.capacity());
        assertKept(buf, 0, 1424);
    }

    @Test
    void compactsWhenShortOfSpaceAndTheReadIndexPassedHalf() {
        InboundBuffer buf = new InboundBuffer(64 * 1024, new InboundSpare());
        buf.append(bytes(0, 1024), UNBOUNDED);
        buf.skip(600);
        buf.append(bytes(1024, 500), UNBOUNDED);
        assertEquals(1024, buf.capacity(), "room made by moving, not by growing");
        assertEquals(424, buf.compactedBytes());
        assertEquals(0, buf.regrownBytes());
        assertEquals(0, buf.readIndex());
        assertKept(buf, 600, 924);
    }

    @Test
    void appendsBehindTheWriteIndexWithoutMovingWhileThereIsSpace() {
        InboundBuffer buf = new InboundBuffer(64 * 1024, new InboundSpare());
        buf.append(bytes(0, 100), UNBOUNDED);
        buf.skip(90);
        buf.append(bytes(100, 500), UNBOUNDED);
        assertEquals(90, buf.readIndex(), "no compaction while the append fits");
        assertEquals(0, buf.compactedBytes());
        assertKept(buf, 90, 510);
    }

    @Test
    void growsInsteadOfCompactingWhenLittleWasConsumed() {
        InboundBuffer buf = new InboundBuffer(64 * 1024, new InboundSpare());
        buf.append(bytes(0, 1024), UNBOUNDED);
        buf.skip(100);
        buf.append(bytes(1024, 50), UNBOUNDED);
        assertEquals(2048, buf.capacity());
        assertEquals(0, buf.compactedBytes());
        assertEquals(924, buf.regrownBytes());
        assertKept(buf, 100, 974);
    }

    @Test
    void aBufferAtTheMaximumCapacityCompactsEvenWhenLittleWasConsumed() {
        InboundBuffer buf = new InboundBuffer(64 * 1024, new InboundSpare());
        buf.append(bytes(0, 1024), 1024);
        buf.skip(10);
        buf.append(bytes(1024, 10), 1024);
        assertEquals(1024, buf.capacity());
        assertEquals(1014, buf.compactedBytes());
        assertKept(buf, 10, 1024);
    }

    @Test
    void appendBeyondTheMaximumThrowsNamingTheSizes() {
        InboundBuffer buf = new InboundBuffer(64 * 1024, new InboundSpare());
        buf.append(bytes(0, 1000), 2000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> buf.append(bytes(0, 1001), 2000));
        assertTrue(e.getMessage().contains("1001") && e.getMessage().contains("2000"), e.getMessage());
        assertKept(buf, 0, 1000);
    }

    @Test
    void skippingMoreThanIsKeptThrows() {
        InboundBuffer buf = new InboundBuffer(64 * 1024, new InboundSpare());
        buf.append(bytes(0, 10), UNBOUNDED);
        assertThrows(IllegalArgumentException.class, () -> buf.skip(11));
        assertThrows(IllegalArgumentException.class, () -> buf.skip(-1));
    }

    @Test
    void appendLeavesTheSourcePositionAndTheViewIsDirectAndReadOnly() {
        InboundBuffer buf = new InboundBuffer(64 * 1024, new InboundSpare());
        ByteBuffer src = bytes(0, 30).position(10);
        buf.append(src, UNBOUNDED);
        assertEquals(10, src.position());
        assertKept(buf, 10, 20);
        assertTrue(buf.readable().isDirect());
        assertTrue(buf.readable().isReadOnly());
    }

    @Test
    void retainedCapacityIsTwoReceiveBuffersOrAtLeast64KiB() {
        assertEquals(64 * 1024, InboundBuffer.retainedCapacity(Config.builder().build()));
        assertEquals(2 << 20, InboundBuffer.retainedCapacity(Config.builder().recvBufferSize(1 << 20).build()));
    }

    /** Through the connection: unconsumed input beyond Config.inboundLimit closes it (the reason and message are checked end to end by ReadPauseTest). */
    @Test
    void connectionKeepingMoreThanTheInboundLimitIsClosed() {
        Handler needMore = (Connection c, ByteBuffer data) -> 0;
        SocketlessConnection c = new SocketlessConnection(Worker.detached(Config.builder().workers(1).inboundLimit(4096).build(), needMore));
        c.core.received(bytes(0, 3000));
        assertTrue(c.core.isOpen());
        assertEquals(3000, c.core.inboundBuffer().readableBytes());
        c.core.received(bytes(0, 1096));
        assertTrue(c.core.isOpen(), "exactly the limit is kept");
        c.core.received(bytes(0, 1));
        assertTrue(c.core.isClosed());
        assertEquals(1, c.closes);
        assertNull(c.core.inboundBuffer(), "the kept bytes are dropped on close");
    }

    /** A handler failing while kept bytes are presented closes the connection, which then drops them. */
    @Test
    void handlerFailingWhileKeptBytesArePresentedClosesTheConnection() {
        int[] calls = {0};
        Handler failing = (Connection c, ByteBuffer data) -> {
            if (++calls[0] == 2) {
                throw new IllegalStateException("parser failed");
            }
            return 0;
        };
        SocketlessConnection c = new SocketlessConnection(Worker.detached(Config.builder().workers(1).build(), failing));
        c.core.received(bytes(0, 10));
        c.core.received(bytes(10, 10));
        assertEquals(2, calls[0]);
        assertTrue(c.core.isClosed());
        assertNull(c.core.inboundBuffer());
        c.core.received(bytes(20, 10));
        assertEquals(2, calls[0], "input after the close is discarded");
    }
}
