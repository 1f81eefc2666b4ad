package io.ringline.internal;

import io.ringline.WorkerStats;

/**
 * Plain counters written by the worker thread only. Backends increment the public fields directly;
 * other threads read them racily (documented in {@link WorkerStats}).
 */
public final class WorkerStatsImpl implements WorkerStats {
    public long bytesIn;
    public long bytesOut;
    public long connectionsOpened;
    public long connectionsClosed;
    public long regionSends;
    public long copiedSends;
    public long opsSubmitted;
    public long kernelEnters;
    public long recvBufferExhausted;
    public long loopIterations;

    @Override public long bytesIn() { return bytesIn; }
    @Override public long bytesOut() { return bytesOut; }
    @Override public long connectionsOpened() { return connectionsOpened; }
    @Override public long connectionsClosed() { return connectionsClosed; }
    @Override public long regionSends() { return regionSends; }
    @Override public long copiedSends() { return copiedSends; }
    @Override public long opsSubmitted() { return opsSubmitted; }
    @Override public long kernelEnters() { return kernelEnters; }
    @Override public long recvBufferExhausted() { return recvBufferExhausted; }
    @Override public long loopIterations() { return loopIterations; }

    @Override
    public String toString() {
        return "WorkerStats[in=" + bytesIn + ", out=" + bytesOut + ", opened=" + connectionsOpened
                + ", closed=" + connectionsClosed + ", regionSends=" + regionSends + ", copiedSends=" + copiedSends
                + ", ops=" + opsSubmitted + ", enters=" + kernelEnters + ", recvExhausted=" + recvBufferExhausted
                + ", loops=" + loopIterations + "]";
    }
}
