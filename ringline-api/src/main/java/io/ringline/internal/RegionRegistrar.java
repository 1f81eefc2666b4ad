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
 * <p>Runtime-owned region memory ({@link MemoryRegion#allocate(long)}, see {@link RegionMemory}):
 * every slot holding a region holds one reference to its memory, taken when the register starts
 * (initial regions: at construction) and dropped when the slot is free again: after a failed
 * register was rolled back, after an unregister completed on every worker (no in-flight send
 * references the region any more), or by {@link #releaseAll()} once the runtime terminated.
 *
 * <p>Thread-safe.
 */
final class RegionRegistrar {

    private static final Logger log = LoggerFactory.getLogger(RegionRegistrar.class);

    private enum SlotState { RESERVED, FREE, BUSY, REGISTERED }

    private final RegionControl[] workers;
    private final SlotState[] states;
    private final TreeSet<Integer> free = new TreeSet<>();
    /** The runtime-owned memory each slot holds a reference to (null: none). */
    private final RegionMemory[] held;
    /** The length of the region each dynamically registered slot holds (for the JFR unregister event). */
    private final long[] lengths;
    private boolean closed;

    /**
     * @param initial the initial regions, in slots {@code 0..initial.size()-1}; takes a reference
     *                to the runtime-owned ones
     * @throws IllegalStateException if a runtime-owned initial region is closed already
     */
    RegionRegistrar(RegionControl[] workers, int maxSlots, List<MemoryRegion> initial) {
        this.workers = workers;
        this.states = new SlotState[maxSlots];
        this.held = new RegionMemory[maxSlots];
        this.lengths = new long[maxSlots];
        int reserved = initial.size();
        for (int i = 0; i < maxSlots; i++) {
            states[i] = i < reserved ? SlotState.RESERVED : SlotState.FREE;
            if (i >= reserved) {
                free.add(i);
            }
        }
        try {
            for (int i = 0; i < reserved; i++) {
                hold(i, initial.get(i));
                lengths[i] = initial.get(i).length();
            }
        } catch (RuntimeException e) {
            releaseAll();
            throw e;
        }
    }

    /** Takes the reference of {@code slot} on {@code region}'s memory if the runtime owns it. Caller holds the lock or is the constructor. */
    private void hold(int slot, MemoryRegion region) {
        RegionMemory m = RegionMemory.of(region);
        if (m != null) {
            m.retain();
            held[slot] = m;
        }
    }

    /**
     * Drops the reference of {@code slot}, if any; its memory is freed now if it was closed and
     * this was the last reference. On a worker thread (operations complete on the worker that
     * acknowledged last) the release runs on a virtual thread instead, so that unmapping a large
     * region never stalls a worker's event loop.
     *
     * @return completes once the reference was released
     */
    private CompletableFuture<Void> drop(int slot) {
        RegionMemory m;
        synchronized (this) {
            m = held[slot];
            held[slot] = null;
        }
        if (m == null) {
            return CompletableFuture.completedFuture(null);
        }
        if (Worker.current() == null) {
            releaseQuietly(m, slot);
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> releaseQuietly(m, slot),
                task -> Thread.ofVirtual().name("ringline-region-release-" + slot).start(task));
    }

    /**
     * Drops every reference still held (initial regions and registered ones). Call once the runtime
     * terminated: every worker removed its regions and no send references them any more. Later
     * operations fail; completions of operations still in flight drop nothing more. Frees on the
     * calling thread (the last worker to terminate: its loop is over), before termination is reported.
     */
    void releaseAll() {
        RegionMemory[] toRelease;
        synchronized (this) {
            closed = true;
            toRelease = held.clone();
            java.util.Arrays.fill(held, null);
        }
        for (int slot = 0; slot < toRelease.length; slot++) {
            if (toRelease[slot] != null) {
                releaseQuietly(toRelease[slot], slot);
            }
        }
    }

    private static void releaseQuietly(RegionMemory m, int slot) {
        try {
            m.release();
        } catch (RuntimeException e) {
            log.warn("ringline: freeing the memory of region slot {} failed", slot, e);
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
            Integer s = free.isEmpty() ? null : free.first();
            if (s == null) {
                return CompletableFuture.failedFuture(new RegionException("registered-region table is full: all "
                        + states.length + " slots are in use (Config.maxRegions = " + states.length + ")"));
            }
            slot = s;
            try {
                hold(slot, region);
            } catch (IllegalStateException closedRegion) {
                return CompletableFuture.failedFuture(closedRegion);
            }
            free.remove(slot);
            states[slot] = SlotState.BUSY;
            lengths[slot] = region.length();
        }
        long started = JfrEvents.regionStart();
        List<CompletableFuture<Void>> acks = new ArrayList<>(workers.length);
        for (RegionControl w : workers) {
            acks.add(w.controlRegister(slot, region));
        }
        return allSettled(acks).thenCompose(ignored -> {
            Throwable first = firstError(acks);
            if (first == null) {
                synchronized (this) {
                    states[slot] = SlotState.REGISTERED;
                }
                JfrEvents.regionRegistered(slot, region.length(), started);
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
                return drop(slot).thenCompose(released -> {
                    synchronized (this) {
                        states[slot] = SlotState.FREE;
                        free.add(slot);
                    }
                    return CompletableFuture.failedFuture(first instanceof RegionException re ? re
                            : new RegionException("registering " + region + " in slot " + slot + " failed: " + first.getMessage(), first));
                });
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
        long length = lengthOf(slot);
        long started = JfrEvents.regionStart();
        List<CompletableFuture<Void>> acks = new ArrayList<>(workers.length);
        for (RegionControl w : workers) {
            acks.add(w.controlUnregister(slot));
        }
        return allSettled(acks).thenCompose(ignored -> {
            Throwable first = firstError(acks);
            if (first != null) {
                synchronized (this) {
                    states[slot] = SlotState.REGISTERED; // may be retried
                }
                return CompletableFuture.failedFuture(first instanceof RegionException re ? re
                        : new RegionException("unregistering " + id + " failed: " + first.getMessage(), first));
            }
            // No worker references the region any more: release it (a closed one is freed) before
            // the unregister completes, then free the slot.
            return drop(slot).thenRun(() -> {
                synchronized (this) {
                    states[slot] = SlotState.FREE;
                    free.add(slot);
                }
                JfrEvents.regionUnregistered(slot, length, started);
            });
        });
    }

    private synchronized long lengthOf(int slot) {
        return lengths[slot];
    }

    /** {@return the regions registered now: the initial ones and the dynamically registered ones} */
    synchronized int regionsInUse() {
        int n = 0;
        for (SlotState s : states) {
            if (s == SlotState.RESERVED || s == SlotState.REGISTERED) {
                n++;
            }
        }
        return n;
    }

    /** {@return the total length of the regions {@link #regionsInUse()} counts} */
    synchronized long regionBytesInUse() {
        long bytes = 0;
        for (int i = 0; i < states.length; i++) {
            if (states[i] == SlotState.RESERVED || states[i] == SlotState.REGISTERED) {
                bytes += lengths[i];
            }
        }
        return bytes;
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
