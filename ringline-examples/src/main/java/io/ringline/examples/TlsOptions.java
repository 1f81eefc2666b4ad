package io.ringline.examples;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.ringline.TlsConfig;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The TLS options every server subcommand takes, {@code --tls-cert FILE --tls-key FILE
 * [--tls-provider jdk|openssl]}, turned into the server {@link TlsConfig} of the {@code --port}
 * listener (which then serves TLS only).
 *
 * <p>Two providers: {@code jdk}, the JDK's own TLS ({@link TlsConfig#server(Path, Path)}), and
 * {@code openssl}, Netty's BoringSSL engine (netty-tcnative), plugged in as a
 * {@link io.ringline.TlsEngineFactory}. Without {@code --tls-provider} the faster one is taken:
 * {@code openssl} when its native library loads ({@link OpenSsl#isAvailable()}), else {@code jdk};
 * {@link Choice#description()} says which and why, for the start-up log.
 *
 * <p>Threading: called on the thread that parses the command line; the engine factories it makes
 * are thread-safe (the workers create engines concurrently).
 */
final class TlsOptions {

    /** The option names, without {@code --}. */
    static final Set<String> NAMES = Set.of("tls-cert", "tls-key", "tls-provider");

    /** Usage text of the TLS options. */
    static final String USAGE = "[--tls-cert FILE --tls-key FILE (PEM certificate chain and unencrypted key: serve"
            + " TLS only)] [--tls-provider jdk|openssl (default: openssl, Netty's BoringSSL, when it loads, else jdk)]";

    /** The module of netty-tcnative's Java classes. */
    static final String TCNATIVE_CLASSES = "io.netty.tcnative.classes.openssl";
    /** The module of netty-tcnative's BoringSSL library for this platform (the only one the examples bundle). */
    static final String TCNATIVE_NATIVE = "io.netty.internal.tcnative.openssl.linux.x86_64";

    /** Where the TLS engines come from. */
    enum Provider {
        /** The JDK's own TLS implementation (SunJSSE). */
        JDK,
        /** Netty's BoringSSL engine, from the netty-tcnative native library. */
        OPENSSL;

        /** {@return the name on the command line} */
        String optionValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The TLS a server serves.
     *
     * @param config      the listener's configuration
     * @param provider    where its engines come from
     * @param description one line for the start-up log: the provider and why it was chosen
     */
    record Choice(TlsConfig config, Provider provider, String description) {
    }

    private TlsOptions() {
    }

    /**
     * Reads the TLS options of {@code o}.
     *
     * @param o    the parsed command line
     * @param alpn the ALPN protocols the server accepts, in preference order (none: no ALPN)
     * @return the TLS to serve, or empty if no TLS option was given
     * @throws UsageException if only one of the files is given, a file cannot be read or holds no usable PEM
     *                        certificate or key, the provider is unknown, or {@code openssl} is asked for but
     *                        unavailable (the message names the option and its value)
     */
    static Optional<Choice> parse(Options o, String... alpn) throws UsageException {
        boolean cert = o.has("tls-cert");
        boolean key = o.has("tls-key");
        if (!cert && !key) {
            if (o.has("tls-provider")) {
                throw new UsageException("option --tls-provider '" + o.string("tls-provider", "")
                        + "' needs --tls-cert FILE and --tls-key FILE");
            }
            return Optional.empty();
        }
        if (!key) {
            throw new UsageException("option --tls-cert '" + o.string("tls-cert", "") + "' needs --tls-key FILE");
        }
        if (!cert) {
            throw new UsageException("option --tls-key '" + o.string("tls-key", "") + "' needs --tls-cert FILE");
        }
        Provider asked = provider(o);
        Path certFile = readable(o, "tls-cert");
        Path keyFile = readable(o, "tls-key");
        PemPair pem = new PemPair(certFile, keyFile);
        TlsConfig jdk = jdk(pem, alpn); // also checks the PEM files, with ringline's messages, for either provider
        if (asked == Provider.JDK) {
            return Optional.of(new Choice(jdk, Provider.JDK, "TLS: jdk provider (--tls-provider jdk)"));
        }
        if (!OpenSsl.isAvailable()) {
            String cause = cause(OpenSsl.unavailabilityCause()) + modulePathHint();
            if (asked == Provider.OPENSSL) {
                throw new UsageException("option --tls-provider 'openssl': Netty's BoringSSL is unavailable: " + cause);
            }
            return Optional.of(new Choice(jdk, Provider.JDK, "TLS: jdk provider (openssl unavailable: " + cause + ")"));
        }
        String why = asked == Provider.OPENSSL ? "--tls-provider openssl" : "the default: the fastest available";
        try {
            return Optional.of(new Choice(openSsl(pem, alpn), Provider.OPENSSL,
                    "TLS: openssl provider (" + OpenSsl.versionString() + ", netty-tcnative; " + why + ")"));
        } catch (UsageException e) {
            if (asked == Provider.OPENSSL) {
                throw e;
            }
            return Optional.of(new Choice(jdk, Provider.JDK, "TLS: jdk provider (openssl cannot use the files: "
                    + e.getMessage() + ")"));
        }
    }

    /** The two files, kept together to name the option a PEM error is about. */
    private record PemPair(Path cert, Path key) {

        /**
         * {@return a usage error for {@code e}, whose message names a file: the option of the file it
         * names, or both options if it names both or neither}
         */
        UsageException error(Exception e) {
            String m = String.valueOf(e.getMessage());
            boolean names = m.contains(cert.toString());
            boolean namesKey = m.contains(key.toString());
            String options = names == namesKey ? "options --tls-cert '" + cert + "' --tls-key '" + key + "'"
                    : names ? "option --tls-cert '" + cert + "'" : "option --tls-key '" + key + "'";
            return new UsageException(options + ": " + m);
        }
    }

    private static Provider provider(Options o) throws UsageException {
        if (!o.has("tls-provider")) {
            return null;
        }
        String v = o.string("tls-provider", "");
        for (Provider p : Provider.values()) {
            if (p.optionValue().equals(v)) {
                return p;
            }
        }
        throw new UsageException("option --tls-provider must be jdk or openssl, was '" + v + "'");
    }

    /** {@return the file option {@code name} names, checked to be a readable file} */
    private static Path readable(Options o, String name) throws UsageException {
        String v = o.string(name, "");
        String prefix = "option --" + name + " '" + v + "': ";
        if (v.isBlank()) {
            throw new UsageException("option --" + name + " needs a file name, was '" + v + "'");
        }
        Path p = Path.of(v);
        if (Files.isDirectory(p)) {
            throw new UsageException(prefix + "is a directory, not a PEM file");
        }
        try (var in = Files.newInputStream(p)) {
            in.read();
        } catch (NoSuchFileException e) {
            throw new UsageException(prefix + "no such file");
        } catch (AccessDeniedException e) {
            throw new UsageException(prefix + "permission denied");
        } catch (IOException e) {
            throw new UsageException(prefix + "cannot read it: " + e);
        }
        return p;
    }

    private static TlsConfig jdk(PemPair pem, String... alpn) throws UsageException {
        try {
            return TlsConfig.server(pem.cert(), pem.key()).applicationProtocols(alpn).build();
        } catch (IllegalArgumentException e) {
            throw pem.error(e);
        }
    }

    /**
     * A configuration on Netty's BoringSSL engines. Netty's OpenSSL engine takes ALPN from its
     * context, not from {@link javax.net.ssl.SSLParameters}, so the protocols are set on both; a
     * client offering none of them gets no ALPN answer (BoringSSL) where the JDK refuses it.
     */
    private static TlsConfig openSsl(PemPair pem, String... alpn) throws UsageException {
        SslContext context;
        try {
            SslContextBuilder b = SslContextBuilder.forServer(pem.cert().toFile(), pem.key().toFile())
                    .sslProvider(SslProvider.OPENSSL)
                    .protocols(TlsConfig.DEFAULT_PROTOCOLS);
            if (alpn.length > 0) {
                b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
            }
            context = b.build();
        } catch (IOException | IllegalArgumentException e) { // SSLException is an IOException
            UsageException u = pem.error(e);
            if (String.valueOf(e.getMessage()).contains("private key")) { // e.g. a PKCS#1 'BEGIN RSA PRIVATE KEY'
                u = new UsageException(u.getMessage() + " (Netty reads PKCS#8 keys, 'BEGIN PRIVATE KEY': convert with"
                        + " openssl pkcs8 -topk8 -nocrypt -in " + pem.key() + " -out key.pem)");
            }
            throw u;
        }
        return TlsConfig.server((host, port) -> context.newEngine(ByteBufAllocator.DEFAULT, host, port))
                .applicationProtocols(alpn).build();
    }

    /**
     * {@return on the module path, how to resolve netty-tcnative's modules: {@code io.netty.handler}
     * only {@code requires static} them, so nothing else brings them in}
     */
    private static String modulePathHint() {
        if (!TlsOptions.class.getModule().isNamed() || ModuleLayer.boot().findModule(TCNATIVE_NATIVE).isPresent()) {
            return "";
        }
        return "; on the module path add --add-modules " + TCNATIVE_CLASSES + "," + TCNATIVE_NATIVE;
    }

    /** {@return the innermost message of {@code t}, e.g. why a native library did not load} */
    private static String cause(Throwable t) {
        if (t == null) {
            return "unknown cause";
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? String.valueOf(t) : t + " (" + root + ")";
    }
}
