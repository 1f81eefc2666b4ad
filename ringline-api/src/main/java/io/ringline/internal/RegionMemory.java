package io.ringline.internal;

import io.ringline.MemoryRegion;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.Function;

/**
 * The lifecycle of the memory of a region made by {@link MemoryRegion#allocate(long)}: page
 * memory from {@link PageMemory}, freed once the region was closed and no runtime holds a
 * reference to it any more. The region control plane takes a reference for every registration
 * ({@link #retain()}) and drops it when the unregister completed on every worker, or when the
 * runtime terminated ({@link #release()}).
 *
 * <p>Thread-safe.
 */
public final class RegionMemory {

    private static volatile Function<MemoryRegion, RegionMemory> accessor;

    private final long address;
    /** The mapping's size: {@code bytes} rounded up to whole pages. */
    private final long mapped;
    private final MemorySegment segment;
    private int references;
    private boolean closed;
    private boolean freed;

    /**
     * Maps {@code bytes} bytes rounded up to whole pages; the segment is exactly {@code bytes} long.
     *
     * @throws IllegalArgumentException if {@code bytes <= 0} or cannot be rounded up to whole pages
     * @throws io.ringline.RinglineException if the system refuses the memory
     */
    public RegionMemory(long bytes) {
        this.mapped = PageMemory.roundUp(bytes);
        this.address = PageMemory.allocate(mapped);
        this.segment = MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    /** Lets {@link #of(MemoryRegion)} reach a region's memory; called once by {@link MemoryRegion}. */
    public static void installAccessor(Function<MemoryRegion, RegionMemory> a) {
        Objects.requireNonNull(a, "accessor");
        synchronized (RegionMemory.class) {
            if (accessor != null) {
                throw new IllegalStateException("the MemoryRegion accessor is already installed");
            }
            accessor = a;
        }
    }

    /** {@return the runtime-owned memory of {@code region}, or null if the application owns it ({@link MemoryRegion#of})} */
    public static RegionMemory of(MemoryRegion region) {
        return accessor.apply(region); // installed by MemoryRegion's class initialisation, done since region exists
    }

    /** {@return the memory: page aligned, {@code bytes} long, zero-filled when mapped} */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * Takes a reference: the memory stays until {@link #release()} even if closed meanwhile.
     *
     * @throws IllegalStateException if the region was closed already
     */
    public synchronized void retain() {
        if (closed) {
            throw new IllegalStateException(describe() + " is closed: it cannot be registered");
        }
        references++;
    }

    /** Drops a reference; frees the memory if it was the last one and the region is closed. */
    public void release() {
        synchronized (this) {
            if (references <= 0) {
                throw new IllegalStateException(describe() + " has no reference to release");
            }
            if (--references > 0 || !closed) {
                return;
            }
        }
        free();
    }

    /** Closes: frees the memory now if no runtime holds a reference, else when the last one is released. Idempotent. */
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (references > 0) {
                return;
            }
        }
        free();
    }

    private void free() {
        synchronized (this) {
            if (freed) {
                return;
            }
            freed = true;
        }
        PageMemory.free(address, mapped);
    }

    /** {@return whether {@link #close()} was called} */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** {@return whether the memory was returned to the system} */
    public synchronized boolean isFreed() {
        return freed;
    }

    /** {@return references held by runtimes (registrations not yet fully unregistered)} */
    public synchronized int references() {
        return references;
    }

    private String describe() {
        return "MemoryRegion[address=0x" + Long.toHexString(address) + ", length=" + segment.byteSize() + "]";
    }
}
