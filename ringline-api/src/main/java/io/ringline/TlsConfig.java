package io.ringline;

import io.ringline.internal.PemFiles;

import javax.net.ssl.SSLContext;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The TLS configuration of a listener ({@link Config.Builder#bind(java.net.InetSocketAddress, TlsConfig)})
 * or of an outbound connection ({@link WorkerContext#connect(java.net.SocketAddress, TlsConfig, Duration)}):
 * where engines come from (a standard {@link SSLContext}, any JSSE provider, or a
 * {@link TlsEngineFactory}, e.g. Netty's BoringSSL engines) and what the runtime asks of them.
 *
 * <p>TLS runs inside the runtime, below the handler: {@link Handler#onData} sees plaintext with the
 * usual consumed/need-more contract; sends are encrypted in order, one connection's records never
 * interleave; {@code sendAsync} completes once the ciphertext was handed to the kernel; graceful
 * close and {@link Connection#shutdownOutput()} send {@code close_notify}. {@link Handler#onOpen}
 * runs when the TCP connection opens, {@link Handler#onTlsHandshake} when the handshake completed
 * (bytes sent before are queued and encrypted after it). A failed or timed-out handshake, an alert
 * from the peer, a bad record or a renegotiation attempt (refused) closes the connection with
 * {@link CloseReason#TLS_FAILED}. TLS 1.3 and 1.2 are enabled by default.
 *
 * <p><b>Half-close depends on the engine.</b> With the JDK's engine on TLS 1.3, a peer's
 * {@code close_notify} is an end of stream ({@link Handler#onInputClosed}) and the connection may
 * still send; after {@link Connection#shutdownOutput()} it still receives. On TLS 1.2, and with
 * Netty's OpenSSL (BoringSSL) engines on any version, the engine answers a peer's
 * {@code close_notify} with its own: {@code onInputClosed} runs, {@link Connection#isWritable()} is
 * false and sends throw {@link ConnectionClosedException} saying why (plaintext queued but not yet
 * encrypted is dropped, its {@code sendAsync} futures fail). Netty's OpenSSL engines also stop
 * reading once they sent their own {@code close_notify}, so there {@code shutdownOutput()} is
 * followed by a close ({@link CloseReason#LOCAL}) once the engine reports it will read no more.
 * An idle timeout with nothing queued closes with {@code close_notify} too.
 *
 * <p>Thread-safe (immutable).
 */
public final class TlsConfig {

    /** Default {@link #handshakeTimeout()}. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Protocol versions enabled by default. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final boolean server;
    private final TlsEngineFactory engines;
    private final List<String> applicationProtocols;
    private final ClientAuth clientAuth;
    private final String serverName;
    private final boolean hostnameVerification;
    private final Map<String, TlsConfig> sniConfigs;
    private final Duration handshakeTimeout;
    private final List<String> protocols;
    private final List<String> cipherSuites;

    private TlsConfig(Builder b) {
        this.server = b.server;
        this.engines = b.engines;
        this.applicationProtocols = List.copyOf(b.applicationProtocols);
        this.clientAuth = b.clientAuth;
        this.serverName = b.serverName;
        this.hostnameVerification = b.hostnameVerification;
        this.sniConfigs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.sniConfigs));
        this.handshakeTimeout = b.handshakeTimeout;
        this.protocols = List.copyOf(b.protocols);
        this.cipherSuites = List.copyOf(b.cipherSuites);
    }

    // ---------------------------------------------------------------- server

    /**
     * A server configuration whose engines come from {@code context} (its key managers hold the
     * certificate and key).
     *
     * @param context an initialized context
     * @return a builder
     */
    public static Builder server(SSLContext context) {
        Objects.requireNonNull(context, "context");
        return new Builder(true, context::createSSLEngine);
    }

    /**
     * A server configuration whose engines {@code factory} creates (any provider).
     *
     * @param factory creates one engine per connection
     * @return a builder
     */
    public static Builder server(TlsEngineFactory factory) {
        return new Builder(true, Objects.requireNonNull(factory, "factory"));
    }

    /**
     * A server configuration on the JDK's provider from PEM files, as {@code openssl req -x509
     * -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem} writes them.
     *
     * @param certificateChain PEM file with the server certificate first, then its chain
     * @param privateKey       PEM file with the unencrypted private key: PKCS#8 ({@code BEGIN
     *                         PRIVATE KEY}, RSA, EC, Ed25519) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY})
     * @return a builder
     * @throws IllegalArgumentException if a file cannot be read or holds no usable certificate or
     *         key (the message names the file and what was found)
     */
    public static Builder server(Path certificateChain, Path privateKey) {
        return server(PemFiles.serverContext(certificateChain, privateKey));
    }

    // ---------------------------------------------------------------- client

    /**
     * A client configuration trusting the JDK's default trust store, with hostname verification.
     *
     * @return a builder
     * @throws IllegalStateException if the JDK's default context cannot be created
     */
    public static Builder client() {
        try {
            return client(SSLContext.getDefault());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK's default SSLContext is not available: " + e.getMessage(), e);
        }
    }

    /**
     * A client configuration whose engines come from {@code context} (its trust managers decide
     * which servers are trusted; its key managers hold a client certificate, if any).
     *
     * @param context an initialized context
     * @return a builder
     */
    public static Builder client(SSLContext context) {
        Objects.requireNonNull(context, "context");
        return new Builder(false, context::createSSLEngine);
    }

    /**
     * A client configuration whose engines {@code factory} creates (any provider).
     *
     * @param factory creates one engine per connection
     * @return a builder
     */
    public static Builder client(TlsEngineFactory factory) {
        return new Builder(false, Objects.requireNonNull(factory, "factory"));
    }

    /**
     * A client configuration on the JDK's provider trusting exactly the certificates in a PEM file
     * (e.g. a private CA or a self-signed server certificate), with hostname verification.
     *
     * @param trustedCertificates PEM file with one or more certificates
     * @return a builder
     * @throws IllegalArgumentException if the file cannot be read or holds no certificate
     */
    public static Builder clientTrusting(Path trustedCertificates) {
        return client(PemFiles.clientContext(trustedCertificates));
    }

    // ---------------------------------------------------------------- accessors

    /** {@return whether this configures the server side of connections} */
    public boolean isServer() {
        return server;
    }

    /** {@return where this configuration's engines come from} */
    public TlsEngineFactory engineFactory() {
        return engines;
    }

    /** {@return the ALPN protocols offered (client) or accepted in preference order (server); empty: no ALPN} */
    public List<String> applicationProtocols() {
        return applicationProtocols;
    }

    /** {@return whether a server asks for client certificates; {@link ClientAuth#NONE} on a client} */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /**
     * {@return the client's server name (SNI and hostname verification); empty: the host of the
     * address connected to (no SNI for a literal IP address)}
     */
    public Optional<String> serverName() {
        return Optional.ofNullable(serverName);
    }

    /** {@return whether a client verifies that the server's certificate matches the server name (default true)} */
    public boolean hostnameVerification() {
        return hostnameVerification;
    }

    /**
     * {@return a server's configurations per SNI host name (lower case; {@code *.example.com}
     * matches one label), chosen by the name in the client's hello; a client asking for no
     * name or another name gets this configuration}
     */
    public Map<String, TlsConfig> sniConfigs() {
        return sniConfigs;
    }

    /** {@return the longest a handshake may take from the TCP open (default 10 s)} */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** {@return the enabled protocol versions, in the names of {@link javax.net.ssl.SSLParameters#setProtocols}} */
    public List<String> protocols() {
        return protocols;
    }

    /** {@return the enabled cipher suites; empty: the engine's defaults} */
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    @Override
    public String toString() {
        return "TlsConfig[" + (server ? "server" : "client") + ", protocols=" + protocols
                + (applicationProtocols.isEmpty() ? "" : ", alpn=" + applicationProtocols)
                + (server ? ", clientAuth=" + clientAuth : ", serverName=" + serverName + ", hostnameVerification=" + hostnameVerification)
                + (sniConfigs.isEmpty() ? "" : ", sni=" + sniConfigs.keySet()) + "]";
    }

    /** Builds a {@link TlsConfig}; not thread-safe. */
    public static final class Builder {
        private final boolean server;
        private final TlsEngineFactory engines;
        private List<String> applicationProtocols = List.of();
        private ClientAuth clientAuth = ClientAuth.NONE;
        private String serverName;
        private boolean hostnameVerification = true;
        private final Map<String, TlsConfig> sniConfigs = new LinkedHashMap<>();
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private List<String> protocols = DEFAULT_PROTOCOLS;
        private List<String> cipherSuites = List.of();

        private Builder(boolean server, TlsEngineFactory engines) {
            this.server = server;
            this.engines = engines;
        }

        /**
         * Sets {@code applicationProtocols}.
         *
         * @param protocols ALPN protocol names (e.g. {@code h2}, {@code http/1.1}), in preference
         *                  order; none: no ALPN
         * @return this
         * @throws IllegalArgumentException if a name is empty or longer than 255 bytes
         */
        public Builder applicationProtocols(String... protocols) {
            for (String p : protocols) {
                Objects.requireNonNull(p, "protocol");
                int n = p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                if (n == 0 || n > 255) {
                    throw new IllegalArgumentException("ALPN protocol name '" + p + "' is " + n + " bytes, must be 1..255");
                }
            }
            this.applicationProtocols = List.of(protocols);
            return this;
        }

        /**
         * Sets {@code clientAuth}.
         *
         * @param auth whether clients must present a certificate (server only); default {@link ClientAuth#NONE}
         * @return this
         * @throws IllegalStateException if this builds a client configuration
         */
        public Builder clientAuth(ClientAuth auth) {
            Objects.requireNonNull(auth, "auth");
            if (!server) {
                throw new IllegalStateException("clientAuth applies to a server TlsConfig, this builds a client one");
            }
            this.clientAuth = auth;
            return this;
        }

        /**
         * Sets {@code serverName}.
         *
         * @param name the server name a client sends (SNI) and verifies the certificate against
         *             (client only); default the host of the address connected to
         * @return this
         * @throws IllegalStateException    if this builds a server configuration
         * @throws IllegalArgumentException if {@code name} is empty
         */
        public Builder serverName(String name) {
            Objects.requireNonNull(name, "name");
            if (server) {
                throw new IllegalStateException("serverName applies to a client TlsConfig, this builds a server one (use sni)");
            }
            if (name.isEmpty()) {
                throw new IllegalArgumentException("serverName must not be empty");
            }
            this.serverName = name;
            return this;
        }

        /**
         * Sets {@code hostnameVerification}.
         *
         * @param verify whether a client checks the server certificate's names against the server
         *               name (client only); default true. Turning it off accepts any certificate
         *               the trust managers accept, for any name.
         * @return this
         * @throws IllegalStateException if this builds a server configuration
         */
        public Builder hostnameVerification(boolean verify) {
            if (server) {
                throw new IllegalStateException("hostnameVerification applies to a client TlsConfig, this builds a server one");
            }
            this.hostnameVerification = verify;
            return this;
        }

        /**
         * Serves clients asking for {@code hostName} (SNI) with {@code config} instead (server only).
         *
         * @param hostName a host name, or {@code *.domain} for any one label under {@code domain}
         * @param config   a server configuration without SNI entries of its own
         * @return this
         * @throws IllegalStateException    if this builds a client configuration
         * @throws IllegalArgumentException if {@code hostName} is empty or repeated, or {@code config}
         *                                  is a client configuration or has SNI entries itself
         */
        public Builder sni(String hostName, TlsConfig config) {
            Objects.requireNonNull(hostName, "hostName");
            Objects.requireNonNull(config, "config");
            if (!server) {
                throw new IllegalStateException("sni applies to a server TlsConfig, this builds a client one");
            }
            String key = hostName.toLowerCase(Locale.ROOT);
            if (key.isEmpty() || key.equals("*.")) {
                throw new IllegalArgumentException("SNI host name '" + hostName + "' is empty");
            }
            if (!config.isServer() || !config.sniConfigs().isEmpty()) {
                throw new IllegalArgumentException("the TlsConfig for SNI name " + hostName
                        + " must be a server configuration without SNI entries, was " + config);
            }
            if (sniConfigs.putIfAbsent(key, config) != null) {
                throw new IllegalArgumentException("SNI host name " + hostName + " given twice");
            }
            return this;
        }

        /**
         * Sets {@code handshakeTimeout}.
         *
         * @param timeout the longest a handshake may take, {@code > 0}; default 10 s
         * @return this
         * @throws IllegalArgumentException if not positive
         */
        public Builder handshakeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("TLS handshake timeout must be > 0, was " + timeout);
            }
            this.handshakeTimeout = timeout;
            return this;
        }

        /**
         * Sets {@code protocols}.
         *
         * @param protocols enabled protocol versions, e.g. {@code TLSv1.3}; default TLS 1.3 and 1.2
         * @return this
         * @throws IllegalArgumentException if none is given
         */
        public Builder protocols(String... protocols) {
            if (protocols.length == 0) {
                throw new IllegalArgumentException("at least one TLS protocol version must be enabled");
            }
            this.protocols = List.of(protocols);
            return this;
        }

        /**
         * Sets {@code cipherSuites}.
         *
         * @param suites enabled cipher suites (the engine's names); none: the engine's defaults
         * @return this
         */
        public Builder cipherSuites(String... suites) {
            this.cipherSuites = List.of(suites);
            return this;
        }

        /** {@return the configuration} */
        public TlsConfig build() {
            return new TlsConfig(this);
        }
    }
}
