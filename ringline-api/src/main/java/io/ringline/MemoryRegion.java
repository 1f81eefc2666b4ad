package io.ringline;

import io.ringline.internal.RegionMemory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A native memory region an application registers with the runtime (for example a cache arena)
 * so that sends can reference it by {@code (RegionId, offset, length)} without copying.
 *
 * <h2>Two kinds of region</h2>
 * <ul>
 *   <li><b>Runtime-owned</b>, from {@link #allocate(long)} (recommended): page-aligned memory
 *       mapped from the operating system, not from any {@link Arena}. {@link #close()} frees it
 *       as soon as no runtime has it registered: closing while it is registered (or while an
 *       unregister is still waiting for in-flight sends) only marks it, and the memory is freed
 *       when the unregister completed on every worker, or when the runtime terminated. So
 *       {@code unregisterRegion(id); region.close();} is always safe, and so is closing first.</li>
 *   <li><b>Application-owned</b>, from {@link #of(MemorySegment)}: the application owns the
 *       memory and must keep the segment alive (its arena open) until the region is unregistered
 *       or the runtime has terminated. {@link #close()} does nothing for such a region. Closing a
 *       <em>shared</em> arena runs a handshake with every thread of the JVM (workers included), so
 *       prefer {@link #allocate(long)} for regions that come and go while the runtime runs.</li>
 * </ul>
 *
 * <p>A region send ({@link Connection#sendRegion}) allocates nothing per send for a region of up
 * to {@link Integer#MAX_VALUE} bytes: each worker keeps reusable buffer views of the whole region.
 * A send from a larger region (beyond what a {@link java.nio.ByteBuffer} can span) slices the
 * segment, a few small objects per send.
 *
 * <p><b>Threading:</b> every method may be called from any thread; {@link #close()} may race
 * with registrations and unregistrations on any runtime. The segment of a runtime-owned region
 * must not be accessed after {@link #close()}: once freed, the memory is gone (an access may crash
 * the JVM, there is no arena to check it).
 */
public final class MemoryRegion implements AutoCloseable {

    static {
        RegionMemory.installAccessor(region -> region.memory);
    }

    private final MemorySegment segment;
    /** The runtime-owned memory, or null when the application owns the segment. */
    private final RegionMemory memory;

    /**
     * An application-owned region over {@code segment} (see {@link #of(MemorySegment)}).
     *
     * @param segment the native memory of the region
     * @throws NullPointerException     if {@code segment} is null
     * @throws IllegalArgumentException if the segment is a heap segment or has length 0
     */
    public MemoryRegion(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (!segment.isNative()) {
            throw new IllegalArgumentException("memory region must be a native segment, got a heap segment of "
                    + segment.byteSize() + " bytes");
        }
        if (segment.byteSize() <= 0) {
            throw new IllegalArgumentException("memory region length must be > 0, was " + segment.byteSize());
        }
        this.segment = segment;
        this.memory = null;
    }

    private MemoryRegion(RegionMemory memory) {
        this.segment = memory.segment();
        this.memory = memory;
    }

    /**
     * {@return an application-owned region over {@code segment}}: keep the segment alive until the
     * region is unregistered or the runtime terminated.
     *
     * @param segment native memory owned by the application
     * @throws NullPointerException     if {@code segment} is null
     * @throws IllegalArgumentException if the segment is a heap segment or has length 0
     */
    public static MemoryRegion of(MemorySegment segment) {
        return new MemoryRegion(segment);
    }

    /**
     * Allocates a runtime-owned region of {@code bytes} bytes: zero-filled, page aligned, mapped
     * from the operating system ({@code mmap} on Linux and macOS, {@code VirtualAlloc} on Windows)
     * and freed by {@link #close()} once no runtime has it registered. Its {@link #length()} is
     * exactly {@code bytes}; the mapping is rounded up to whole pages, and on Linux every page is
     * committed at once ({@code MAP_POPULATE}). Allocating and freeing are system calls whose
     * cost grows with the size (the kernel zeroes every page): allocate regions once, not per request.
     *
     * @param bytes the region size
     * @return the region, open
     * @throws IllegalArgumentException      if {@code bytes <= 0}, or it cannot be rounded up to whole
     *                                       pages within a {@code long}
     * @throws RinglineException             if the operating system refuses the memory (the message
     *                                       names the size and the errno)
     * @throws UnsupportedOperationException on an operating system other than Linux, macOS or Windows
     */
    public static MemoryRegion allocate(long bytes) {
        return new MemoryRegion(new RegionMemory(bytes));
    }

    /** {@return the native memory of the region} */
    public MemorySegment segment() {
        return segment;
    }

    /** {@return the length of the region in bytes} */
    public long length() {
        return segment.byteSize();
    }

    /** {@return the native start address of the region} */
    public long address() {
        return segment.address();
    }

    /** {@return whether the runtime owns the memory (made by {@link #allocate(long)}), so that {@link #close()} frees it} */
    public boolean isRuntimeOwned() {
        return memory != null;
    }

    /**
     * Frees a runtime-owned region's memory as soon as no runtime has it registered: now if none
     * has, else once every registration's unregister completed on every worker (no in-flight send
     * references it any more) or its runtime terminated. A closed region cannot be registered
     * again. Idempotent; never blocks. Does nothing for an application-owned region
     * ({@link #of(MemorySegment)}).
     *
     * @throws RinglineException if the operating system refuses to unmap the memory
     */
    @Override
    public void close() {
        if (memory != null) {
            memory.close();
        }
    }

    /** {@return whether {@link #close()} was called on this runtime-owned region (always false for application-owned ones)} */
    public boolean isClosed() {
        return memory != null && memory.isClosed();
    }

    /** {@return whether this region's memory was returned to the operating system (always false for application-owned ones)} */
    public boolean isFreed() {
        return memory != null && memory.isFreed();
    }

    /** Application-owned regions are equal when their segments are; a runtime-owned region only equals itself. */
    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof MemoryRegion r && memory == null && r.memory == null && segment.equals(r.segment));
    }

    @Override
    public int hashCode() {
        return memory == null ? segment.hashCode() : System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return "MemoryRegion[address=0x" + Long.toHexString(segment.address()) + ", length=" + segment.byteSize() + "]";
    }
}
