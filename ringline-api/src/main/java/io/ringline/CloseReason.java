package io.ringline;

/** Why a connection was closed; passed to {@link Handler#onClose(Connection, CloseReason, Throwable)}. */
public enum CloseReason {
    /** The peer closed its side (end of stream) and the connection then closed normally. */
    PEER_CLOSED,
    /** The peer reset the connection (ECONNRESET, EPIPE). */
    RESET,
    /** An I/O error, or an exception thrown by the handler. The cause is given. */
    ERROR,
    /** The application closed the connection with {@link Connection#close()} or {@link Connection#abort()}. */
    LOCAL,
    /** The runtime shut down. */
    SHUTDOWN,
    /**
     * No byte was received or written for the connection's idle timeout
     * ({@link Connection#setIdleTimeout}, default {@link Config#idleTimeout()}). The connection was
     * closed, or reset if bytes were still queued (a peer that stopped reading).
     */
    IDLE_TIMEOUT,
    /**
     * The connection's TLS layer failed (see {@link TlsConfig}): the handshake failed or did not
     * complete within {@link TlsConfig#handshakeTimeout()}, the peer sent a fatal alert or a record
     * that does not decrypt, or it asked to renegotiate (refused). The cause is the
     * {@link javax.net.ssl.SSLException} (a {@link TlsHandshakeTimeoutException} for the timeout),
     * whose message names the alert.
     */
    TLS_FAILED
}
