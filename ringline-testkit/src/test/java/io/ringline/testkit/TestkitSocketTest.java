package io.ringline.testkit;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Runtime;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Code written against {@link java.net.Socket} reaches a testkit listener through {@link TestkitSocket}. */
class TestkitSocketTest {

    private static final class Closes extends Echo {
        final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
        final CompletableFuture<Connection> opened = new CompletableFuture<>();

        @Override
        public void onOpen(Connection connection) {
            opened.complete(connection);
        }

        @Override
        public void onClose(Connection connection, CloseReason reason, Throwable cause) {
            closed.complete(reason);
        }
    }

    @Test
    void echoesThroughASocketAndReportsItsAddresses() throws Exception {
        Closes h = new Closes();
        try (Runtime runtime = Testkit.start(worker -> h); Socket s = new TestkitSocket()) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(10_000);
            s.connect(runtime.boundAddresses().getFirst(), 1000);
            assertTrue(s.isConnected());
            Connection c = h.opened.get(10, TimeUnit.SECONDS);
            assertEquals(s.getLocalSocketAddress(), c.remoteAddress());
            assertEquals(s.getRemoteSocketAddress(), c.localAddress());
            byte[] data = new byte[100_000];
            new java.util.Random(1).nextBytes(data);
            s.getOutputStream().write(data);
            s.shutdownOutput();
            assertArrayEquals(data, s.getInputStream().readAllBytes());
            assertEquals(CloseReason.PEER_CLOSED, h.closed.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void soLingerZeroThenCloseResets() throws Exception {
        Closes h = new Closes();
        try (Runtime runtime = Testkit.start(worker -> h)) {
            Socket s = new TestkitSocket();
            s.connect(runtime.boundAddresses().getFirst());
            h.opened.get(10, TimeUnit.SECONDS);
            s.setSoLinger(true, 0);
            assertEquals(0, s.getSoLinger());
            s.close();
            assertEquals(CloseReason.RESET, h.closed.get(10, TimeUnit.SECONDS));
            assertTrue(s.isClosed());
        }
    }

    @Test
    void aReadTimesOutAndAConnectToNothingIsRefused() throws Exception {
        try (Runtime runtime = Testkit.start(worker -> new Echo()); Socket s = new TestkitSocket()) {
            s.setSoTimeout(30);
            s.connect(runtime.boundAddresses().getFirst());
            assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
            s.getOutputStream().write(7);
            assertEquals(7, s.getInputStream().read(), "still usable after the timeout");
        }
        IOException e = assertThrows(IOException.class, () -> {
            try (Socket s = new TestkitSocket()) {
                s.connect(new InetSocketAddress("127.0.0.1", 1));
            }
        });
        assertTrue(e instanceof ConnectException, e.toString());
    }
}
