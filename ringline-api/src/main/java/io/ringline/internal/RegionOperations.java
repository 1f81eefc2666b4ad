package io.ringline.internal;

import io.ringline.MemoryRegion;
import io.ringline.RegionId;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * The region operations of {@link io.ringline.ShutdownHandle}: the blocking ones refuse to run on a
 * worker thread (they would wait for that worker), the asynchronous ones complete on the caller's
 * side (its worker, else the blocking pool), never on another worker's thread. Thread-safe.
 */
final class RegionOperations {

    private final RegionRegistrar registrar;
    private final BlockingPool blockingPool;

    RegionOperations(RegionRegistrar registrar, BlockingPool blockingPool) {
        this.registrar = registrar;
        this.blockingPool = blockingPool;
    }

    RegionId register(MemoryRegion region) {
        checkBlockingAllowed("registerRegion", "registerRegionAsync");
        return join(registrar.register(region));
    }

    CompletionStage<RegionId> registerAsync(MemoryRegion region) {
        return onCallerSide(registrar.register(region));
    }

    void unregister(RegionId id) {
        checkBlockingAllowed("unregisterRegion", "unregisterRegionAsync");
        join(registrar.unregister(id));
    }

    CompletionStage<Void> unregisterAsync(RegionId id) {
        return onCallerSide(registrar.unregister(id));
    }

    private static void checkBlockingAllowed(String op, String async) {
        if (Worker.current() != null) {
            throw new IllegalStateException(op + " blocks until every worker acknowledged and would deadlock on worker thread '"
                    + Thread.currentThread().getName() + "'; use " + async + " there");
        }
    }

    /**
     * Completes the caller's stage on the caller's worker when called on a worker (so its
     * continuations run there), else on the blocking pool, never on another worker's thread.
     */
    private <T> CompletionStage<T> onCallerSide(CompletableFuture<T> f) {
        Worker caller = Worker.current();
        CompletableFuture<T> result = new CompletableFuture<>();
        f.whenComplete((v, t) -> {
            // Internal tasks (one per operation the caller started): never refused for a full queue.
            TaskQueue.Internal complete = () -> {
                if (t == null) {
                    result.complete(v);
                } else {
                    result.completeExceptionally(t);
                }
            };
            try {
                if (caller != null) {
                    caller.executeInternal(complete);
                } else {
                    blockingPool.executeInternal(complete);
                }
            } catch (RejectedExecutionException e) {
                complete.run(); // the caller's worker or the pool is gone
            }
        });
        return result;
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }
}
