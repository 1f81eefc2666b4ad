package io.ringline.internal;

/**
 * Something with sends the worker loop flushes at its next flush point, once per pass however
 * many sends were queued (a connection, a UDP socket): see {@link WorkerLoop#markDirty}.
 */
interface FlushPoint {

    /** The loop's flush point: hand what is queued to the transport. Worker thread only. */
    void flushNow();
}
