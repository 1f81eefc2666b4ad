package io.ringline;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A native memory region an application registers once with the runtime (for example a cache
 * arena) so that sends can reference it by {@code (RegionId, offset, length)} without copying.
 *
 * <p>The segment must be native (not heap) and non-empty. The application owns the memory: it
 * must keep the segment alive (its arena open) until the region is unregistered or the runtime
 * has terminated.
 *
 * <p>Immutable and thread-safe.
 *
 * @param segment the native memory of the region
 */
public record MemoryRegion(MemorySegment segment) {

    /**
     * @throws NullPointerException     if {@code segment} is null
     * @throws IllegalArgumentException if the segment is a heap segment or has length 0
     */
    public MemoryRegion {
        Objects.requireNonNull(segment, "segment");
        if (!segment.isNative()) {
            throw new IllegalArgumentException("memory region must be a native segment, got a heap segment of "
                    + segment.byteSize() + " bytes");
        }
        if (segment.byteSize() <= 0) {
            throw new IllegalArgumentException("memory region length must be > 0, was " + segment.byteSize());
        }
    }

    /** {@return a region over {@code segment}} */
    public static MemoryRegion of(MemorySegment segment) {
        return new MemoryRegion(segment);
    }

    /** {@return the length of the region in bytes} */
    public long length() {
        return segment.byteSize();
    }

    /** {@return the native start address of the region} */
    public long address() {
        return segment.address();
    }

    @Override
    public String toString() {
        return "MemoryRegion[address=0x" + Long.toHexString(segment.address()) + ", length=" + segment.byteSize() + "]";
    }
}
