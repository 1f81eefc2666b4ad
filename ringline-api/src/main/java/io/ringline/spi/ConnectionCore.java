package io.ringline.spi;

import io.ringline.CloseReason;
import io.ringline.Connection;

import java.nio.ByteBuffer;

/**
 * The core of one connection, created by {@link WorkerServices#newConnection}: it owns the
 * user-facing {@link Connection}, the send queue and backpressure, the receive accumulator and
 * parse contract, half-close and the close lifecycle, and calls the handler. The backend reports
 * its socket's events here and implements the socket operations in its {@link Transport}.
 *
 * <p><b>Threading:</b> worker thread only.
 *
 * <p><b>Order of reports.</b> {@link #open()} first, once. Then, in any interleaving:
 * {@link #received} for bytes in stream order; {@link #written} for bytes taken by the socket
 * from the head of {@link #outbound()}, then {@link #flushed()} once per flush (also after a flush
 * that wrote nothing); at most one {@link #inputEnded()}, after the last {@code received}; at most
 * one {@link #failed}. Once the core has called {@link Transport#close}, {@link #isClosed()} is
 * true and every report is ignored (bytes received then are discarded), so a backend may report
 * completions that arrive after the close without checking.
 */
public interface ConnectionCore {

    /**
     * Takes a connection slot and token, then calls {@code Handler.onOpen}.
     *
     * @return false if the connection is already closed again (the handler closed it in
     *         {@code onOpen}, or the worker is shutting down): do not start receiving
     * @throws io.ringline.RinglineException if the worker serves
     *         {@link io.ringline.Config#maxConnectionsPerWorker()} connections already; the
     *         transport was not used, the backend closes its socket itself
     */
    boolean open();

    /** {@return the user-facing connection (for {@link WorkerIo#connect} results)} */
    Connection connection();

    /** {@return a read-only view of the send queue, for {@link Transport#flush()}} */
    OutboundQueue outbound();

    /**
     * Received bytes, from memory the core may not borrow: {@code received(src, null)}.
     *
     * @param src the bytes (read-only, direct)
     * @throws IllegalArgumentException if {@code src} is not read-only or not direct
     */
    default void received(ByteBuffer src) {
        received(src, null);
    }

    /**
     * Received bytes: {@code src} from position to limit. Runs the parse contract with the
     * handler, presenting {@code src} itself to {@code Handler.onData} (so it must be a read-only
     * direct buffer: the core wraps nothing, nothing is allocated per delivery); bytes the handler
     * leaves unconsumed are copied into the connection's accumulator. The core may change
     * {@code src}'s position and limit and does not keep it: the backend resets and may reuse it
     * once this returns.
     *
     * <p>With {@code memory} non-null, a handler's {@link Connection#sendReceived(ByteBuffer)}
     * borrows that memory ({@link ReceivedMemory#tryRetain()}) instead of copying; the backend
     * must then not reuse it before the matching {@link ReceivedMemory#release()}, which may come
     * after this call returned.
     *
     * @param src    the bytes (read-only, direct)
     * @param memory the memory behind {@code src} if the backend can lend it, else null
     * @throws IllegalArgumentException if {@code src} is not read-only or not direct
     */
    void received(ByteBuffer src, ReceivedMemory memory);

    /**
     * The socket took {@code n} bytes from the head of {@link #outbound()} (entries finished are
     * released, or held while {@link OutboundQueue#retain() retained}).
     *
     * @param n bytes written, at most {@link OutboundQueue#bytes()}
     */
    void written(long n);

    /**
     * A flush ended (the socket took what it could). Completes a pending close or half-close when
     * the queue is empty, and calls {@code onWritable} when a refused sender may send again.
     */
    void flushed();

    /** The peer shut its output down (end of stream). */
    void inputEnded();

    /**
     * The socket failed or the backend cannot go on: closes now (the core calls
     * {@link Transport#close(boolean) close(true)} if bytes were queued) and reports {@code reason}.
     *
     * @param reason {@link CloseReason#RESET} for a reset or broken pipe, else {@link CloseReason#ERROR}
     * @param cause  what happened
     */
    void failed(CloseReason reason, Throwable cause);

    /** {@return whether the connection is closed (the core called {@link Transport#close})} */
    boolean isClosed();

    /** {@return whether the handler paused reading (the transport was told)} */
    boolean isReadingPaused();
}
