package io.ringline.internal;

import io.ringline.WorkerStats;
import io.ringline.spi.IoStats;

/**
 * Plain counters written by the worker thread only: the core increments its fields, the backend
 * reports through {@link #io()}; other threads read them racily (documented in {@link WorkerStats}).
 * The backend's view is a separate object, so that a handler cannot cast its {@code WorkerStats}
 * to {@link IoStats} and write them.
 */
final class WorkerStatsImpl implements WorkerStats {
    long bytesIn;
    long bytesOut;
    long connectionsOpened;
    long connectionsClosed;
    long regionSends;
    long copiedSends;
    long passThroughSends;
    long loopIterations;
    long tlsHandshakes;
    long tlsFailures;
    long datagramsReceived;
    long datagramsSent;
    long datagramsTruncated;
    long datagramsDropped;
    long datagramSendsRefused;
    long datagramSendFailures;
    private long zeroCopySends;
    private long opsSubmitted;
    private long kernelEnters;
    private long recvBufferExhausted;

    @Override public long bytesIn() { return bytesIn; }
    @Override public long bytesOut() { return bytesOut; }
    @Override public long connectionsOpened() { return connectionsOpened; }
    @Override public long connectionsClosed() { return connectionsClosed; }
    @Override public long regionSends() { return regionSends; }
    @Override public long zeroCopySends() { return zeroCopySends; }
    @Override public long copiedSends() { return copiedSends; }
    @Override public long passThroughSends() { return passThroughSends; }
    @Override public long opsSubmitted() { return opsSubmitted; }
    @Override public long kernelEnters() { return kernelEnters; }
    @Override public long recvBufferExhausted() { return recvBufferExhausted; }
    @Override public long loopIterations() { return loopIterations; }
    @Override public long tlsHandshakes() { return tlsHandshakes; }
    @Override public long tlsFailures() { return tlsFailures; }
    @Override public long datagramsReceived() { return datagramsReceived; }
    @Override public long datagramsSent() { return datagramsSent; }
    @Override public long datagramsTruncated() { return datagramsTruncated; }
    @Override public long datagramsDropped() { return datagramsDropped; }
    @Override public long datagramSendsRefused() { return datagramSendsRefused; }
    @Override public long datagramSendFailures() { return datagramSendFailures; }

    private final IoStats io = new IoStats() {
        @Override
        public void opsSubmitted(int n) {
            opsSubmitted += n;
        }

        @Override
        public void kernelEntered() {
            kernelEnters++;
        }

        @Override
        public void recvBufferExhausted() {
            recvBufferExhausted++;
            JfrEvents.receiveBufferExhausted(recvBufferExhausted);
        }

        @Override
        public void zeroCopySent() {
            zeroCopySends++;
        }
    };

    /** {@return the counters the backend reports into (worker thread only)} */
    IoStats io() {
        return io;
    }

    @Override
    public String toString() {
        return "WorkerStats[in=" + bytesIn + ", out=" + bytesOut + ", opened=" + connectionsOpened
                + ", closed=" + connectionsClosed + ", regionSends=" + regionSends + ", zeroCopySends=" + zeroCopySends
                + ", copiedSends=" + copiedSends + ", passThroughSends=" + passThroughSends + ", ops=" + opsSubmitted
                + ", enters=" + kernelEnters + ", recvExhausted=" + recvBufferExhausted + ", loops=" + loopIterations + "]";
    }
}
