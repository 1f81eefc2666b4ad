package io.ringline.uring;

import io.ringline.spi.ReceivedMemory;

import java.nio.ByteBuffer;

/**
 * One buffer of a {@link BufferRing}, as the memory behind the deliveries from it: the ring's whole
 * memory with this buffer at {@link #offset()}, reference-counted so that the core can lend the
 * received bytes to a send queue ({@code Connection.sendReceived}) without copying them.
 *
 * <p>A delivery holds one reference ({@link #delivered()} .. {@link #deliveryOver()}); each
 * successful {@link #tryRetain()} holds one more. When the last is gone the buffer goes back to
 * the kernel ({@link BufferRing#recycle(int)}). The ring limits how many buffers are held beyond
 * their delivery (its lending budget), so lent buffers never starve the receives.
 *
 * <p>Worker thread only. One instance per buffer, reused for every delivery from it.
 */
final class ProvidedBuffer implements ReceivedMemory {

    private final BufferRing ring;
    private final int bid;
    private final int offset;
    private boolean delivering;
    private int retains;

    ProvidedBuffer(BufferRing ring, int bid, int offset) {
        this.ring = ring;
        this.bid = bid;
        this.offset = offset;
    }

    /** {@return the read-only buffer over the ring's whole memory (the same object for every buffer)} */
    @Override
    public ByteBuffer memory() {
        return ring.memory();
    }

    /** {@return where this buffer starts in {@link #memory()}: its id times the buffer size} */
    @Override
    public int offset() {
        return offset;
    }

    /** {@return this buffer's id in the ring} */
    int bid() {
        return bid;
    }

    /** {@return whether a delivery or a borrow still holds the buffer (it is not in the ring)} */
    boolean isHeld() {
        return delivering || retains > 0;
    }

    /** {@return the borrows outstanding} */
    int retains() {
        return retains;
    }

    /** The kernel filled this buffer and its bytes are about to be delivered. */
    void delivered() {
        if (isHeld()) {
            throw new IllegalStateException("buffer " + bid + " completed again while still held");
        }
        delivering = true;
    }

    /** The delivery returned: the buffer goes back to the ring unless it is lent. */
    void deliveryOver() {
        delivering = false;
        if (retains == 0) {
            ring.recycle(bid);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The first borrow of a delivery takes one buffer of the worker's lending budget; beyond
     * the budget this returns false (the core copies instead).
     */
    @Override
    public boolean tryRetain() {
        if (!isHeld()) {
            throw new IllegalStateException("buffer " + bid + " is back in the ring: it can be lent only during its delivery");
        }
        if (retains == 0 && !ring.tryLend()) {
            return false;
        }
        retains++;
        return true;
    }

    @Override
    public void release() {
        if (retains == 0) {
            throw new IllegalStateException("buffer " + bid + " released more often than retained");
        }
        if (--retains == 0) {
            ring.lendEnded();
            if (!delivering) {
                ring.recycle(bid);
            }
        }
    }

    @Override
    public String toString() {
        return "ProvidedBuffer[bid=" + bid + ", retains=" + retains + (delivering ? ", delivering" : "") + "]";
    }
}
