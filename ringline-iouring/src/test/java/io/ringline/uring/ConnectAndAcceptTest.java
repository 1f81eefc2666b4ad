package io.ringline.uring;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Outbound connects (success, refused, timed out) leak nothing; a full runtime leaves connections in the backlog. */
class ConnectAndAcceptTest {

    @BeforeEach
    void requireIoUring() {
        UringTestSupport.requireIoUring();
    }

    private static long sum(Runtime rt, boolean opened) {
        long n = 0;
        for (int i = 0; i < rt.workerCount(); i++) {
            n += opened ? rt.worker(i).stats().connectionsOpened() : rt.worker(i).stats().connectionsClosed();
        }
        return n;
    }

    /** {@return the socket fds of this process} */
    private static java.util.Set<String> sockets() {
        java.util.Set<String> r = new java.util.TreeSet<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : s.toList()) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (target.startsWith("socket:")) {
                        r.add(p.getFileName() + "->" + target);
                    }
                } catch (java.io.IOException ignored) {
                    // closed meanwhile
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return r;
    }

    private static final Handler ECHO = new Handler() {
        @Override
        public int onData(Connection c, ByteBuffer data) {
            int n = data.remaining();
            c.send(data);
            return n;
        }
    };

    @Test
    void connectsRefusalsAndTimeoutsLeakNoSockets() throws Exception {
        Config cfg = Config.builder().workers(2).backend(IoUringBackendProvider.NAME)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build();
        try (Runtime rt = Runtime.start(cfg, w -> ECHO);
             ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress self = rt.boundAddresses().get(0);
            // Warm up before counting sockets: the JDK keeps one socket open after its first client Socket.
            rt.connect(self, Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            try (Socket s = new Socket(self.getAddress(), self.getPort())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(1);
                assertEquals(1, s.getInputStream().read());
            }
            // Both ends of the runtime's own warm-up connection open, the Java client's server end closed.
            UringTestSupport.await("warm-up connections settled", Duration.ofSeconds(10),
                    () -> sum(rt, true) == 3 && sum(rt, false) == 1);
            java.util.Set<String> before = sockets();
            for (int i = 0; i < 20; i++) {
                Connection c = rt.connect(self, Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertTrue(c.remoteAddress().equals(self), c.toString());
                c.worker().execute(c::close);
            }
            int refusedPort;
            try (ServerSocket tmp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                refusedPort = tmp.getLocalPort();
            }
            for (int i = 0; i < 20; i++) {
                var f = rt.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), refusedPort), Duration.ofSeconds(5))
                        .toCompletableFuture();
                Throwable t = assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS)).getCause();
                assertInstanceOf(ConnectException.class, t);
                assertTrue(t.getMessage().contains("refused"), t.getMessage());
            }
            // Fill the accept queue of a socket nobody accepts on: further SYNs are dropped and connects hang.
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket s = new Socket();
                    s.connect(full.getLocalSocketAddress(), 2000);
                    fillers.add(s);
                }
            } catch (SocketTimeoutException expected) {
                // the queue is full already
            }
            for (int i = 0; i < 5; i++) {
                var f = rt.connect(full.getLocalSocketAddress(), Duration.ofMillis(200)).toCompletableFuture();
                Throwable t = assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS)).getCause();
                assertInstanceOf(SocketTimeoutException.class, t, String.valueOf(t));
            }
            for (Socket s : fillers) {
                s.close();
            }
            UringTestSupport.await(() -> "sockets of closed and failed connects released; before " + before
                            + ", now " + sockets(), Duration.ofSeconds(10),
                    () -> before.containsAll(sockets()));
        }
    }

    @Test
    void fullRuntimeLeavesConnectionsInTheBacklogUntilCapacityFrees() throws Exception {
        Config cfg = Config.builder().workers(1).maxConnectionsPerWorker(2).acceptHandoffLimit(1)
                .backend(IoUringBackendProvider.NAME)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build();
        try (Runtime rt = Runtime.start(cfg, w -> ECHO)) {
            InetSocketAddress addr = rt.boundAddresses().get(0);
            // One at a time: the core's hand-off briefly releases a worker's reservation before the
            // connection is registered, so simultaneous arrivals can overshoot the limit (reported to the core).
            Socket a = new Socket(addr.getAddress(), addr.getPort());
            Socket b = null;
            Socket c = null;
            try {
                a.setSoTimeout(10_000);
                a.getOutputStream().write(7);
                assertEquals(7, a.getInputStream().read());
                b = new Socket(addr.getAddress(), addr.getPort());
                b.setSoTimeout(10_000);
                b.getOutputStream().write(8);
                assertEquals(8, b.getInputStream().read());
                c = new Socket(addr.getAddress(), addr.getPort());
                c.getOutputStream().write(9);
                c.setSoTimeout(500);
                Socket third = c;
                assertThrows(SocketTimeoutException.class, () -> third.getInputStream().read(), "third connection is not served yet");
                assertEquals(2, rt.worker(0).stats().connectionsOpened());
                a.close();
                c.setSoTimeout(10_000);
                assertEquals(9, new DataInputStream(c.getInputStream()).read(), "served once a slot freed");
            } finally {
                for (Socket s : new Socket[] {a, b, c}) {
                    if (s != null) {
                        s.close();
                    }
                }
            }
        }
    }
}
