package io.ringline.spi;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;

/**
 * A bound listening socket and the thread that accepts on it.
 *
 * <p><b>Threading:</b> every method may be called from any thread, including a worker thread and
 * the accepting thread itself; none of them blocks.
 */
public interface Listener extends AutoCloseable {

    /** {@return the bound address (port 0 resolved)} */
    InetSocketAddress localAddress();

    /**
     * Tells the listener to stop and returns at once, without waiting for the accepting thread:
     * the accepting thread is woken (for example by closing or shutting down the socket), stops
     * accepting, closes the listening socket and ends; {@link #closed()} completes then. Sockets it
     * still accepts meanwhile are closed, never served (the runtime closes its
     * {@link io.ringline.internal.AcceptDispatcher} first). Idempotent.
     */
    @Override
    void close();

    /**
     * {@return a stage completed once the accepting thread has ended and the listening socket is
     * closed, so that the port can be bound again; it never fails} It completes on the accepting
     * thread (or at once if already done), so dependent actions must be short and must not block.
     * Also completes if the accepting thread ends on its own (e.g. it died).
     */
    CompletionStage<Void> closed();
}
