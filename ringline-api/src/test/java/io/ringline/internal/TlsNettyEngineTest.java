package io.ringline.internal;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.ringline.CloseReason;
import io.ringline.Config;
import io.ringline.TlsConfig;
import io.ringline.internal.TlsSessionTest.Recorder;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TLS layer drives Netty's BoringSSL engine ({@code SslProvider.OPENSSL}) as it drives the
 * JDK's: handshake, echo, close; the engine's native {@code SSL} is freed at the close; ALPN needs
 * the Netty context's {@link ApplicationProtocolConfig} (Netty ignores {@link SSLParameters}' ALPN).
 */
class TlsNettyEngineTest {

    private static final Config CONFIG = Config.builder().workers(1).build();

    private static SslContext server(ApplicationProtocolConfig alpn) throws Exception {
        SslContextBuilder b = SslContextBuilder.forServer(TlsPeer.CERT.toFile(), TlsPeer.KEY.toFile()).sslProvider(SslProvider.OPENSSL);
        if (alpn != null) {
            b.applicationProtocolConfig(alpn);
        }
        return b.build();
    }

    private static SSLEngine jdkClient(String... alpn) {
        SSLEngine e = PemFiles.clientContext(TlsPeer.CERT).createSSLEngine("localhost", 443);
        e.setUseClientMode(true);
        SSLParameters p = e.getSSLParameters();
        p.setApplicationProtocols(alpn);
        e.setSSLParameters(p);
        return e;
    }

    @Test
    void echoAndCloseFreeTheNativeEngine() throws Exception {
        SslContext ctx = server(null);
        AtomicReference<ReferenceCountedOpenSslEngine> made = new AtomicReference<>();
        TlsConfig tls = TlsConfig.server((host, port) -> {
            SSLEngine e = ctx.newEngine(ByteBufAllocator.DEFAULT, host, port);
            made.set((ReferenceCountedOpenSslEngine) e);
            return e;
        }).build();
        Recorder h = new Recorder();
        TlsPeer p = TlsPeer.server(CONFIG, h, tls, jdkClient()).open();
        p.readSize = () -> 1000;
        p.pump();
        assertTrue(p.conn.tls().isPresent(), h.events + " " + h.closeCause + " peer " + p.peerFailure + " peer hs " + p.peer.getHandshakeStatus());
        assertEquals("TLSv1.3", p.conn.tls().orElseThrow().protocol());
        byte[] msg = new byte[100_000];
        new java.util.Random(5).nextBytes(msg);
        p.peerSend(msg);
        p.pump();
        assertArrayEquals(msg, p.takePeerReceived());
        assertNotEquals(0, made.get().sslPointer());
        p.conn.close();
        p.pump();
        assertTrue(p.peerInboundClosed, "close_notify");
        assertEquals(CloseReason.LOCAL, h.closeReason);
        assertEquals(0, made.get().sslPointer(), "the native SSL was freed at the close");
    }

    @Test
    void anAbortFreesTheNativeEngineToo() throws Exception {
        SslContext ctx = server(null);
        AtomicReference<ReferenceCountedOpenSslEngine> made = new AtomicReference<>();
        TlsConfig tls = TlsConfig.server((host, port) -> {
            SSLEngine e = ctx.newEngine(ByteBufAllocator.DEFAULT, host, port);
            made.set((ReferenceCountedOpenSslEngine) e);
            return e;
        }).build();
        TlsPeer p = TlsPeer.server(CONFIG, new Recorder(), tls, jdkClient()).open();
        p.pump();
        p.conn.abort();
        assertEquals(0, made.get().sslPointer(), "freed without a close_notify exchange");
    }

    @Test
    void alpnComesFromTheNettyContextNotFromTlsConfig() throws Exception {
        SslContext plain = server(null);
        TlsConfig onlyTlsConfig = TlsConfig.server((h, port) -> plain.newEngine(ByteBufAllocator.DEFAULT, h, port))
                .applicationProtocols("h2", "http/1.1").build();
        TlsPeer p = TlsPeer.server(CONFIG, new Recorder(), onlyTlsConfig, jdkClient("h2")).open();
        p.pump();
        assertEquals(Optional.empty(), p.conn.tls().orElseThrow().applicationProtocol(),
                "Netty's engine ignores SSLParameters.setApplicationProtocols");

        SslContext withAlpn = server(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2", "http/1.1"));
        TlsConfig viaNetty = TlsConfig.server((h, port) -> withAlpn.newEngine(ByteBufAllocator.DEFAULT, h, port)).build();
        TlsPeer q = TlsPeer.server(CONFIG, new Recorder(), viaNetty, jdkClient("h2")).open();
        q.pump();
        assertEquals(Optional.of("h2"), q.conn.tls().orElseThrow().applicationProtocol());
    }
}
