package io.ringline.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The backend ran out of receive buffers (it counts {@link io.ringline.WorkerStats#recvBufferExhausted()};
 * io_uring's provided buffer ring, for example); committed on the worker's thread.
 */
@Name("ringline.ReceiveBufferExhausted")
@Label("Receive Buffer Exhausted")
@Category({"ringline", "Worker"})
@Description("A ringline backend had no receive buffer left")
@Enabled(false)
@StackTrace(false)
public final class ReceiveBufferExhaustedEvent extends Event {

    /** Creates an event, neither begun nor committed (the core fills in its fields and commits it). */
    public ReceiveBufferExhaustedEvent() {
    }
    /** The worker. */
    @Label("Worker") public int worker;
    /** The worker's count of exhaustions, this one included. */
    @Label("Count") public long count;
}
