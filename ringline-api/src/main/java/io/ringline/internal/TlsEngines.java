package io.ringline.internal;

import io.ringline.TlsConfig;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * Creates the {@link SSLEngine} of one TLS connection from its {@link TlsConfig}: the config's
 * {@link io.ringline.TlsEngineFactory} makes it, then the mode and the config's settings are laid
 * over the engine's own {@link SSLParameters} (protocols, cipher suites if given, ALPN, client
 * authentication; on a client SNI and endpoint identification) with one
 * {@link SSLEngine#setSSLParameters} call. Stateless.
 */
final class TlsEngines {

    private TlsEngines() {
    }

    /**
     * {@return the server name a client sends and verifies: the config's, else the host of
     * {@code remote} as given (not resolved); null if there is none}
     */
    static String serverName(TlsConfig config, SocketAddress remote) {
        if (config.serverName().isPresent()) {
            return config.serverName().get();
        }
        return remote instanceof InetSocketAddress a ? a.getHostString() : null;
    }

    /** {@return whether {@code host} is an IPv4 or IPv6 literal (no SNI is sent for one)} */
    static boolean isIpLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        for (int i = 0; i < host.length(); i++) {
            char ch = host.charAt(i);
            if (ch != '.' && (ch < '0' || ch > '9')) {
                return false;
            }
        }
        return !host.isEmpty();
    }

    /**
     * Creates a client engine.
     *
     * @param serverName the server name (see {@link #serverName}); null: no SNI, no hostname check possible
     * @param remote     the address connected to
     * @throws SSLException if the factory or the engine refuses the settings (the cause says why)
     */
    static SSLEngine client(TlsConfig config, String serverName, SocketAddress remote) throws SSLException {
        SSLEngine engine = newEngine(config, serverName, port(remote));
        try {
            engine.setUseClientMode(true);
            SSLParameters p = common(config, engine.getSSLParameters());
            if (serverName != null && !isIpLiteral(serverName)) {
                p.setServerNames(List.of(new SNIHostName(serverName)));
            }
            if (config.hostnameVerification()) {
                p.setEndpointIdentificationAlgorithm("HTTPS");
            }
            engine.setSSLParameters(p);
            return engine;
        } catch (RuntimeException e) {
            throw refused(config, e);
        }
    }

    /**
     * Creates a server engine for a connection from {@code remote}.
     *
     * @throws SSLException if the factory or the engine refuses the settings (the cause says why)
     */
    static SSLEngine server(TlsConfig config, SocketAddress remote) throws SSLException {
        String host = remote instanceof InetSocketAddress a
                ? (a.getAddress() != null ? hostAddress(a.getAddress()) : a.getHostString()) : null;
        SSLEngine engine = newEngine(config, host, port(remote));
        try {
            engine.setUseClientMode(false);
            SSLParameters p = common(config, engine.getSSLParameters());
            switch (config.clientAuth()) {
                case REQUIRED -> p.setNeedClientAuth(true);
                case OPTIONAL -> p.setWantClientAuth(true);
                case NONE -> p.setNeedClientAuth(false); // clears "want" as well
            }
            engine.setSSLParameters(p);
            return engine;
        } catch (RuntimeException e) {
            throw refused(config, e);
        }
    }

    private static String hostAddress(InetAddress a) {
        return a.getHostAddress(); // the literal: never a reverse lookup on the worker thread
    }

    private static int port(SocketAddress remote) {
        return remote instanceof InetSocketAddress a ? a.getPort() : -1;
    }

    private static SSLEngine newEngine(TlsConfig config, String host, int port) throws SSLException {
        SSLEngine engine;
        try {
            engine = config.engineFactory().newEngine(host, port);
        } catch (RuntimeException e) {
            throw new SSLException("the TlsEngineFactory of " + config + " failed: " + e, e);
        }
        if (engine == null) {
            throw new SSLException("the TlsEngineFactory of " + config + " returned null");
        }
        return engine;
    }

    private static SSLParameters common(TlsConfig config, SSLParameters p) {
        p.setProtocols(config.protocols().toArray(String[]::new));
        if (!config.cipherSuites().isEmpty()) {
            p.setCipherSuites(config.cipherSuites().toArray(String[]::new));
        }
        if (!config.applicationProtocols().isEmpty()) {
            p.setApplicationProtocols(config.applicationProtocols().toArray(String[]::new));
        }
        return p;
    }

    private static SSLException refused(TlsConfig config, RuntimeException e) {
        return new SSLException("the TLS engine refused the settings of " + config + ": " + e.getMessage(), e);
    }
}
