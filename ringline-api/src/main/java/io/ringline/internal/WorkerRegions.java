package io.ringline.internal;

import io.ringline.MemoryRegion;
import io.ringline.RegionException;
import io.ringline.spi.WorkerIo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One worker's side of the region control plane: the {@link RegionTable} its connections send
 * from, and the control tasks the {@link RegionRegistrar} queues on it (install a region in a slot,
 * remove it once no send references it), each acknowledged with a future. Control tasks that the
 * worker cannot run any more (it terminated) fail their acknowledgement instead of hanging.
 *
 * <p>{@link #controlRegister} and {@link #controlUnregister} may be called from any thread; the
 * rest runs on the worker thread.
 */
final class WorkerRegions implements RegionControl {

    private static final Logger log = LoggerFactory.getLogger(WorkerRegions.class);

    private final int workerId;
    private final RegionTable table;
    private final Consumer<TaskQueue.Internal> queue;
    private final Supplier<WorkerIo> io;

    /**
     * @param workerId for messages
     * @param slots    the table size ({@code Config.maxRegions})
     * @param queue    queues an internal task on the worker (throws {@link RejectedExecutionException} once terminated)
     * @param io       the worker's driver (open by the time a task runs)
     */
    WorkerRegions(int workerId, int slots, Consumer<TaskQueue.Internal> queue, Supplier<WorkerIo> io) {
        this.workerId = workerId;
        this.table = new RegionTable(slots);
        this.queue = queue;
        this.io = io;
    }

    /** {@return the table connections send from (worker thread only)} */
    RegionTable table() {
        return table;
    }

    /** A control-plane task: runs on the worker, or is aborted if the worker terminates first. */
    private abstract static class ControlTask implements TaskQueue.Internal {
        final CompletableFuture<Void> ack = new CompletableFuture<>();

        void abort(Throwable why) {
            ack.completeExceptionally(why);
        }
    }

    /** Queues the installation of {@code region} in {@code slot}; the future is this worker's acknowledgement. */
    @Override
    public CompletableFuture<Void> controlRegister(int slot, MemoryRegion region) {
        return submit(new ControlTask() {
            @Override
            public void run() {
                try {
                    install(slot, region);
                    ack.complete(null);
                } catch (Throwable t) {
                    ack.completeExceptionally(t);
                }
            }
        });
    }

    /**
     * Queues the removal of {@code slot}; acknowledged when no in-flight send references it any more.
     * Removing an empty slot succeeds (used for rollback).
     */
    @Override
    public CompletableFuture<Void> controlUnregister(int slot) {
        return submit(new ControlTask() {
            @Override
            public void run() {
                if (table.get(slot) == null) {
                    ack.complete(null);
                    return;
                }
                table.beginRemove(slot, () -> {
                    try {
                        io.get().removeRegion(slot);
                        ack.complete(null);
                    } catch (Throwable t) {
                        ack.completeExceptionally(t);
                    } finally {
                        table.clear(slot);
                    }
                });
            }
        });
    }

    private CompletableFuture<Void> submit(ControlTask task) {
        try {
            queue.accept(task);
        } catch (RejectedExecutionException e) {
            task.abort(gone());
        }
        return task.ack;
    }

    private RegionException gone() {
        return new RegionException("worker " + workerId + " terminated before acknowledging region update");
    }

    /**
     * If {@code task} is a control task that the worker will not run (it terminated), fails its
     * acknowledgement.
     *
     * @return whether it was one
     */
    boolean abortIfControl(Runnable task) {
        if (task instanceof ControlTask c) {
            c.abort(gone());
            return true;
        }
        return false;
    }

    /** Installs {@code region} in {@code slot}, in the table and the driver (worker thread). */
    void install(int slot, MemoryRegion region) throws IOException {
        table.install(slot, region);
        try {
            io.get().installRegion(slot, region);
        } catch (IOException | RuntimeException e) {
            table.clear(slot);
            throw e;
        }
    }

    /** At exit: removes every installed region from the driver and the table (worker thread). */
    void removeAll(WorkerIo driver) {
        for (int slot = 0; slot < table.capacity(); slot++) {
            if (table.get(slot) != null) {
                try {
                    driver.removeRegion(slot);
                } catch (Throwable t) {
                    log.debug("ringline worker {}: removing region {} at exit failed", workerId, slot, t);
                }
                table.clear(slot);
            }
        }
    }
}
