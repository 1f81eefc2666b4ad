package io.ringline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLEngine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link TlsConfig}: PEM loading (with the errors a user sees), builder validation, {@link Config#bindings()}. */
class TlsConfigTest {

    private static final Path CERTS = Path.of("../testdata/tls");
    private static final Path CERT = CERTS.resolve("server.crt");
    private static final Path KEY = CERTS.resolve("server.key");

    @TempDir
    Path tmp;

    // ---------------------------------------------------------------- PEM

    @Test
    void pemRsaAndEcKeysMakeServerEngines() {
        for (String name : List.of("server", "client")) {
            TlsConfig tls = TlsConfig.server(CERTS.resolve(name + ".crt"), CERTS.resolve(name + ".key")).build();
            SSLEngine engine = tls.engineFactory().newEngine("127.0.0.1", 1234);
            engine.setUseClientMode(false);
            assertTrue(engine.getSupportedProtocols().length > 0);
            assertTrue(tls.isServer());
        }
    }

    @Test
    void pkcs1RsaKeyIsAccepted() throws Exception {
        Path pkcs1 = tmp.resolve("pkcs1.key");
        Process p = new ProcessBuilder("openssl", "rsa", "-in", KEY.toString(), "-traditional", "-out", pkcs1.toString())
                .redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), () -> "openssl rsa -traditional failed: " + output(p));
        assertTrue(Files.readString(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        TlsConfig.server(CERT, pkcs1).build();
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedAtStart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TlsConfig.server(CERTS.resolve("other.crt"), KEY));
        assertTrue(e.getMessage().contains("does not belong to the first certificate in") && e.getMessage().contains("other.crt"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TlsConfig.server(CERT, CERTS.resolve("client.key")));
        assertTrue(e.getMessage().contains("(EC) does not belong") && e.getMessage().contains("RSA key"), e.getMessage());
    }

    @Test
    void badPemFilesNameTheFileAndWhatItHolds() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TlsConfig.server(KEY, KEY));
        assertTrue(e.getMessage().contains("no '-----BEGIN CERTIFICATE-----' block in " + KEY)
                && e.getMessage().contains("PRIVATE KEY"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TlsConfig.server(CERT, CERT));
        assertTrue(e.getMessage().contains("no '-----BEGIN PRIVATE KEY-----' block in " + CERT), e.getMessage());
        Path missing = tmp.resolve("missing.pem");
        e = assertThrows(IllegalArgumentException.class, () -> TlsConfig.server(missing, KEY));
        assertTrue(e.getMessage().contains("cannot read PEM file " + missing), e.getMessage());
        Path encrypted = tmp.resolve("enc.key");
        Files.writeString(encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        e = assertThrows(IllegalArgumentException.class, () -> TlsConfig.server(CERT, encrypted));
        assertTrue(e.getMessage().contains("is encrypted"), e.getMessage());
        Path sec1 = tmp.resolve("sec1.key");
        Files.writeString(sec1, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        e = assertThrows(IllegalArgumentException.class, () -> TlsConfig.server(CERT, sec1));
        assertTrue(e.getMessage().contains("openssl pkcs8 -topk8 -nocrypt"), e.getMessage());
        Path binary = tmp.resolve("der.crt");
        Files.write(binary, new byte[]{0x30, (byte) 0x82, (byte) 0xff, (byte) 0xfe});
        e = assertThrows(IllegalArgumentException.class, () -> TlsConfig.clientTrusting(binary));
        assertTrue(e.getMessage().contains("is not ASCII text"), e.getMessage());
    }

    @Test
    void clientTrustingMakesAClientConfigWithHostnameVerification() {
        TlsConfig tls = TlsConfig.clientTrusting(CERT).build();
        assertFalse(tls.isServer());
        assertTrue(tls.hostnameVerification());
        assertTrue(tls.serverName().isEmpty());
        assertEquals(TlsConfig.DEFAULT_PROTOCOLS, tls.protocols());
        assertEquals(TlsConfig.DEFAULT_HANDSHAKE_TIMEOUT, tls.handshakeTimeout());
    }

    // ---------------------------------------------------------------- builder

    @Test
    void builderRefusesSettingsOfTheOtherSide() {
        assertThrows(IllegalStateException.class, () -> TlsConfig.clientTrusting(CERT).clientAuth(ClientAuth.REQUIRED));
        TlsConfig server = TlsConfig.server(CERT, KEY).build();
        assertThrows(IllegalStateException.class, () -> TlsConfig.clientTrusting(CERT).sni("a.example", server));
        assertThrows(IllegalStateException.class, () -> TlsConfig.server(CERT, KEY).serverName("a.example"));
        assertThrows(IllegalStateException.class, () -> TlsConfig.server(CERT, KEY).hostnameVerification(false));
    }

    @Test
    void builderRefusesBadValuesNamingThem() {
        TlsConfig.Builder b = TlsConfig.server(CERT, KEY);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.applicationProtocols("h2", ""));
        assertTrue(e.getMessage().contains("is 0 bytes, must be 1..255"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.applicationProtocols("x".repeat(256)));
        assertTrue(e.getMessage().contains("is 256 bytes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.handshakeTimeout(Duration.ZERO));
        assertTrue(e.getMessage().contains("must be > 0, was PT0S"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.protocols());
        assertThrows(IllegalArgumentException.class, () -> TlsConfig.clientTrusting(CERT).serverName(""));
    }

    @Test
    void sniEntriesMustBeDistinctPlainServerConfigs() {
        TlsConfig other = TlsConfig.server(CERTS.resolve("other.crt"), CERTS.resolve("other.key")).build();
        TlsConfig tls = TlsConfig.server(CERT, KEY).sni("Other.Example", other).sni("*.example.org", other).build();
        assertEquals(List.of("other.example", "*.example.org"), List.copyOf(tls.sniConfigs().keySet()));
        TlsConfig.Builder b = TlsConfig.server(CERT, KEY).sni("a.example", other);
        assertThrows(IllegalArgumentException.class, () -> b.sni("A.EXAMPLE", other), "repeated name");
        assertThrows(IllegalArgumentException.class, () -> b.sni("", other));
        assertThrows(IllegalArgumentException.class, () -> b.sni("c.example", tls), "a config with SNI entries of its own");
        assertThrows(IllegalArgumentException.class, () -> b.sni("d.example", TlsConfig.clientTrusting(CERT).build()));
    }

    @Test
    void configBindingsCarryTheirTls() {
        TlsConfig tls = TlsConfig.server(CERT, KEY).build();
        InetSocketAddress plain = new InetSocketAddress("127.0.0.1", 0);
        InetSocketAddress secure = new InetSocketAddress("127.0.0.1", 1);
        Config c = Config.builder().bind(plain).bind(secure, tls).build();
        assertEquals(List.of(new Config.Binding(plain, java.util.Optional.empty()),
                new Config.Binding(secure, java.util.Optional.of(tls))), c.bindings());
        assertEquals(List.of(plain, secure), c.bindAddresses());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Config.builder().bind(secure, TlsConfig.clientTrusting(CERT).build()));
        assertTrue(e.getMessage().contains("needs a server TlsConfig"), e.getMessage());
    }

    private static String output(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes());
        } catch (IOException e) {
            return e.toString();
        }
    }
}
