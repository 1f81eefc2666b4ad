package io.ringline;

/**
 * The slot a {@link MemoryRegion} occupies in every worker's registered-region table.
 *
 * <p>The same slot is used on every worker (for io_uring: the same index in each ring's
 * kernel registered-buffer table), so a {@code RegionId} obtained from
 * {@link ShutdownHandle#registerRegion(MemoryRegion)} can be used with
 * {@link Connection#sendRegion(RegionId, long, int)} on any worker.
 *
 * <p>Immutable and thread-safe.
 *
 * @param slot the slot index, or {@code -1} for {@link #UNREGISTERED}
 */
public record RegionId(int slot) {

    /** Sentinel meaning "no region"; never refers to a registered slot. */
    public static final RegionId UNREGISTERED = new RegionId(-1);

    /**
     * Creates a region id, checking the slot.
     *
     * @throws IllegalArgumentException if {@code slot < -1}
     */
    public RegionId {
        if (slot < -1) {
            throw new IllegalArgumentException("region slot must be >= 0 (or -1 for UNREGISTERED), was " + slot);
        }
    }

    /** {@return the region id for the given slot} */
    public static RegionId of(int slot) {
        return slot == -1 ? UNREGISTERED : new RegionId(slot);
    }

    /** {@return whether this is the {@link #UNREGISTERED} sentinel} */
    public boolean isUnregistered() {
        return slot == -1;
    }

    @Override
    public String toString() {
        return slot == -1 ? "RegionId[UNREGISTERED]" : "RegionId[" + slot + "]";
    }
}
