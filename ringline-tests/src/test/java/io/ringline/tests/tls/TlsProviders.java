package io.ringline.tests.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.ringline.TlsConfig;
import io.ringline.internal.PemFiles;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

/**
 * The TLS providers a ringline server is tested with, and the test certificates
 * ({@code testdata/tls} at the repository root). The one place that knows how each provider's
 * server configuration is built.
 */
public enum TlsProviders {

    /** The JDK's own provider ({@link TlsConfig#server(Path, Path)}). */
    JDK,
    /** Netty's BoringSSL engines ({@code SslProvider.OPENSSL}) through {@link TlsConfig#server(io.ringline.TlsEngineFactory)}. */
    BORINGSSL;

    /** The directory of the test certificates, seen from a module directory. */
    public static final Path DIR = Path.of("../testdata/tls");

    /** {@return the file {@code name} (e.g. {@code server.crt}) of the test certificates, which must exist} */
    public static Path file(String name) {
        Path p = DIR.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("test certificate file " + p.toAbsolutePath() + " is missing");
        }
        return p;
    }

    /** {@return a server configuration presenting {@code server.crt}} */
    public TlsConfig.Builder server() {
        return server("server");
    }

    /** {@return a server configuration presenting {@code <identity>.crt} with {@code <identity>.key}} */
    public TlsConfig.Builder server(String identity) {
        Path cert = file(identity + ".crt");
        Path key = file(identity + ".key");
        return switch (this) {
            case JDK -> TlsConfig.server(cert, key);
            case BORINGSSL -> {
                SslContext ctx = build(SslContextBuilder.forServer(cert.toFile(), key.toFile()));
                yield TlsConfig.server((host, port) -> ctx.newEngine(ByteBufAllocator.DEFAULT, host, port));
            }
        };
    }

    /**
     * {@return a server configuration presenting {@code server.crt} that accepts the ALPN
     * {@code protocols} in this preference order} The JDK engine takes them from
     * {@link TlsConfig.Builder#applicationProtocols}; Netty's engine ignores those (see
     * {@link io.ringline.TlsEngineFactory}) and takes them from its context.
     */
    public TlsConfig.Builder serverWithAlpn(String... protocols) {
        return switch (this) {
            case JDK -> server().applicationProtocols(protocols);
            case BORINGSSL -> {
                SslContext ctx = build(SslContextBuilder.forServer(file("server.crt").toFile(), file("server.key").toFile())
                        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, protocols)));
                yield TlsConfig.server((host, port) -> ctx.newEngine(ByteBufAllocator.DEFAULT, host, port))
                        .applicationProtocols(protocols);
            }
        };
    }

    /**
     * {@return a server configuration presenting {@code server.crt} that trusts {@code client.crt}
     * as a client certificate} ({@link io.ringline.ClientAuth} is set by the caller)
     */
    public TlsConfig.Builder serverTrustingClientCertificate() {
        Path cert = file("server.crt");
        Path key = file("server.key");
        Path client = file("client.crt");
        return switch (this) {
            case JDK -> {
                try {
                    // the server's key managers, plus trust in the client certificate
                    SSLContext ctx = SSLContext.getInstance("TLS");
                    ctx.init(keyManagers(cert, key), PemFiles.trustManagers(client), null);
                    yield TlsConfig.server(ctx);
                } catch (GeneralSecurityException e) {
                    throw new AssertionError("cannot build the client-auth server context: " + e, e);
                }
            }
            case BORINGSSL -> {
                SslContext ctx = build(SslContextBuilder.forServer(cert.toFile(), key.toFile()).trustManager(client.toFile()));
                yield TlsConfig.server((host, port) -> ctx.newEngine(ByteBufAllocator.DEFAULT, host, port));
            }
        };
    }

    /** {@return key managers holding {@code cert} with {@code key}} */
    static javax.net.ssl.KeyManager[] keyManagers(Path cert, Path key) throws GeneralSecurityException {
        try {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = new char[0];
            ks.setKeyEntry("key", PemFiles.privateKey(key), pw,
                    PemFiles.certificates(cert).toArray(new java.security.cert.Certificate[0]));
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                    javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            return kmf.getKeyManagers();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static SslContext build(SslContextBuilder builder) {
        try {
            return builder.sslProvider(SslProvider.OPENSSL).build();
        } catch (SSLException e) {
            throw new AssertionError("Netty's BoringSSL context cannot be built: " + e, e);
        }
    }
}
