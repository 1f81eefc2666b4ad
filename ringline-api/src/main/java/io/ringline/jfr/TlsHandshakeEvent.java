package io.ringline.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A TLS handshake completed or failed; its duration is measured from the connection's open.
 * Committed on the worker's thread.
 */
@Name("ringline.TlsHandshake")
@Label("TLS Handshake")
@Category({"ringline", "TLS"})
@Description("A ringline TLS handshake completed or failed")
@Enabled(false)
@StackTrace(false)
public final class TlsHandshakeEvent extends Event {

    /** Creates an event, neither begun nor committed (the core fills in its fields and commits it). */
    public TlsHandshakeEvent() {
    }
    /** The worker. */
    @Label("Worker") public int worker;
    /** The peer's address. */
    @Label("Remote Address") public String remoteAddress;
    /** Whether this side is the server. */
    @Label("Server") public boolean server;
    /** Whether the handshake completed. */
    @Label("Success") public boolean success;
    /** The negotiated protocol ({@code TLSv1.3}); null on failure. */
    @Label("Protocol") public String protocol;
    /** The negotiated cipher suite; null on failure. */
    @Label("Cipher Suite") public String cipherSuite;
    /** The ALPN protocol chosen; null if none. */
    @Label("ALPN") public String alpn;
    /** The failure's message (the alert, or the timeout); null on success. */
    @Label("Failure") public String failure;
    /** From the connection's open to the handshake's end. */
    @Label("Handshake Duration") @Timespan(Timespan.NANOSECONDS) public long handshakeDuration;
}
