package io.ringline;

import java.nio.ByteBuffer;

/**
 * Application logic of one worker. Each worker gets its own instance from
 * {@link HandlerFactory#create(WorkerContext)}, and every callback of that instance runs on that
 * worker's thread, so a handler needs no locks for its own state.
 *
 * <p><b>Failures:</b> anything a connection callback throws (any exception or error, checked or
 * not) closes that connection with {@link CloseReason#ERROR} and the thrown object as the cause;
 * from {@link #onClose} or {@link #onTick} it is logged. It never stops the worker, on any
 * backend. The one exception is a {@link VirtualMachineError} (out of memory, stack overflow):
 * the JVM may then be in an unknown state, so the worker dies and the runtime shuts itself down
 * (see {@link Runtime#awaitTermination()}).
 */
public interface Handler {

    /**
     * A connection was accepted by a listener, or an outbound connect completed. On a TLS
     * connection this is the TCP open, before the handshake: {@link #onTlsHandshake} follows when
     * it completed, and bytes sent meanwhile are queued until then.
     *
     * @param connection the new connection
     */
    default void onOpen(Connection connection) {
    }

    /**
     * Bytes arrived. {@code data} holds every byte received and not yet consumed, from its position
     * to its limit. Return how many bytes were consumed from the start: the rest is kept and
     * presented again, followed by new bytes, with the next call ("consumed n / need more").
     * Returning 0 means "need more". Unconsumed bytes are kept up to {@link Config#inboundLimit()};
     * beyond it the connection is closed with {@link CloseReason#ERROR}. To stop receiving for a
     * while (for example until {@link #onWritable} fires), call {@link Connection#pauseReading()}.
     *
     * <p><b>Indexes.</b> The bytes start at {@code data.position()}, which need not be 0: the
     * runtime shows the receive buffer itself (or its accumulator of kept bytes) without slicing.
     * Parse relative to the position, e.g. {@code data.get(data.position() + i)} or relative gets;
     * never assume index 0. The consumed count is relative to the position too: returning
     * {@code n} consumes {@code data.position()} to {@code data.position() + n} as it was when
     * the call began. Within one delivery the handler may be called again with the same buffer
     * at a later position (after it consumed some bytes and more are left).
     *
     * <p><b>Position, limit, byte order.</b> The handler may move {@code data}'s position, limit
     * and mark and change its byte order freely (e.g. relative gets, or {@code order(LITTLE_ENDIAN)}
     * for a little-endian protocol): after each call the runtime sets the position back to where
     * the unconsumed bytes start plus the consumed count, the limit back to the end of the bytes and
     * the byte order back to {@link java.nio.ByteOrder#BIG_ENDIAN}, which is also the order every
     * call begins with. Only the return value counts.
     *
     * <p>{@code data} is read-only, direct, and valid only during the call: copy what must outlive
     * it (or send it with {@link Connection#sendReceived(ByteBuffer)}, which may avoid the copy).
     *
     * <p><b>Threading:</b> called on the connection's worker thread.
     *
     * @param connection the connection
     * @param data       unconsumed bytes received so far, from its position to its limit (read-only,
     *                   direct, big-endian, valid only during the call)
     * @return bytes consumed from {@code data}'s position, between 0 and {@code data.remaining()};
     *         anything else closes the connection with {@link CloseReason#ERROR}
     */
    int onData(Connection connection, ByteBuffer data);

    /**
     * The TLS handshake of {@code connection} completed ({@link TlsConfig}): called once, after
     * {@link #onOpen} and before the first {@link #onData}; {@link Connection#tls()} is present from
     * now on. Bytes sent before it were queued and are encrypted now. Never called on a plaintext
     * connection, nor on one whose handshake failed (it closes with
     * {@link CloseReason#TLS_FAILED}). The default does nothing.
     *
     * @param connection the connection
     */
    default void onTlsHandshake(Connection connection) {
    }

    /**
     * The connection's send queue drained to half of {@link Config#sendQueueLimit()} after a send
     * had been refused ({@link Connection#isWritable()} had turned false): the application may send
     * again. Fires once per refusal episode.
     *
     * @param connection the connection
     */
    default void onWritable(Connection connection) {
    }

    /**
     * The peer shut down its output (end of stream); all bytes it sent were delivered by
     * {@link #onData}. The connection may still send. The default closes the connection gracefully
     * (pending sends are flushed first), which reports {@link CloseReason#PEER_CLOSED}.
     *
     * @param connection the connection
     */
    default void onInputClosed(Connection connection) {
        connection.close();
    }

    /**
     * The connection closed. Called exactly once per opened connection. After it returns, the
     * connection's handle is stale.
     *
     * @param connection the closed connection
     * @param reason     why it closed
     * @param cause      the error for {@link CloseReason#ERROR} and {@link CloseReason#RESET}, else null
     */
    default void onClose(Connection connection, CloseReason reason, Throwable cause) {
    }

    /**
     * The runtime started a graceful shutdown ({@link ShutdownHandle#shutdown()}): finish this
     * connection. Called once per open connection, on its worker. From now on the handler gets no
     * more input: bytes already kept or still arriving are discarded (reading goes on, also on a
     * paused connection, so that the peer's unread bytes cannot turn the close into a reset), and
     * {@link Connection#pauseReading()} has no effect. Sends still work: a handler that holds
     * replies it has not queued yet (for example waiting for {@link #onWritable}) sends them, then
     * calls {@link Connection#close()}, which flushes the queue and closes (reporting
     * {@link CloseReason#SHUTDOWN}). The default closes at once.
     *
     * <p>A connection still open when {@link Config#shutdownGracePeriod()} ends is reset (the peer
     * sees ECONNRESET, never a clean end of stream in the middle of a reply), as is any connection
     * closed while bytes are still queued.
     *
     * @param connection the connection
     */
    default void onDrain(Connection connection) {
        connection.close();
    }

    /**
     * Called once per iteration of the worker's event loop, after I/O and timers were processed.
     * Keep it short.
     *
     * @param worker the worker
     */
    default void onTick(WorkerContext worker) {
    }
}
