package io.ringline.uring;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A provided-buffer ring ({@code IORING_REGISTER_PBUF_RING}) of one worker: {@code count} buffers of
 * {@code size} bytes that multishot receives pick from. A buffer the kernel filled comes back to the
 * ring with {@link #recycle(int)} once its bytes were delivered.
 *
 * <p>Used only on the owning ring's thread.
 */
final class BufferRing {

    private static final VarHandle TAIL = JAVA_SHORT.varHandle();
    private static final long ENTRY = KernelStructs.IO_URING_BUF.byteSize();

    private final int ringFd;
    private final short groupId;
    private final int entries;
    private final int mask;
    private final int size;
    private final MemorySegment ring;
    private final MemorySegment buffers;
    private final ByteBuffer[] views;
    private short tail;
    private boolean registered;

    /**
     * Allocates the ring and its buffers from {@code arena}, registers it and provides every buffer.
     *
     * @param count buffers, rounded up to a power of two
     * @throws IOException if the kernel refuses
     */
    BufferRing(Arena arena, int ringFd, short groupId, int count, int size) throws IOException {
        this.ringFd = ringFd;
        this.groupId = groupId;
        this.entries = count <= 1 ? 1 : Integer.highestOneBit(count - 1) << 1;
        this.mask = entries - 1;
        this.size = size;
        this.ring = arena.allocate((long) entries * ENTRY, 4096);
        // The receive buffers are a plain direct ByteBuffer, not arena memory: views of a shared
        // arena segment pay a session liveness check on every byte a handler reads (seen in a JFR
        // profile as the top frame). The ring is unregistered before this object is dropped.
        long total = (long) entries * size;
        if (total > Integer.MAX_VALUE - 4096) {
            throw new IOException("receive buffer ring of " + entries + " x " + size + " bytes exceeds 2 GiB");
        }
        ByteBuffer raw = ByteBuffer.allocateDirect((int) total + 4096);
        int skew = (int) (MemorySegment.ofBuffer(raw).address() & 4095);
        ByteBuffer memory = raw.slice(skew == 0 ? 0 : 4096 - skew, (int) total); // page-aligned
        this.buffers = MemorySegment.ofBuffer(memory);
        this.views = new ByteBuffer[entries];
        for (int i = 0; i < entries; i++) {
            views[i] = memory.slice(i * size, size);
        }
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment reg = tmp.allocate(KernelStructs.IO_URING_BUF_REG);
            reg.set(JAVA_LONG, KernelStructs.BUF_REG_RING_ADDR, ring.address());
            reg.set(JAVA_INT, KernelStructs.BUF_REG_RING_ENTRIES, entries);
            reg.set(JAVA_SHORT, KernelStructs.BUF_REG_BGID, groupId);
            int r = Sys.ioUringRegister(ringFd, Uring.REGISTER_PBUF_RING, reg, 1);
            if (r < 0) {
                throw Sys.error("registering a provided buffer ring of " + entries + " buffers", r);
            }
        }
        registered = true;
        for (int i = 0; i < entries; i++) {
            recycle(i);
        }
    }

    /** {@return the buffer group id for {@code IOSQE_BUFFER_SELECT}} */
    short groupId() {
        return groupId;
    }

    /** {@return the number of buffers} */
    int entries() {
        return entries;
    }

    /** {@return buffer {@code bid} as a buffer holding {@code length} received bytes} */
    ByteBuffer received(int bid, int length) {
        return views[bid].clear().limit(length);
    }

    /** Gives buffer {@code bid} back to the kernel. */
    void recycle(int bid) {
        long e = (long) (tail & mask) * ENTRY;
        ring.set(JAVA_LONG, e + KernelStructs.BUF_ADDR, buffers.address() + (long) bid * size);
        ring.set(JAVA_INT, e + KernelStructs.BUF_LEN, size);
        ring.set(JAVA_SHORT, e + KernelStructs.BUF_BID, (short) bid);
        tail++;
        TAIL.setRelease(ring, KernelStructs.BUF_RING_TAIL, tail);
    }

    /** Unregisters the ring (after every receive using it completed). Idempotent. */
    void unregister() {
        if (!registered) {
            return;
        }
        registered = false;
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment reg = tmp.allocate(KernelStructs.IO_URING_BUF_REG);
            reg.set(JAVA_SHORT, KernelStructs.BUF_REG_BGID, groupId);
            Sys.ioUringRegister(ringFd, Uring.UNREGISTER_PBUF_RING, reg, 1);
        }
    }
}
