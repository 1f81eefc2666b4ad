package io.ringline.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/**
 * A periodic sample of one worker's {@link io.ringline.WorkerStats} (cumulative counters), taken
 * on the recorder's periodic thread while a runtime runs ({@code period} 1 s in {@code ringline.jfc}).
 * The counters are read racily, as {@link io.ringline.WorkerStats} documents.
 */
@Name("ringline.WorkerStatistics")
@Label("Worker Statistics")
@Category({"ringline", "Worker"})
@Description("Periodic sample of a ringline worker's counters")
@Enabled(false)
@StackTrace(false)
@Period("1 s")
public final class WorkerStatisticsEvent extends Event {

    /** Creates an event, neither begun nor committed (the core fills in its fields and commits it). */
    public WorkerStatisticsEvent() {
    }
    /** The backend's name. */
    @Label("Backend") public String backend;
    /** The worker. */
    @Label("Worker") public int worker;
    /** {@link io.ringline.WorkerStats#bytesIn()}. */
    @Label("Bytes In") @DataAmount public long bytesIn;
    /** {@link io.ringline.WorkerStats#bytesOut()}. */
    @Label("Bytes Out") @DataAmount public long bytesOut;
    /** {@link io.ringline.WorkerStats#connectionsOpened()}. */
    @Label("Connections Opened") public long connectionsOpened;
    /** {@link io.ringline.WorkerStats#connectionsClosed()}. */
    @Label("Connections Closed") public long connectionsClosed;
    /** {@link io.ringline.WorkerStats#regionSends()}. */
    @Label("Region Sends") public long regionSends;
    /** {@link io.ringline.WorkerStats#zeroCopySends()}. */
    @Label("Zero-Copy Sends") public long zeroCopySends;
    /** {@link io.ringline.WorkerStats#copiedSends()}. */
    @Label("Copied Sends") public long copiedSends;
    /** {@link io.ringline.WorkerStats#opsSubmitted()}. */
    @Label("Ops Submitted") public long opsSubmitted;
    /** {@link io.ringline.WorkerStats#kernelEnters()}. */
    @Label("Kernel Enters") public long kernelEnters;
    /** {@link io.ringline.WorkerStats#recvBufferExhausted()}. */
    @Label("Receive Buffer Exhausted") public long recvBufferExhausted;
    /** {@link io.ringline.WorkerStats#loopIterations()}. */
    @Label("Loop Iterations") public long loopIterations;
    /** {@link io.ringline.WorkerStats#tlsHandshakes()}. */
    @Label("TLS Handshakes") public long tlsHandshakes;
    /** {@link io.ringline.WorkerStats#tlsFailures()}. */
    @Label("TLS Failures") public long tlsFailures;
    /** {@link io.ringline.WorkerStats#datagramsReceived()}. */
    @Label("Datagrams Received") public long datagramsReceived;
    /** {@link io.ringline.WorkerStats#datagramsSent()}. */
    @Label("Datagrams Sent") public long datagramsSent;
    /** {@link io.ringline.WorkerStats#datagramSendsRefused()}. */
    @Label("Datagram Sends Refused") public long datagramSendsRefused;
}
