package io.ringline;

import java.util.concurrent.CompletionStage;

/**
 * Graceful shutdown and the registered memory region control plane of a {@link Runtime}.
 *
 * <p><b>Threading:</b> every method may be called from any thread, except the blocking
 * {@link #registerRegion(MemoryRegion)} and {@link #unregisterRegion(RegionId)}, which throw
 * {@link IllegalStateException} on a worker thread (the worker would wait for its own
 * acknowledgement); use the {@code ...Async} variants there.
 *
 * <h2>Region control plane</h2>
 * A register picks one slot, installs the region in that same slot on every worker (for io_uring:
 * in the kernel's registered-buffer table of each worker's ring), and completes when every worker
 * acknowledged. If any worker fails, the workers that applied it roll back, the slot is freed, and
 * the first error is reported. Initial regions from {@link Config#initialRegions()} occupy slots
 * {@code 0..k-1} and cannot be unregistered; dynamic slots are handed out smallest first and
 * reused after unregister.
 *
 * <h2>Region memory</h2>
 * A runtime-owned region ({@link MemoryRegion#allocate(long)}) may be closed at any time: every
 * registration holds it, and its memory is freed only once it is closed and each registration
 * ended, that is its unregister completed on every worker or the runtime terminated. The memory
 * of an application-owned region ({@link MemoryRegion#of}) must stay valid until
 * {@link #unregisterRegion(RegionId)} returned (or its stage completed) or the runtime terminated.
 */
public interface ShutdownHandle {

    /**
     * Starts a graceful shutdown: stop accepting, ask each connection's handler to finish
     * ({@link Handler#onDrain}: by default the connection closes after flushing its pending sends;
     * handlers see {@link CloseReason#SHUTDOWN}), reset what is still open after
     * {@link Config#shutdownGracePeriod()}, then stop the workers. Within the grace period every
     * queued byte is written before the connection's FIN. Idempotent.
     *
     * <p>Only signals and returns at once, without waiting for any thread, so it may be called on a
     * worker (for example from a handler). The listeners are told to stop: a connection that reaches
     * a listening socket in the short time before its accepting thread closed it is closed, never
     * served. Wait for the end with {@link Runtime#awaitTermination()} or {@link Runtime#close()}.
     */
    void shutdown();

    /** {@return whether {@link #shutdown()} was called} */
    boolean isShutdown();

    /**
     * {@return the regions registered now: the initial ones ({@link Config#initialRegions()}) and
     * those registered with {@link #registerRegion} whose registration completed and that are not
     * unregistered; at most {@link Config#maxRegions()}} Callable from any thread (for metrics).
     */
    int regionsInUse();

    /** {@return the total length in bytes of the regions {@link #regionsInUse()} counts} Callable from any thread. */
    long regionBytesInUse();

    /**
     * Registers {@code region} on every worker and blocks until all acknowledged.
     *
     * A runtime-owned region is held (not freed by {@link MemoryRegion#close()}) from the start of
     * the call until its unregister completed or the runtime terminated; if the register fails,
     * nothing is held.
     *
     * @param region the region
     * @return its slot, valid on every worker
     * @throws RegionException       if a worker failed (nothing changed), or the table is full
     * @throws IllegalStateException if called on a worker thread, after shutdown, or if
     *                               {@code region} is a closed runtime-owned region
     */
    RegionId registerRegion(MemoryRegion region);

    /**
     * Non-blocking {@link #registerRegion(MemoryRegion)}; safe on any thread including workers. The
     * stage fails with the same exceptions the blocking variant throws.
     *
     * @param region the region
     * @return the slot once every worker acknowledged
     */
    CompletionStage<RegionId> registerRegionAsync(MemoryRegion region);

    /**
     * Unregisters a dynamically registered region on every worker and blocks until all acknowledged.
     * Each worker acknowledges only when none of its in-flight sends references the region; new
     * sends referencing it are refused from the start of the operation. The slot is then free, and
     * the region's memory may be freed: a runtime-owned region that was closed is freed at that
     * point, an application-owned one may be freed by the application once this returns.
     *
     * @param id the region
     * @throws IllegalArgumentException if {@code id} is {@link RegionId#UNREGISTERED}, out of range,
     *                                  an initial (reserved) slot, or not registered
     * @throws IllegalStateException    if called on a worker thread, after shutdown, or while another
     *                                  operation on the same slot is in progress
     * @throws RegionException          if a worker failed to remove it (the region stays registered)
     */
    void unregisterRegion(RegionId id);

    /**
     * Non-blocking {@link #unregisterRegion(RegionId)}; safe on any thread. Invalid ids fail the
     * stage with the exceptions listed there.
     *
     * @param id the region
     * @return completes when every worker removed the region
     */
    CompletionStage<Void> unregisterRegionAsync(RegionId id);
}
