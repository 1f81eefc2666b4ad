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
 * ring with {@link #recycle(int)} once nothing holds it any more: its delivery is over and every
 * send queue entry that borrowed its bytes finished ({@link ProvidedBuffer}). At most
 * {@link #lendBudget()} buffers are held beyond their delivery at a time, so lent buffers never
 * starve the receives.
 *
 * <p>Deliveries show a buffer through a read-only view (one per buffer, reused), and lent memory
 * is one read-only buffer over the ring's whole memory: nothing is allocated per receive.
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
    private final ByteBuffer memory;
    private final ByteBuffer[] views;
    private final ProvidedBuffer[] leases;
    private final int lendBudget;
    private int lent;
    private int out;
    private short tail;
    private boolean registered;

    /**
     * Allocates the ring and its buffers from {@code arena}, registers it and provides every buffer.
     *
     * @param count      buffers, rounded up to a power of two
     * @param lendBudget buffers that may be held beyond their delivery at a time; -1 for half of them
     * @throws IllegalArgumentException if {@code lendBudget} is not -1 and not below the buffer count
     * @throws IOException if the kernel refuses
     */
    BufferRing(Arena arena, int ringFd, short groupId, int count, int size, int lendBudget) throws IOException {
        this.ringFd = ringFd;
        this.groupId = groupId;
        this.entries = entries(count);
        this.mask = entries - 1;
        this.size = size;
        this.lendBudget = lendBudget(lendBudget, count);
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
        this.memory = memory.asReadOnlyBuffer();
        this.views = new ByteBuffer[entries];
        this.leases = new ProvidedBuffer[entries];
        for (int i = 0; i < entries; i++) {
            views[i] = this.memory.slice(i * size, size);
            leases[i] = new ProvidedBuffer(this, i, i * size);
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
        out = entries;
        for (int i = 0; i < entries; i++) {
            recycle(i);
        }
    }

    /** {@return the buffers of a ring asked for {@code count}: {@code count} rounded up to a power of two} */
    static int entries(int count) {
        return count <= 1 ? 1 : Integer.highestOneBit(count - 1) << 1;
    }

    /**
     * {@return the lending budget of a ring asked for {@code count} buffers: {@code requested}, or
     * half the buffers for -1}
     *
     * @throws IllegalArgumentException if {@code requested} is neither -1 nor below the ring's buffers
     */
    static int lendBudget(int requested, int count) {
        int entries = entries(count);
        if (requested < -1 || requested >= entries) {
            throw new IllegalArgumentException("invalid value '" + requested + "' for backend option "
                    + IoUringOptions.LEND_BUDGET.name() + ": must be -1 (half the receive buffers) or in [0, "
                    + (entries - 1) + "], below the " + entries + " receive buffers of a worker (Config.recvBufferCount "
                    + count + " rounded up to a power of two)");
        }
        return requested == -1 ? entries / 2 : requested;
    }

    /** {@return the buffer group id for {@code IOSQE_BUFFER_SELECT}} */
    short groupId() {
        return groupId;
    }

    /** {@return the number of buffers} */
    int entries() {
        return entries;
    }

    /** {@return the size of each buffer in bytes} */
    int bufferSize() {
        return size;
    }

    /** {@return the read-only buffer over every buffer's memory, buffer {@code bid} at {@code bid * bufferSize()}} */
    ByteBuffer memory() {
        return memory;
    }

    /** {@return the memory of every buffer, buffer {@code bid} at {@code bid * bufferSize()} (for parsing what the kernel wrote)} */
    MemorySegment segment() {
        return buffers;
    }

    /** {@return the reused read-only view of buffer {@code bid} (its whole size; callers set position and limit)} */
    ByteBuffer view(int bid) {
        return views[bid];
    }

    /** {@return buffer {@code bid} as a read-only buffer holding {@code length} received bytes} */
    ByteBuffer received(int bid, int length) {
        return views[bid].clear().limit(length);
    }

    /**
     * {@return the memory of buffer {@code bid}, which the kernel just filled, held for its delivery}
     * The caller ends the delivery with {@link ProvidedBuffer#deliveryOver()}.
     */
    ProvidedBuffer deliver(int bid) {
        ProvidedBuffer b = leases[bid];
        b.delivered();
        out++;
        return b;
    }

    /** {@return buffer {@code bid}'s memory (for tests)} */
    ProvidedBuffer buffer(int bid) {
        return leases[bid];
    }

    /** {@return buffers that may be held beyond their delivery at a time} */
    int lendBudget() {
        return lendBudget;
    }

    /** {@return buffers held beyond their delivery now} */
    int lent() {
        return lent;
    }

    /** {@return buffers not in the ring now (being delivered or lent)} */
    int buffersOut() {
        return out;
    }

    /** {@return true (and counts one more lent buffer) if the lending budget allows another} */
    boolean tryLend() {
        if (lent >= lendBudget) {
            return false;
        }
        lent++;
        return true;
    }

    /** A lent buffer's last borrow was returned. */
    void lendEnded() {
        lent--;
    }

    /** Gives buffer {@code bid} back to the kernel (a no-op once the ring is unregistered). */
    void recycle(int bid) {
        if (!registered) {
            return;
        }
        out--;
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
