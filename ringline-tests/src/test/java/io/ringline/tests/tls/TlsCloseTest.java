package io.ringline.tests.tls;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Runtime;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.EchoHandler;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Closing TLS connections: close_notify both ways (half-close, close, shutdownOutput), abort
 * without it, idle timeout and graceful shutdown. The JDK client refuses a TCP end of stream
 * without close_notify ({@link TlsClient}), so a clean {@code -1} proves the server sent it.
 */
class TlsCloseTest extends TlsBackendTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @EnumSource(TlsProviders.class)
    void clientCloseNotifyIsEndOfStreamAndTheServerStillSends(TlsProviders provider) throws Exception {
        // Only the JDK engine half-closes on TLS 1.3; Netty's OpenSSL engine answers the peer's
        // close_notify with its own and then refuses sends (documented on TlsConfig).
        boolean halfCloses = provider == TlsProviders.JDK;
        java.util.concurrent.atomic.AtomicReference<Throwable> refused = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean writable = new java.util.concurrent.atomic.AtomicBoolean();
        EchoHandler echo = new EchoHandler(EchoHandler.Mode.PLAIN) {
            @Override
            public void onInputClosed(Connection c) {
                writable.set(c.isWritable());
                try {
                    c.send(ascii("bye"));
                } catch (io.ringline.ConnectionClosedException e) {
                    refused.set(e);
                }
                super.onInputClosed(c); // records, then closes gracefully: "bye" goes first
            }
        };
        try (Runtime rt = startTls(provider.server().build(), w -> echo);
             TlsClient client = connectTls(rt, TlsClient.Options.defaults().protocols("TLSv1.3"))) {
            client.write(ascii("hello"));
            assertArrayEquals(ascii("hello"), client.readExactly(5));
            client.shutdownOutput(); // TLS 1.3: close_notify, then FIN; the input stays open
            if (halfCloses) {
                assertArrayEquals(ascii("bye"), client.readExactly(3), "the server sends after the client's close_notify");
            }
            assertEquals(-1, client.read(), "clean end of stream: the server's close sent close_notify");
            assertEquals(halfCloses, writable.get(), "isWritable in onInputClosed");
            if (halfCloses) {
                assertEquals(null, refused.get(), "the send after the client's close_notify was taken");
            } else {
                assertTrue(refused.get() != null && refused.get().getMessage().contains("cannot half-close"),
                        "the send after the peer's close_notify is refused, saying why: " + refused.get());
            }
            assertEquals(CloseReason.PEER_CLOSED, echo.awaitClose().reason());
            List<String> names = echo.names();
            assertEquals(List.of("open", "tls", "data", "inputClosed", "close:PEER_CLOSED"), names);
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProviders.class)
    void serverShutdownOutputAndCloseSendCloseNotify(TlsProviders provider) throws Exception {
        Recorder h = new Recorder();
        try (Runtime rt = startTls(provider.server().build(), w -> h);
             TlsClient client = connectTls(rt)) {
            client.handshake();
            Connection c = h.next();
            awaitServerHandshake(c);
            OnWorker.run(c.worker(), () -> {
                c.send(ascii("ok"));
                c.shutdownOutput();
            });
            assertArrayEquals(ascii("ok"), client.readExactly(2));
            assertEquals(-1, client.read(), "clean end of stream after the server's shutdownOutput (close_notify)");
            // the server still receives
            client.write(ascii("more"));
            Await.until(() -> h.events("data").stream().mapToInt(Recorder.Event::bytes).sum() == 4,
                    () -> "the server received 4 bytes after its shutdownOutput: " + h.events());
            OnWorker.run(c.worker(), c::close);
            assertEquals(CloseReason.LOCAL, h.awaitClose().reason());
        }
        try (Runtime rt = startTls(provider.server().build(), w -> h);
             TlsClient client = connectTls(rt)) {
            client.handshake();
            Connection c = h.next();
            awaitServerHandshake(c);
            OnWorker.run(c.worker(), () -> {
                c.send(ascii("last"));
                c.close();
            });
            assertArrayEquals(ascii("last"), client.readExactly(4));
            assertEquals(-1, client.read(), "clean end of stream after the server's close (close_notify)");
        }
    }

    @Test
    void abortSendsNoCloseNotify() throws Exception {
        Recorder h = new Recorder();
        try (Runtime rt = startTls(TlsProviders.JDK.server().build(), w -> h);
             TlsClient client = connectTls(rt)) {
            client.handshake();
            Connection c = h.next();
            awaitServerHandshake(c);
            OnWorker.run(c.worker(), c::abort);
            IOException e = assertThrows(IOException.class, () -> fail("read " + client.read() + " after an abort"));
            assertTrue(e instanceof SSLException || e instanceof SocketException,
                    "a TCP close without close_notify (or a reset), got " + e);
            assertEquals(CloseReason.LOCAL, h.awaitClose().reason());
        }
    }

    @Test
    void idleTimeoutClosesWithCloseNotify() throws Exception {
        EchoHandler echo = EchoHandler.plain();
        try (Runtime rt = start(tlsServerConfig(TlsProviders.JDK.server().build()).idleTimeout(Duration.ofMillis(300)), w -> echo);
             TlsClient client = connectTls(rt)) {
            client.write(ascii("x"));
            assertArrayEquals(ascii("x"), client.readExactly(1));
            assertEquals(-1, client.read(), "clean end of stream at the idle timeout");
            assertEquals(CloseReason.IDLE_TIMEOUT, echo.awaitClose().reason());
        }
    }

    @Test
    void gracefulShutdownFlushesHeldRepliesThenClosesWithCloseNotify() throws Exception {
        Recorder h = new Recorder() {
            @Override
            public void onDrain(Connection c) {
                c.send(ascii("bye"));
                super.onDrain(c); // records and closes: "bye" is flushed first
            }
        };
        Runtime rt = startTls(TlsProviders.JDK.server().build(), w -> h);
        try (rt; TlsClient client = connectTls(rt)) {
            client.handshake();
            Connection c = h.next();
            awaitServerHandshake(c);
            rt.shutdownHandle().shutdown();
            assertArrayEquals(ascii("bye"), client.readExactly(3));
            assertEquals(-1, client.read(), "clean end of stream after the drain's close");
            client.close();
            assertTrue(rt.awaitTermination(Duration.ofSeconds(10)), "terminated after the last connection closed");
            assertEquals(CloseReason.SHUTDOWN, h.awaitClose().reason());
        }
    }
}
