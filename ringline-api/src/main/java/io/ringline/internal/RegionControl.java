package io.ringline.internal;

import io.ringline.MemoryRegion;

import java.util.concurrent.CompletableFuture;

/**
 * One worker as the {@link RegionRegistrar} sees it: where region updates are sent, each
 * acknowledged with a future (implemented by {@link WorkerRegions}). Callable from any thread.
 */
interface RegionControl {

    /** {@return completes once the worker installed {@code region} in {@code slot}, or fails} */
    CompletableFuture<Void> controlRegister(int slot, MemoryRegion region);

    /** {@return completes once the worker removed {@code slot} and no send of it is in flight; empty slots succeed} */
    CompletableFuture<Void> controlUnregister(int slot);
}
