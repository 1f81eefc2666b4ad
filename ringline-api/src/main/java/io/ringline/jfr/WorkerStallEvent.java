package io.ringline.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * One worker-loop pass or one handler callback that took longer than the event's threshold
 * ({@code 10 ms} by default; the recording's {@code threshold} setting changes it). The event's
 * duration is the time taken. Committed on the worker's thread, after the slow work, with its stack
 * trace off (the trace would show the emitter, not the slow code: use execution samples for that).
 */
@Name("ringline.WorkerStall")
@Label("Worker Stall")
@Category({"ringline", "Worker"})
@Description("A ringline worker loop pass or handler callback that blocked the event loop longer than the threshold")
@Enabled(false)
@StackTrace(false)
@Threshold("10 ms")
public final class WorkerStallEvent extends Event {

    /** Creates an event, neither begun nor committed (the core fills in its fields and commits it). */
    public WorkerStallEvent() {
    }
    /** The worker. */
    @Label("Worker") public int worker;
    /** The handler's class name (null for a loop pass). */
    @Label("Handler Class") public String handlerClass;
    /** The callback ({@code onData}, {@code onOpen}, {@code onClose}, {@code onTick}, {@code onDatagram}, {@code onDatagramTruncated}) or {@code loopPass}. */
    @Label("Callback") public String callback;
}
