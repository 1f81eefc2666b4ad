package io.ringline.internal;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.spi.ReceivedMemory;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ConnectionImpl#received(ByteBuffer, ReceivedMemory)} on a socketless connection: what it
 * accepts, what the handler is shown, and what {@link CurrentDelivery} offers for lending during
 * each call.
 */
class ReceivedDeliveryTest {

    /** A backend's lendable memory; never retained here. */
    static final class Memory implements ReceivedMemory {
        final ByteBuffer memory = ByteBuffer.allocateDirect(64);

        @Override
        public ByteBuffer memory() {
            return memory;
        }

        @Override
        public int offset() {
            return 0;
        }

        @Override
        public boolean tryRetain() {
            return false;
        }

        @Override
        public void release() {
            throw new IllegalStateException("not retained");
        }
    }

    /** Consumes {@code consume} bytes per call, recording what it was shown and what was lendable. */
    static final class Recording implements Handler {
        Worker worker;
        int consume;
        final List<ByteBuffer> shown = new ArrayList<>();
        final List<Integer> positions = new ArrayList<>();
        final List<ReceivedMemory> lendable = new ArrayList<>();

        @Override
        public int onData(Connection c, ByteBuffer data) {
            shown.add(data);
            positions.add(data.position());
            lendable.add(worker.delivery().lendable(data));
            int n = Math.min(consume, data.remaining());
            data.position(data.limit()).limit(data.position()).order(ByteOrder.LITTLE_ENDIAN); // meddle
            return n;
        }
    }

    private static ByteBuffer readOnly(int... bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
        for (int x : bytes) {
            b.put((byte) x);
        }
        return b.flip().asReadOnlyBuffer();
    }

    private static SocketlessConnection connection(Recording handler) {
        Worker worker = Worker.detached(Config.builder().workers(1).build(), handler);
        handler.worker = worker;
        return new SocketlessConnection(worker);
    }

    @Test
    void bufferThatIsNotReadOnlyAndDirectIsRejectedNamingWhatItIs() {
        SocketlessConnection c = connection(new Recording());
        IllegalArgumentException writable = assertThrows(IllegalArgumentException.class,
                () -> c.core.received(ByteBuffer.allocateDirect(4)));
        assertTrue(writable.getMessage().contains("writable direct"), writable.getMessage());
        IllegalArgumentException heap = assertThrows(IllegalArgumentException.class,
                () -> c.core.received(ByteBuffer.allocate(4).asReadOnlyBuffer(), new Memory()));
        assertTrue(heap.getMessage().contains("read-only heap"), heap.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.core.received(ByteBuffer.allocate(4)));
        assertTrue(c.core.isOpen(), "a rejected buffer is the backend's bug, not the connection's end");
        c.core.finishClose(io.ringline.CloseReason.LOCAL, null);
        assertThrows(IllegalArgumentException.class, () -> c.core.received(ByteBuffer.allocateDirect(4)),
                "checked on a closed connection too");
    }

    @Test
    void freshBytesAreShownInPlaceWithTheirMemoryLendableOnlyDuringTheCall() {
        Recording h = new Recording();
        h.consume = 2;
        SocketlessConnection c = connection(h);
        ByteBuffer src = readOnly(1, 2, 3, 4, 5, 6);
        Memory memory = new Memory();
        c.core.received(src, memory);
        assertEquals(3, h.shown.size());
        for (ByteBuffer shown : h.shown) {
            assertSame(src, shown, "the backend's buffer itself, not a view of it");
        }
        assertEquals(List.of(0, 2, 4), h.positions, "each call starts after the bytes consumed before");
        assertEquals(List.of(memory, memory, memory), h.lendable);
        assertNull(h.worker.delivery().lendable(src), "nothing is lendable once the call returned");
        assertNull(c.core.inboundBuffer(), "everything consumed: nothing kept");
    }

    @Test
    void keptBytesAreShownFromTheAccumulatorWhoseMemoryIsNeverLent() {
        Recording h = new Recording();
        SocketlessConnection c = connection(h);
        ByteBuffer first = readOnly(1, 2, 3);
        Memory memory = new Memory();
        c.core.received(first, memory); // need more: all three kept
        h.consume = 2;
        c.core.received(readOnly(4, 5, 6), memory);
        assertSame(first, h.shown.get(0));
        assertEquals(memory, h.lendable.get(0));
        ByteBuffer kept = h.shown.get(1);
        assertTrue(kept != first && kept.isReadOnly() && kept.isDirect(), "the accumulator's read-only view");
        assertEquals(List.of(kept, kept, kept), h.shown.subList(1, 4), "the same view for every call");
        assertEquals(List.of(0, 2, 4), h.positions.subList(1, 4));
        assertEquals(java.util.Arrays.asList(null, null, null), h.lendable.subList(1, 4));
    }

    @Test
    void whatTheHandlerDidToPositionLimitAndOrderIsUndoneBeforeKeepingTheRest() {
        Recording h = new Recording();
        h.consume = 1;
        int[] calls = {0};
        Handler stopAfterTwo = (conn, data) -> {
            if (++calls[0] > 2) {
                return 0;
            }
            return h.onData(conn, data);
        };
        Worker worker = Worker.detached(Config.builder().workers(1).build(), stopAfterTwo);
        h.worker = worker;
        SocketlessConnection c = new SocketlessConnection(worker);
        c.core.received(readOnly(10, 11, 12, 13, 14));
        assertEquals(List.of(0, 1), h.positions);
        InboundBuffer kept = c.core.inboundBuffer();
        assertEquals(3, kept.readableBytes(), "two bytes consumed, three kept");
        ByteBuffer view = kept.readable();
        assertEquals(12, view.get(view.position()));
        assertEquals(14, view.get(view.position() + 2));
        assertEquals(ByteOrder.BIG_ENDIAN, h.shown.get(0).order(), "the order is put back after the call");
    }
}
