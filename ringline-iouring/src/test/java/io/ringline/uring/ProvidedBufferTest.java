package io.ringline.uring;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lending of provided receive buffers ({@link ProvidedBuffer}, {@link BufferRing}) on a real, registered ring. */
class ProvidedBufferTest {

    private static final int SIZE = 1024;

    private Arena arena;
    private NettyRing netty;
    private BufferRing ring;

    @BeforeEach
    void open() throws Exception {
        UringTestSupport.requireIoUring();
        arena = Arena.ofConfined();
        netty = new NettyRing(8, Runnable::run);
        ring = new BufferRing(arena, netty.fd(), (short) 7, 4, SIZE, 1);
    }

    @AfterEach
    void close() {
        if (ring != null) {
            ring.unregister();
        }
        if (netty != null) {
            netty.close();
        }
        if (arena != null) {
            arena.close();
        }
    }

    @Test
    void aDeliveryNotBorrowedGoesBackToTheRingWhenItIsOver() {
        ProvidedBuffer b = ring.deliver(2);
        assertEquals(1, ring.buffersOut());
        b.deliveryOver();
        assertEquals(0, ring.buffersOut());
        assertFalse(b.isHeld());
    }

    @Test
    void aBorrowedBufferStaysOutOfTheRingUntilTheLastReleaseAfterItsDelivery() {
        ProvidedBuffer b = ring.deliver(1);
        assertTrue(b.tryRetain());
        assertTrue(b.tryRetain(), "a second borrow of the same delivery needs no more budget");
        b.deliveryOver();
        assertEquals(1, ring.buffersOut(), "lent: not back in the ring");
        assertEquals(1, ring.lent());
        b.release();
        assertEquals(1, ring.buffersOut());
        b.release();
        assertEquals(0, ring.buffersOut());
        assertEquals(0, ring.lent());
    }

    @Test
    void releasedDuringItsDeliveryTheBufferReturnsWhenTheDeliveryEnds() {
        ProvidedBuffer b = ring.deliver(0);
        assertTrue(b.tryRetain());
        b.release();
        assertEquals(1, ring.buffersOut(), "still being delivered");
        b.deliveryOver();
        assertEquals(0, ring.buffersOut());
    }

    @Test
    void beyondTheLendingBudgetTheCoreMustCopy() {
        assertEquals(1, ring.lendBudget());
        ProvidedBuffer a = ring.deliver(0);
        assertTrue(a.tryRetain());
        a.deliveryOver();
        ProvidedBuffer b = ring.deliver(1);
        assertFalse(b.tryRetain(), "budget of 1 used up by buffer 0");
        b.deliveryOver();
        assertEquals(1, ring.buffersOut(), "b went back at once");
        a.release();
        ProvidedBuffer c = ring.deliver(1);
        assertTrue(c.tryRetain(), "budget free again");
        c.release();
        c.deliveryOver();
        assertEquals(0, ring.buffersOut());
    }

    @Test
    void misuseIsRefusedWithTheBufferNamed() {
        ProvidedBuffer b = ring.buffer(3);
        assertTrue(assertThrows(IllegalStateException.class, b::release).getMessage().contains("buffer 3"));
        assertTrue(assertThrows(IllegalStateException.class, b::tryRetain).getMessage().contains("buffer 3"));
        ring.deliver(3);
        assertThrows(IllegalStateException.class, () -> ring.deliver(3), "completed twice while held");
    }

    @Test
    void memoryIsOneReadOnlyDirectBufferOverEveryBufferAndViewsAreReadOnly() {
        ProvidedBuffer b = ring.deliver(3);
        ByteBuffer memory = b.memory();
        assertTrue(memory.isReadOnly());
        assertTrue(memory.isDirect());
        assertEquals(4 * SIZE, memory.capacity());
        assertSame(memory, ring.buffer(0).memory());
        assertEquals(3 * SIZE, b.offset());
        ByteBuffer view = ring.received(3, 100);
        assertTrue(view.isReadOnly());
        assertTrue(view.isDirect());
        assertEquals(100, view.remaining());
        assertSame(view, ring.received(3, 10), "one view per buffer, reused");
        b.deliveryOver();
    }

    @Test
    void theLendingBudgetIsValidatedAgainstTheBufferCount() {
        assertEquals(8, BufferRing.lendBudget(-1, 16));
        assertEquals(4, BufferRing.lendBudget(-1, 5), "5 buffers round up to 8");
        assertEquals(0, BufferRing.lendBudget(0, 16));
        assertEquals(15, BufferRing.lendBudget(15, 16));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BufferRing.lendBudget(16, 16));
        assertTrue(e.getMessage().contains("io_uring.lendBudget") && e.getMessage().contains("16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BufferRing.lendBudget(-2, 16));
    }

    @Test
    void releasesAfterTheRingIsUnregisteredAreIgnored() {
        ProvidedBuffer b = ring.deliver(0);
        assertTrue(b.tryRetain());
        b.deliveryOver();
        ring.unregister();
        b.release(); // must not write to a ring the kernel no longer knows
        assertEquals(0, ring.lent());
    }
}
