package io.ringline.spi;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;

/**
 * A bound listening socket and whatever accepts on it (a thread, or the backend's own event loop),
 * created by {@link Backend#listen}.
 *
 * <p><b>Threading:</b> every method may be called from any thread, including a worker thread and
 * the accepting thread itself; none of them blocks.
 */
public interface Listener extends AutoCloseable {

    /** {@return the bound address (port 0 resolved)} */
    InetSocketAddress localAddress();

    /**
     * Tells the listener to stop and returns at once, without waiting for the accepting thread:
     * it stops accepting, closes the listening socket and ends; {@link #closed()} completes then.
     * Sockets it still accepts meanwhile are refused by the {@link AcceptSink} (the runtime closes
     * it first) and closed, never served. Idempotent.
     */
    @Override
    void close();

    /**
     * {@return a stage completed once accepting has ended and the listening socket is closed, so
     * that the port can be bound again; it never fails} It may complete on the accepting thread
     * (or at once if already done), so dependent actions must be short and must not block. Also
     * completes if accepting ends on its own (e.g. the accepting thread died).
     */
    CompletionStage<Void> closed();
}
