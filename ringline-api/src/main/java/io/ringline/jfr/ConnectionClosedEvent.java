package io.ringline.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A connection closed; committed on its worker's thread once {@code onClose} is due. */
@Name("ringline.ConnectionClosed")
@Label("Connection Closed")
@Category({"ringline", "Connection"})
@Description("A connection of a ringline worker closed")
@Enabled(false)
@StackTrace(false)
public final class ConnectionClosedEvent extends Event {

    /** Creates an event, neither begun nor committed (the core fills in its fields and commits it). */
    public ConnectionClosedEvent() {
    }
    /** The backend's name. */
    @Label("Backend") public String backend;
    /** The worker the connection was pinned to. */
    @Label("Worker") public int worker;
    /** The peer's address. */
    @Label("Remote Address") public String remoteAddress;
    /** The local address. */
    @Label("Local Address") public String localAddress;
    /** Whether the connection ran TLS. */
    @Label("TLS") public boolean tls;
    /** The {@link io.ringline.CloseReason} name. */
    @Label("Close Reason") public String reason;
    /** The failure's message when it closed with one, else null. */
    @Label("Cause") public String cause;
    /** Bytes received on the connection (ciphertext for TLS). */
    @Label("Bytes In") @DataAmount public long bytesIn;
    /** Bytes written to the connection (ciphertext for TLS). */
    @Label("Bytes Out") @DataAmount public long bytesOut;
    /** How long the connection was open. */
    @Label("Lifetime") @Timespan(Timespan.NANOSECONDS) public long lifetime;
}
