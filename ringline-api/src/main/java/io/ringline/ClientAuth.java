package io.ringline;

/** Whether a TLS server asks its clients for a certificate ({@link TlsConfig.Builder#clientAuth}). */
public enum ClientAuth {
    /** No client certificate is asked for. */
    NONE,
    /** A client certificate is asked for; a client without one is still served. */
    OPTIONAL,
    /** A client certificate is required and verified; the handshake fails without one. */
    REQUIRED
}
