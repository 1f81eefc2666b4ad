package io.ringline.testkit;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Resets in both directions and half-closes, as TCP has them. */
class CloseTest {

    /** Records how the connection closed; on "abort" resets it (aborting with bytes queued), on "half" sends "bye" and shuts its output down. */
    private static final class Recorder implements Handler {
        final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
        final StringBuilder received = new StringBuilder();
        private boolean outputShut;

        @Override
        public int onData(Connection c, ByteBuffer data) {
            String s = StandardCharsets.US_ASCII.decode(data).toString();
            received.append(s);
            if (s.equals("abort")) {
                c.send(new byte[100]); // still queued: the abort resets
                c.abort();
            } else if (s.equals("half")) {
                c.send("bye".getBytes(StandardCharsets.US_ASCII));
                c.shutdownOutput();
                outputShut = true;
            }
            return s.length();
        }

        @Override
        public void onInputClosed(Connection c) {
            if (!outputShut) {
                c.send(("got " + received).getBytes(StandardCharsets.US_ASCII));
            }
            c.close();
        }

        @Override
        public void onClose(Connection c, CloseReason reason, Throwable cause) {
            closed.complete(reason);
        }
    }

    private static void write(TestPeer peer, String s) throws IOException {
        peer.output().write(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }

    @Test
    void aPeerResetClosesTheConnectionWithReset() throws Exception {
        Recorder h = new Recorder();
        try (Runtime runtime = Testkit.start(worker -> h); TestPeer peer = Testkit.connect(runtime)) {
            write(peer, "x");
            peer.reset();
            assertEquals(CloseReason.RESET, h.closed.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aServerResetFailsThePeersReadWithConnectionReset() throws Exception {
        Recorder h = new Recorder();
        try (Runtime runtime = Testkit.start(worker -> h); TestPeer peer = Testkit.connect(runtime)) {
            write(peer, "abort");
            IOException e = assertThrows(IOException.class, () -> peer.input().read());
            assertEquals("Connection reset", e.getMessage());
            assertEquals(CloseReason.LOCAL, h.closed.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void thePeerHalfClosesAndStillReadsTheReply() throws Exception {
        Recorder h = new Recorder();
        try (Runtime runtime = Testkit.start(worker -> h); TestPeer peer = Testkit.connect(runtime)) {
            write(peer, "hello");
            peer.shutdownOutput();
            assertEquals("got hello", readAll(peer.input()), "the reply, then the end of stream");
            assertEquals(CloseReason.PEER_CLOSED, h.closed.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void theServerHalfClosesAndStillReadsThePeer() throws Exception {
        Recorder h = new Recorder();
        try (Runtime runtime = Testkit.start(worker -> h); TestPeer peer = Testkit.connect(runtime)) {
            write(peer, "half");
            byte[] bye = peer.input().readNBytes(3);
            assertEquals("bye", new String(bye, StandardCharsets.US_ASCII));
            assertEquals(-1, peer.input().read(), "the server's output ended");
            write(peer, "more");
            peer.shutdownOutput();
            assertEquals(CloseReason.PEER_CLOSED, h.closed.get(10, TimeUnit.SECONDS));
            assertEquals("halfmore", h.received.toString());
        }
    }

    @Test
    void bytesTheServerWroteBeforeTheResetAtTheEndOfTheGracePeriodCanStillBeRead() throws Exception {
        Handler greeter = new Handler() {
            @Override
            public void onOpen(Connection c) {
                c.send("hello".getBytes(StandardCharsets.US_ASCII));
            }

            @Override
            public int onData(Connection c, ByteBuffer data) {
                return data.remaining();
            }
        };
        Runtime runtime = Runtime.start(Testkit.config().shutdownGracePeriod(java.time.Duration.ofMillis(100)).build(),
                worker -> greeter);
        try (TestPeer peer = Testkit.connect(runtime)) {
            Await.until(() -> available(peer) == 5, "the greeting arrived");
            // The shutdown writes a FIN after the greeting and waits for the peer's, which does not
            // come: the grace period ends with a reset. As with a kernel, what arrived before stays
            // readable, and the end of stream that came first stays the end of stream.
            runtime.close();
            assertEquals("hello", readAll(peer.input()));
        } finally {
            runtime.close();
        }
    }

    @Test
    void aServerResetAfterBytesLetsThePeerReadThemThenFails() throws Exception {
        CompletableFuture<CloseReason> aborted = new CompletableFuture<>();
        Handler aborting = new Handler() {
            @Override
            public int onData(Connection c, ByteBuffer data) {
                c.send("partial".getBytes(StandardCharsets.US_ASCII)); // written by the flush after this callback
                c.worker().schedule(java.time.Duration.ofMillis(1), () -> {
                    c.send(new byte[100]);
                    c.abort(); // bytes still queued: a reset
                });
                return data.remaining();
            }

            @Override
            public void onClose(Connection c, CloseReason reason, Throwable cause) {
                aborted.complete(reason);
            }
        };
        try (Runtime runtime = Testkit.start(worker -> aborting); TestPeer peer = Testkit.connect(runtime)) {
            write(peer, "go");
            assertEquals(CloseReason.LOCAL, aborted.get(10, TimeUnit.SECONDS));
            assertEquals("partial", new String(peer.input().readNBytes(7), StandardCharsets.US_ASCII));
            IOException e = assertThrows(IOException.class, () -> peer.input().read());
            assertEquals("Connection reset", e.getMessage());
        }
    }

    @Test
    void closingWithUnreadBytesResetsAsAKernelDoes() throws Exception {
        CompletableFuture<CloseReason> closed = new CompletableFuture<>();
        Handler greeter = new Handler() {
            @Override
            public void onOpen(Connection c) {
                c.send("hello".getBytes(StandardCharsets.US_ASCII));
            }

            @Override
            public int onData(Connection c, ByteBuffer data) {
                return data.remaining();
            }

            @Override
            public void onClose(Connection c, CloseReason reason, Throwable cause) {
                closed.complete(reason);
            }
        };
        try (Runtime runtime = Testkit.start(worker -> greeter); TestPeer peer = Testkit.connect(runtime)) {
            Await.until(() -> available(peer) == 5, "the greeting arrived");
            peer.close(); // "hello" unread: a reset, not an end of stream
            assertEquals(CloseReason.RESET, closed.get(10, TimeUnit.SECONDS));
        }
    }

    private static int available(TestPeer peer) {
        try {
            return peer.input().available();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aReadTimesOutLikeASocketAndThePeerStaysUsable() throws Exception {
        Recorder h = new Recorder();
        try (Runtime runtime = Testkit.start(worker -> h); TestPeer peer = Testkit.connect(runtime)) {
            peer.setSoTimeout(50);
            assertThrows(java.net.SocketTimeoutException.class, () -> peer.input().read());
            write(peer, "half");
            assertEquals("bye", new String(peer.input().readNBytes(3), StandardCharsets.US_ASCII));
        }
    }
}
