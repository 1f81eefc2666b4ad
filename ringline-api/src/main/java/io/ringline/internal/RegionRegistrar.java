package io.ringline.internal;

import io.ringline.MemoryRegion;
import io.ringline.RegionException;
import io.ringline.RegionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The region control plane: allocates slots that are coherent across workers and broadcasts
 * register/unregister operations to every worker, completing when all acknowledged.
 *
 * <p>Slot states: {@code RESERVED} (initial regions, never unregistered), {@code FREE},
 * {@code BUSY} (an operation is in flight), {@code REGISTERED}. Only a {@code FREE} slot is handed
 * out and only a {@code REGISTERED} one can be unregistered, so no slot is ever handed out twice.
 * A register that fails on any worker is rolled back on the workers that applied it before its
 * slot is freed.
 *
 * <p>Thread-safe.
 */
final class RegionRegistrar {

    private static final Logger log = LoggerFactory.getLogger(RegionRegistrar.class);

    private enum SlotState { RESERVED, FREE, BUSY, REGISTERED }

    private final Worker[] workers;
    private final SlotState[] states;
    private final TreeSet<Integer> free = new TreeSet<>();
    private boolean closed;

    RegionRegistrar(Worker[] workers, int maxSlots, int reserved) {
        this.workers = workers;
        this.states = new SlotState[maxSlots];
        for (int i = 0; i < maxSlots; i++) {
            states[i] = i < reserved ? SlotState.RESERVED : SlotState.FREE;
            if (i >= reserved) {
                free.add(i);
            }
        }
    }

    /** Refuses every later operation. */
    synchronized void close() {
        closed = true;
    }

    /** {@return a future of the slot; fails with {@link RegionException} or {@link IllegalStateException}} */
    CompletableFuture<RegionId> register(MemoryRegion region) {
        Objects.requireNonNull(region, "region");
        int slot;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException(
                        "runtime is shut down: cannot register " + region));
            }
            Integer s = free.pollFirst();
            if (s == null) {
                return CompletableFuture.failedFuture(new RegionException("registered-region table is full: all "
                        + states.length + " slots are in use (Config.maxRegions = " + states.length + ")"));
            }
            slot = s;
            states[slot] = SlotState.BUSY;
        }
        List<CompletableFuture<Void>> acks = new ArrayList<>(workers.length);
        for (Worker w : workers) {
            acks.add(w.controlRegister(slot, region));
        }
        return allSettled(acks).thenCompose(ignored -> {
            Throwable first = firstError(acks);
            if (first == null) {
                synchronized (this) {
                    states[slot] = SlotState.REGISTERED;
                }
                return CompletableFuture.completedFuture(RegionId.of(slot));
            }
            // Roll back on the workers that applied it, then free the slot.
            List<CompletableFuture<Void>> rollbacks = new ArrayList<>();
            for (int i = 0; i < workers.length; i++) {
                if (!acks.get(i).isCompletedExceptionally()) {
                    rollbacks.add(workers[i].controlUnregister(slot));
                }
            }
            return allSettled(rollbacks).thenCompose(ignored2 -> {
                Throwable rollbackError = firstError(rollbacks);
                if (rollbackError != null) {
                    log.warn("ringline: rolling back region slot {} failed on a worker", slot, rollbackError);
                }
                synchronized (this) {
                    states[slot] = SlotState.FREE;
                    free.add(slot);
                }
                return CompletableFuture.failedFuture(first instanceof RegionException re ? re
                        : new RegionException("registering " + region + " in slot " + slot + " failed: " + first.getMessage(), first));
            });
        });
    }

    /** {@return a future completed when every worker removed the region} */
    CompletableFuture<Void> unregister(RegionId id) {
        Objects.requireNonNull(id, "id");
        if (id.isUnregistered()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("cannot unregister RegionId.UNREGISTERED"));
        }
        int slot = id.slot();
        synchronized (this) {
            if (slot >= states.length) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("cannot unregister " + id
                        + ": slot out of range, the table has " + states.length + " slots (Config.maxRegions)"));
            }
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("runtime is shut down: cannot unregister " + id));
            }
            switch (states[slot]) {
                case RESERVED -> {
                    return CompletableFuture.failedFuture(new IllegalArgumentException("cannot unregister " + id
                            + ": it holds an initial region from Config.initialRegions, which stays for the runtime's life"));
                }
                case FREE -> {
                    return CompletableFuture.failedFuture(new IllegalArgumentException("cannot unregister " + id + ": it is not registered"));
                }
                case BUSY -> {
                    return CompletableFuture.failedFuture(new IllegalStateException("cannot unregister " + id
                            + ": another register or unregister of this slot is in progress"));
                }
                case REGISTERED -> states[slot] = SlotState.BUSY;
            }
        }
        List<CompletableFuture<Void>> acks = new ArrayList<>(workers.length);
        for (Worker w : workers) {
            acks.add(w.controlUnregister(slot));
        }
        return allSettled(acks).thenCompose(ignored -> {
            Throwable first = firstError(acks);
            synchronized (this) {
                if (first == null) {
                    states[slot] = SlotState.FREE;
                    free.add(slot);
                } else {
                    states[slot] = SlotState.REGISTERED; // may be retried
                }
            }
            return first == null ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.failedFuture(first instanceof RegionException re ? re
                    : new RegionException("unregistering " + id + " failed: " + first.getMessage(), first));
        });
    }

    /** {@return the number of slots currently registered dynamically (for diagnostics)} */
    synchronized int registeredCount() {
        int n = 0;
        for (SlotState s : states) {
            if (s == SlotState.REGISTERED) {
                n++;
            }
        }
        return n;
    }

    private static CompletableFuture<Void> allSettled(List<CompletableFuture<Void>> futures) {
        CompletableFuture<?>[] handled = new CompletableFuture<?>[futures.size()];
        for (int i = 0; i < handled.length; i++) {
            handled[i] = futures.get(i).handle((v, t) -> null);
        }
        return CompletableFuture.allOf(handled);
    }

    private static Throwable firstError(List<CompletableFuture<Void>> futures) {
        for (CompletableFuture<Void> f : futures) {
            if (f.isCompletedExceptionally()) {
                try {
                    f.join();
                } catch (CompletionException e) {
                    return e.getCause() != null ? e.getCause() : e;
                } catch (RuntimeException e) {
                    return e;
                }
            }
        }
        return null;
    }
}
