package io.ringline.examples;

import io.ringline.Config;
import io.ringline.TlsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLEngine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --tls-cert/--tls-key/--tls-provider} of {@link ServerOptions} and {@link TlsOptions}; nothing here serves connections. */
class TlsOptionsTest {

    private static final String CERT = TlsClientsTest.CERT.toString();
    private static final String KEY = TlsClientsTest.KEY.toString();

    private static List<String> args(String... tls) {
        List<String> a = new ArrayList<>(List.of("--port", "0"));
        a.addAll(List.of(tls));
        return a;
    }

    private static TlsOptions.Choice choice(String... tls) throws UsageException {
        return TlsOptions.parse(ServerOptions.parse(args(tls))).orElseThrow();
    }

    private static String error(String... tls) {
        return assertThrows(UsageException.class, () -> EchoCommand.config(args(tls))).getMessage();
    }

    @Test
    void withoutTlsOptionsThePortIsPlain() throws UsageException {
        Config c = EchoCommand.config(args());
        assertEquals(1, c.bindings().size());
        assertTrue(c.bindings().getFirst().tls().isEmpty());
        assertTrue(TlsOptions.parse(ServerOptions.parse(args())).isEmpty());
    }

    @Test
    void certAndKeyServeTlsOnlyOnThePort() throws UsageException {
        for (Config c : List.of(EchoCommand.config(args("--tls-cert", CERT, "--tls-key", KEY)),
                HttpCommand.config(args("--tls-cert", CERT, "--tls-key", KEY)),
                RespCommand.settings(args("--tls-cert", CERT, "--tls-key", KEY)).config().build())) {
            assertEquals(1, c.bindings().size(), "one listener, TLS only");
            TlsConfig tls = c.bindings().getFirst().tls().orElseThrow();
            assertTrue(tls.isServer());
            assertEquals(TlsConfig.DEFAULT_PROTOCOLS, tls.protocols());
        }
    }

    @Test
    void httpOffersAlpnHttp11TheOthersNoAlpn() throws UsageException {
        for (String provider : List.of("jdk", "openssl")) {
            List<String> a = args("--tls-cert", CERT, "--tls-key", KEY, "--tls-provider", provider);
            assertEquals(List.of("http/1.1"), HttpCommand.config(a).bindings().getFirst().tls().orElseThrow()
                    .applicationProtocols(), provider);
            assertEquals(List.of(), EchoCommand.config(a).bindings().getFirst().tls().orElseThrow()
                    .applicationProtocols(), provider);
        }
    }

    @Test
    void jdkProviderWhenAskedFor() throws UsageException {
        TlsOptions.Choice c = choice("--tls-cert", CERT, "--tls-key", KEY, "--tls-provider", "jdk");
        assertEquals(TlsOptions.Provider.JDK, c.provider());
        assertEquals("TLS: jdk provider (--tls-provider jdk)", c.description());
        SSLEngine engine = c.config().engineFactory().newEngine("127.0.0.1", 1234);
        assertEquals("sun.security.ssl.SSLEngineImpl", engine.getClass().getName());
    }

    /** netty-tcnative is on the class path here, so BoringSSL loads and is the default (the faster provider). */
    @Test
    void opensslIsTheDefaultWhereItLoadsAndMakesBoringSslEngines() throws UsageException {
        for (TlsOptions.Choice c : List.of(choice("--tls-cert", CERT, "--tls-key", KEY),
                choice("--tls-cert", CERT, "--tls-key", KEY, "--tls-provider", "openssl"))) {
            assertEquals(TlsOptions.Provider.OPENSSL, c.provider(), c.description());
            assertTrue(c.description().startsWith("TLS: openssl provider (BoringSSL"), c.description());
            SSLEngine engine = c.config().engineFactory().newEngine("127.0.0.1", 1234);
            assertTrue(engine.getClass().getName().startsWith("io.netty.handler.ssl."), engine.getClass().getName());
            assertTrue(engine.getClass().getSimpleName().contains("OpenSsl"), engine.getClass().getName());
            assertFalse(engine.getUseClientMode());
        }
        assertTrue(choice("--tls-cert", CERT, "--tls-key", KEY).description().contains("the default"));
    }

    @Test
    void halfTheOptionsAreUsageErrorsNamingTheOption() {
        assertEquals("option --tls-cert '" + CERT + "' needs --tls-key FILE", error("--tls-cert", CERT));
        assertEquals("option --tls-key '" + KEY + "' needs --tls-cert FILE", error("--tls-key", KEY));
        assertEquals("option --tls-provider 'jdk' needs --tls-cert FILE and --tls-key FILE",
                error("--tls-provider", "jdk"));
        assertEquals("option --tls-provider must be jdk or openssl, was 'boringssl'",
                error("--tls-cert", CERT, "--tls-key", KEY, "--tls-provider", "boringssl"));
        assertEquals("option --tls-cert needs a file name, was ''", error("--tls-cert=", "--tls-key", KEY));
    }

    @Test
    void unreadableFilesAreUsageErrorsNamingTheOption(@TempDir Path dir) {
        String missing = dir.resolve("missing.pem").toString();
        assertEquals("option --tls-cert '" + missing + "': no such file", error("--tls-cert", missing, "--tls-key", KEY));
        assertEquals("option --tls-key '" + missing + "': no such file", error("--tls-cert", CERT, "--tls-key", missing));
        assertEquals("option --tls-key '" + dir + "': is a directory, not a PEM file",
                error("--tls-cert", CERT, "--tls-key", dir.toString()));
    }

    @Test
    void badPemIsAUsageErrorNamingTheOptionAndFile(@TempDir Path dir) throws Exception {
        for (String provider : List.of("jdk", "openssl")) {
            String cert = error("--tls-cert", KEY, "--tls-key", KEY, "--tls-provider", provider);
            assertTrue(cert.contains("--tls-cert") && cert.contains("no '-----BEGIN CERTIFICATE-----' block in " + KEY),
                    cert);
            String key = error("--tls-cert", CERT, "--tls-key", CERT, "--tls-provider", provider);
            assertTrue(key.contains("--tls-key") && key.contains("no '-----BEGIN PRIVATE KEY-----' block in " + CERT),
                    key);
            Path encrypted = dir.resolve("encrypted.key");
            Files.writeString(encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
            String enc = error("--tls-cert", CERT, "--tls-key", encrypted.toString(), "--tls-provider", provider);
            assertTrue(enc.startsWith("option --tls-key '" + encrypted + "': ") && enc.contains("is encrypted"), enc);
        }
    }

    /**
     * A PKCS#1 RSA key ({@code BEGIN RSA PRIVATE KEY}) is fine for the JDK provider; Netty reads
     * only PKCS#8: asked for, openssl is a usage error with the conversion command; by default
     * the server falls back to jdk and says why.
     */
    @Test
    void pkcs1KeyOnlyTheJdkProviderReads(@TempDir Path dir) throws UsageException {
        Path pkcs1 = dir.resolve("rsa.key");
        Cli.run(Cli.command(Cli.require("openssl", "openssl"), "pkey", "-in", KEY, "-traditional", "-out", pkcs1.toString()));
        String k = pkcs1.toString();
        assertEquals(TlsOptions.Provider.JDK, choice("--tls-cert", CERT, "--tls-key", k, "--tls-provider", "jdk").provider());
        String e = error("--tls-cert", CERT, "--tls-key", k, "--tls-provider", "openssl");
        assertTrue(e.startsWith("option --tls-key '" + k + "': ") && e.contains("openssl pkcs8 -topk8 -nocrypt -in " + k), e);
        TlsOptions.Choice fallback = choice("--tls-cert", CERT, "--tls-key", k);
        assertEquals(TlsOptions.Provider.JDK, fallback.provider());
        assertTrue(fallback.description().startsWith("TLS: jdk provider (openssl cannot use the files: option --tls-key"),
                fallback.description());
    }

    @Test
    void mainExits64WithTheReasonAndEveryUsageListsTheOptions() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(Main.EXIT_USAGE, Main.run(new String[]{"resp", "--port", "0", "--tls-key", KEY}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("option --tls-key '" + KEY + "' needs --tls-cert FILE"),
                err.toString(StandardCharsets.UTF_8));
        for (String command : List.of("echo", "resp", "http")) {
            out.reset();
            assertEquals(Main.EXIT_OK, Main.run(new String[]{command, "--help"}, o, e));
            String usage = out.toString(StandardCharsets.UTF_8);
            assertTrue(usage.contains("[--tls-cert FILE --tls-key FILE") && usage.contains("[--tls-provider jdk|openssl"),
                    command + ": " + usage);
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ExampleServer.start("http",
                "nio", List.of("--port", "0", "--tls-cert", CERT)));
        assertEquals("http: option --tls-cert '" + CERT + "' needs --tls-key FILE", bad.getMessage());
    }
}
