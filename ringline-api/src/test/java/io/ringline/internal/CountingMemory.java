package io.ringline.internal;

import io.ringline.spi.ReceivedMemory;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A counting fake of a backend's lendable receive memory: a direct buffer filled with
 * {@code firstByte, firstByte + 1, ...}, deliveries from {@link #offset}, and counts of retains and
 * releases (a release without a retain fails). Worker thread only, like the real ones.
 */
final class CountingMemory implements ReceivedMemory {

    final String name;
    final ByteBuffer memory;
    final int offset;
    /** Where releases are listed by {@link #name}, or null. */
    final List<String> log;
    int retains;
    int releases;
    /** Whether {@link #tryRetain()} lends. */
    boolean lends = true;

    CountingMemory(String name, int size, int offset, int firstByte, List<String> log) {
        this.name = name;
        this.memory = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) {
            memory.put(i, (byte) (firstByte + i));
        }
        this.offset = offset;
        this.log = log;
    }

    /** {@return what a backend would deliver from this memory: {@code n} bytes from {@link #offset}, read-only and direct} */
    ByteBuffer delivered(int n) {
        return memory.slice(offset, n).asReadOnlyBuffer();
    }

    /** {@return whether every retain was released} */
    boolean balanced() {
        return retains == releases;
    }

    @Override
    public ByteBuffer memory() {
        return memory;
    }

    @Override
    public int offset() {
        return offset;
    }

    @Override
    public boolean tryRetain() {
        if (!lends) {
            return false;
        }
        retains++;
        return true;
    }

    @Override
    public void release() {
        if (releases >= retains) {
            throw new IllegalStateException(name + " released more often than retained");
        }
        releases++;
        if (log != null) {
            log.add(name);
        }
    }
}
