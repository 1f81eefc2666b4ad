package io.ringline.internal;

import io.ringline.MemoryRegion;
import io.ringline.RegionId;

import java.util.ArrayList;
import java.util.List;

/**
 * One worker's view of the registered-region slots: which region each slot holds, how many
 * in-flight sends reference it, whether it is being removed, and the reusable views of each
 * region's whole memory that region sends are queued as ({@link #views(int)}). Used only on the
 * worker thread.
 */
final class RegionTable {

    private final MemoryRegion[] regions;
    private final int[] inFlight;
    private final List<List<Runnable>> whenDrained;
    private final boolean[] removing;
    /** Per slot: views of the whole region for sends, made on the first send; null until then. */
    private final ViewSource[] views;

    RegionTable(int slots) {
        regions = new MemoryRegion[slots];
        views = new ViewSource[slots];
        inFlight = new int[slots];
        removing = new boolean[slots];
        whenDrained = new ArrayList<>(slots);
        for (int i = 0; i < slots; i++) {
            whenDrained.add(null);
        }
    }

    /** {@return the number of slots} */
    int capacity() {
        return regions.length;
    }

    /** {@return the region in {@code slot}, or null} */
    MemoryRegion get(int slot) {
        return slot >= 0 && slot < regions.length ? regions[slot] : null;
    }

    /** {@return the number of occupied slots} */
    int occupied() {
        int n = 0;
        for (MemoryRegion r : regions) {
            if (r != null) {
                n++;
            }
        }
        return n;
    }

    void install(int slot, MemoryRegion region) {
        if (regions[slot] != null) {
            throw new IllegalStateException("region slot " + slot + " is already occupied on this worker");
        }
        regions[slot] = region;
        removing[slot] = false;
    }

    /**
     * Validates a send of {@code [offset, offset+length)} from region {@code id} and takes a
     * reference on it.
     *
     * @return the region
     * @throws IllegalArgumentException if not registered, being removed, or out of range
     */
    MemoryRegion acquire(RegionId id, long offset, int length) {
        int slot = id.slot();
        if (id.isUnregistered() || slot >= regions.length) {
            throw new IllegalArgumentException("region " + id + " is not registered (table size " + regions.length + ")");
        }
        MemoryRegion r = regions[slot];
        if (r == null) {
            throw new IllegalArgumentException("region " + id + " is not registered");
        }
        if (removing[slot]) {
            throw new IllegalArgumentException("region " + id + " is being unregistered");
        }
        if (length <= 0) {
            throw new IllegalArgumentException("region send length must be > 0, was " + length);
        }
        if (offset < 0 || offset > r.length() - length) {
            throw new IllegalArgumentException("region send [offset " + offset + ", length " + length
                    + "] is outside " + id + " of length " + r.length());
        }
        inFlight[slot]++;
        return r;
    }

    /** Drops one reference taken by {@link #acquire}; runs the drained callbacks of a slot being removed. */
    void release(int slot) {
        if (--inFlight[slot] == 0 && removing[slot]) {
            runDrained(slot);
        }
    }

    /** {@return in-flight references of {@code slot}} */
    int inFlight(int slot) {
        return inFlight[slot];
    }

    /**
     * Marks {@code slot} as being removed (new sends are refused) and runs {@code whenDrained} once no
     * in-flight send references it (at once if none does).
     */
    void beginRemove(int slot, Runnable drained) {
        removing[slot] = true;
        if (inFlight[slot] == 0) {
            drained.run();
        } else {
            List<Runnable> l = whenDrained.get(slot);
            if (l == null) {
                l = new ArrayList<>(1);
                whenDrained.set(slot, l);
            }
            l.add(drained);
        }
    }

    void clear(int slot) {
        regions[slot] = null;
        removing[slot] = false;
        views[slot] = null;
    }

    /**
     * {@return reusable views of the whole region in {@code slot}, so that a send costs no
     * allocation; null for a region larger than {@link Integer#MAX_VALUE} bytes (a
     * {@code ByteBuffer} cannot span it: such sends slice the segment per send instead)}
     *
     * @param slot a slot holding a region (referenced by the caller through {@link #acquire})
     */
    ViewSource views(int slot) {
        ViewSource v = views[slot];
        if (v == null) {
            MemoryRegion r = regions[slot];
            if (r.length() > Integer.MAX_VALUE) {
                return null;
            }
            v = new ViewSource(r.segment().asByteBuffer());
            views[slot] = v;
        }
        return v;
    }

    private void runDrained(int slot) {
        List<Runnable> l = whenDrained.get(slot);
        whenDrained.set(slot, null);
        if (l != null) {
            for (Runnable r : l) {
                r.run();
            }
        }
    }
}
