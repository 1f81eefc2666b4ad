package io.ringline.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A connection opened (accepted or connected) on a worker; committed on that worker's thread. */
@Name("ringline.ConnectionOpened")
@Label("Connection Opened")
@Category({"ringline", "Connection"})
@Description("A connection opened on a ringline worker")
@Enabled(false)
@StackTrace(false)
public final class ConnectionOpenedEvent extends Event {

    /** Creates an event, neither begun nor committed (the core fills in its fields and commits it). */
    public ConnectionOpenedEvent() {
    }
    /** The backend's name ({@code nio}, {@code io_uring}, ...). */
    @Label("Backend") public String backend;
    /** The worker the connection is pinned to. */
    @Label("Worker") public int worker;
    /** The peer's address. */
    @Label("Remote Address") public String remoteAddress;
    /** The local address. */
    @Label("Local Address") public String localAddress;
    /** Whether the connection runs TLS. */
    @Label("TLS") public boolean tls;
}
