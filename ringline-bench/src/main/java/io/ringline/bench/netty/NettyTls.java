package io.ringline.bench.netty;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * TLS for the Netty peer servers: a server {@link SslContext} from a PEM certificate chain and a PEM
 * (PKCS#8) private key, with the JDK provider or Netty's BoringSSL ({@code netty-tcnative-boringssl-static},
 * the "openssl" provider). TLS 1.3 and 1.2, no client authentication. Each channel gets its
 * {@code SslHandler} from {@link SslContext#newHandler}, first in its pipeline.
 *
 * <p>Cipher suites: the JDK provider gets the JDK's own default list and order (as a ringline server
 * with a plain {@code SSLContext} has), not Netty's list, which puts TLS_AES_128_GCM_SHA256 first: a server
 * picks by its own order, so without this a benchmark would compare AES-128 (Netty) with AES-256 (ringline).
 * The openssl provider keeps Netty's defaults, the same as ringline's openssl provider (both build their
 * context with {@link SslContextBuilder}).
 */
public final class NettyTls {
    private NettyTls() {}

    /** The TLS implementation behind the {@code SslHandler}. */
    public enum Provider {
        /** The JDK's SSLEngine (SunJSSE). */
        JDK(SslProvider.JDK),
        /** BoringSSL through netty-tcnative ({@link SslProvider#OPENSSL}). */
        OPENSSL(SslProvider.OPENSSL);

        private final SslProvider netty;

        Provider(SslProvider netty) {
            this.netty = netty;
        }

        /**
         * Parses {@code jdk} or {@code openssl} (case-insensitive).
         *
         * @throws IllegalArgumentException for any other value
         */
        public static Provider parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "jdk" -> JDK;
                case "openssl", "boringssl" -> OPENSSL;
                default -> throw new IllegalArgumentException("unknown TLS provider: " + s + " (jdk|openssl)");
            };
        }

        /** The fastest provider available here: openssl when netty-tcnative loads, jdk otherwise. */
        public static Provider fastestAvailable() {
            return OpenSsl.isAvailable() ? OPENSSL : JDK;
        }

        /** The name as given on the command line and printed in the server's JSON line. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Builds a server context.
     *
     * @param cert PEM certificate chain (server certificate first)
     * @param key PEM PKCS#8 private key of that certificate, unencrypted
     * @param provider the TLS implementation
     * @return a context for {@code newHandler(alloc)}, shared by every channel and loop
     * @throws IllegalArgumentException when a file is missing or unreadable
     * @throws IllegalStateException when {@code provider} is openssl and netty-tcnative does not load here
     * @throws SSLException when the files do not hold a usable certificate and key
     */
    public static SslContext serverContext(Path cert, Path key, Provider provider) throws SSLException {
        requireReadable("--tls-cert", cert);
        requireReadable("--tls-key", key);
        if (provider == Provider.OPENSSL && !OpenSsl.isAvailable()) {
            throw new IllegalStateException("TLS provider openssl unavailable: netty-tcnative-boringssl-static did not load",
                    OpenSsl.unavailabilityCause());
        }
        SslContextBuilder b = SslContextBuilder.forServer(cert.toFile(), key.toFile())
                .sslProvider(provider.netty)
                .protocols("TLSv1.3", "TLSv1.2");
        if (provider == Provider.JDK) {
            b.ciphers(List.of(jdkDefaultCipherSuites()));
        }
        return b.build();
    }

    /** The cipher suites, in preference order, of the JDK's default SSLContext. */
    static String[] jdkDefaultCipherSuites() {
        try {
            return SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default SSLContext in this JDK", e);
        }
    }

    private static void requireReadable(String option, Path file) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(option + " " + file + ": no such readable file");
        }
    }
}
