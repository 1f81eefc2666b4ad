package io.ringline.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Backpressure on a worker: a send refused because the send queue is full (on a connection or a UDP
 * socket), or a connection's reading paused or resumed by its handler. Committed on the worker's thread.
 */
@Name("ringline.Backpressure")
@Label("Backpressure")
@Category({"ringline", "Connection"})
@Description("A ringline send refused for a full send queue, or reading paused/resumed")
@Enabled(false)
@StackTrace(false)
public final class BackpressureEvent extends Event {

    /** Creates an event, neither begun nor committed (the core fills in its fields and commits it). */
    public BackpressureEvent() {
    }
    /** What happened: {@code SEND_REFUSED}, {@code READ_PAUSED} or {@code READ_RESUMED}. */
    @Label("Kind") public String kind;
    /** The worker. */
    @Label("Worker") public int worker;
    /** {@code connection} or {@code udp}. */
    @Label("Channel") public String channel;
    /** The peer's address (a connection's, or a connected UDP socket's; null for an unconnected UDP socket). */
    @Label("Remote Address") public String remoteAddress;
    /** Bytes queued when a send was refused (0 otherwise). */
    @Label("Queued") @DataAmount public long queued;
    /** Bytes of the refused send (0 otherwise). */
    @Label("Requested") @DataAmount public long requested;
    /** The send queue limit (0 for reading events). */
    @Label("Limit") @DataAmount public long limit;
}
