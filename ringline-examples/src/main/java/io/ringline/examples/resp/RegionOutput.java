package io.ringline.examples.resp;

/**
 * A {@link RespOutput} that can send bytes of a {@link RegionStore}'s arena by reference (ringline:
 * {@link io.ringline.Connection#sendRegion}), used by {@link RegionStore#writeValue} for values of
 * at least {@link RegionStore#regionThreshold()} bytes.
 */
public interface RegionOutput extends RespOutput {

    /**
     * Queues {@code length} bytes of the arena at {@code offset}, after everything written so far.
     * The memory is pinned by {@code pin}: the output must call {@link RegionStore.Pin#release()}
     * exactly once, when the bytes no longer need the memory (handed to the kernel, or dropped
     * because the connection closed).
     */
    void writeRegion(long offset, int length, RegionStore.Pin pin);
}
