package io.ringline.internal;

import io.ringline.Config;
import io.ringline.TlsConfig;
import io.ringline.internal.TlsSessionTest.Recorder;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A server with SNI configurations picks its certificate by the name in the ClientHello. */
class TlsSniTest {

    private static final Path OTHER_CERT = Path.of("../testdata/tls/other.crt");
    private static final Path OTHER_KEY = Path.of("../testdata/tls/other.key");
    private static final Config CONFIG = Config.builder().workers(1).build();
    private static final TlsConfig OTHER = TlsConfig.server(OTHER_CERT, OTHER_KEY).build();

    private static SSLEngine client(Path trusted, String sni) {
        SSLEngine e = PemFiles.clientContext(trusted).createSSLEngine(sni == null ? "127.0.0.1" : sni, 443);
        e.setUseClientMode(true);
        SSLParameters p = e.getSSLParameters();
        p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        e.setSSLParameters(p);
        return e;
    }

    private static String peerName(TlsPeer p) throws Exception {
        return ((X509Certificate) p.peer.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }

    @Test
    void theNameInTheHelloChoosesTheConfigurationEvenOneByteAtATime() throws Exception {
        TlsConfig listener = TlsConfig.server(TlsPeer.CERT, TlsPeer.KEY).sni("other.example", OTHER).build();
        Recorder h = new Recorder();
        TlsPeer p = TlsPeer.server(CONFIG, h, listener, client(OTHER_CERT, "other.example")).open();
        p.readSize = () -> 1;
        p.pump();
        assertEquals("CN=other.example", peerName(p));
        assertEquals(Optional.of("other.example"), p.conn.tls().orElseThrow().serverName());
        p.peerSend("x".getBytes());
        p.pump();
        assertArrayEquals("x".getBytes(), p.takePeerReceived());
    }

    @Test
    void aWildcardMatchesOneLabel() throws Exception {
        TlsConfig listener = TlsConfig.server(TlsPeer.CERT, TlsPeer.KEY).sni("*.example", OTHER).build();
        TlsPeer p = TlsPeer.server(CONFIG, new Recorder(), listener, client(OTHER_CERT, "other.example")).open();
        p.pump();
        assertEquals("CN=other.example", peerName(p));
        assertSame(OTHER, TlsSession.sniConfig(listener, "other.example"));
        assertSame(listener, TlsSession.sniConfig(listener, "a.b.example"), "one label only");
        assertSame(listener, TlsSession.sniConfig(listener, "example"));
    }

    @Test
    void anotherNameOrNoNameGetsTheListenersConfiguration() throws Exception {
        TlsConfig listener = TlsConfig.server(TlsPeer.CERT, TlsPeer.KEY).sni("other.example", OTHER).build();
        TlsPeer named = TlsPeer.server(CONFIG, new Recorder(), listener, client(TlsPeer.CERT, "localhost")).open();
        named.pump();
        assertEquals("CN=localhost", peerName(named));
        assertEquals(Optional.of("localhost"), named.conn.tls().orElseThrow().serverName());
        TlsPeer unnamed = TlsPeer.server(CONFIG, new Recorder(), listener, client(TlsPeer.CERT, null)).open();
        unnamed.pump();
        assertEquals("CN=localhost", peerName(unnamed));
        assertTrue(unnamed.conn.tls().orElseThrow().serverName().isEmpty());
    }
}
