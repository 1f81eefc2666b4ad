package io.ringline;

import javax.net.ssl.SSLEngine;

/**
 * Creates the {@link SSLEngine} of one TLS connection. This is how a JSSE provider other than
 * the one behind an {@link javax.net.ssl.SSLContext} plugs in, for example Netty's BoringSSL engine
 * ({@code io.netty.handler.ssl.SslContext#newEngine(ByteBufAllocator, String, int)} of a context
 * built with {@code SslProvider.OPENSSL}).
 *
 * <p>The runtime sets the engine's client or server mode and applies the {@link TlsConfig}'s
 * settings (ALPN protocols, client authentication, protocols, cipher suites, server name and
 * endpoint identification) through {@link SSLEngine#setSSLParameters} on top of what the
 * factory configured; it drives the engine on one worker thread and closes it when the
 * connection closes.
 *
 * <p><b>Netty's OpenSSL (BoringSSL) engines</b> ({@code SslContextBuilder...sslProvider(SslProvider.OPENSSL)},
 * {@code io.netty.handler.ssl.ReferenceCountedOpenSslEngine} in netty-handler 4.2):
 * <ul>
 * <li>Protocols, cipher suites, client authentication, SNI and endpoint identification set
 *     through {@code setSSLParameters} are honoured. ALPN is not: Netty's engine ignores
 *     {@link javax.net.ssl.SSLParameters#setApplicationProtocols}, so
 *     {@link TlsConfig#applicationProtocols()} has no effect on it; configure ALPN on the Netty
 *     context instead ({@code SslContextBuilder.applicationProtocolConfig(new ApplicationProtocolConfig(
 *     Protocol.ALPN, ...))}). {@link TlsInfo#applicationProtocol()} reports what was agreed either way.</li>
 * <li>Native memory: at every close (graceful, failed or aborted) the runtime closes the engine's
 *     output, drains what it still had to send and closes its input, which makes Netty call the
 *     engine's {@code shutdown()} and free its native {@code SSL} at once. Use
 *     {@code SslProvider.OPENSSL}: its engines also have a finalizer as a backstop.
 *     {@code OPENSSL_REFCNT} engines additionally hold a reference to their context that only
 *     {@code release()} drops, which the runtime (having no Netty dependency) never calls.</li>
 * <li>Renegotiation is refused by BoringSSL itself (an {@link javax.net.ssl.SSLHandshakeException}
 *     "remote-initiated renegotiation not allowed" closes the connection with
 *     {@link CloseReason#TLS_FAILED}).</li>
 * </ul>
 *
 * <p><b>Threading:</b> called on worker threads, possibly on several at once: must be thread-safe.
 */
@FunctionalInterface
public interface TlsEngineFactory {

    /**
     * Creates an engine for one connection.
     *
     * @param peerHost the peer's host name (a client's server name for SNI and hostname
     *                 verification) or its address as text on a server; may be null
     * @param peerPort the peer's port, or -1 if unknown
     * @return a new engine, never shared between connections
     */
    SSLEngine newEngine(String peerHost, int peerPort);
}
