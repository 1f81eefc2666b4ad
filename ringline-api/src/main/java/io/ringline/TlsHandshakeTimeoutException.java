package io.ringline;

import javax.net.ssl.SSLHandshakeException;

/**
 * A TLS handshake did not complete within its {@link TlsConfig#handshakeTimeout()}: the cause
 * given with {@link CloseReason#TLS_FAILED}, and the failure of a TLS connect's stage.
 */
public final class TlsHandshakeTimeoutException extends SSLHandshakeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what timed out, with the timeout
     */
    public TlsHandshakeTimeoutException(String message) {
        super(message);
    }
}
