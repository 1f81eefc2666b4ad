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
