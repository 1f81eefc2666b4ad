package io.ringline.tests;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import io.ringline.WorkerContext;
import io.ringline.spi.Capability;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.EchoHandler;
import io.ringline.tests.support.Leaks;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.OncePerBackendTest;
import io.ringline.tests.support.Recorder;
import io.ringline.tests.support.Requires;
import io.ringline.tests.support.SocketClient;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Outbound connections: success (served by the handler), refusal and timeout (no leaks). */
class ConnectTest extends OncePerBackendTest {

    /** A client-side handler that records its callbacks. */
    static final class ClientHandler implements Handler {
        final List<String> events = new CopyOnWriteArrayList<>();
        final StringBuffer received = new StringBuffer();
        final AtomicInteger opens = new AtomicInteger();

        @Override
        public void onOpen(Connection c) {
            opens.incrementAndGet();
            events.add("open:w" + c.workerId() + ":onWorker=" + c.worker().inWorkerThread());
        }

        @Override
        public int onData(Connection c, ByteBuffer data) {
            int n = data.remaining();
            received.append(StandardCharsets.US_ASCII.decode(data));
            return n;
        }

        @Override
        public void onClose(Connection c, CloseReason reason, Throwable cause) {
            events.add("close:" + reason);
        }
    }

    @Test
    void connectToAListeningRuntimeIsServedByTheHandler() {
        ClientHandler client = new ClientHandler();
        try (Runtime server = start(serverConfig(), w -> EchoHandler.plain());
             Runtime rt = start(clientConfig(), w -> client)) {
            InetSocketAddress target = address(server);
            WorkerContext w = rt.worker(1);
            AtomicInteger completedOnWorker = new AtomicInteger();
            CompletionStage<Connection> stage = OnWorker.call(w, () -> w.connect(target, Duration.ofSeconds(10))
                    .whenComplete((c, t) -> {
                        if (w.inWorkerThread()) {
                            completedOnWorker.incrementAndGet();
                        }
                    }));
            Connection c = OnWorker.Stages.await(stage);
            assertEquals(1, completedOnWorker.get(), "the connect stage completes on the worker thread");
            assertEquals(List.of("open:w1:onWorker=true"), client.events, "onOpen ran (on the worker) before the stage completed");
            assertEquals(target, c.remoteAddress());
            assertEquals(1, c.workerId());
            OnWorker.run(w, () -> {
                assertTrue(c.isOpen());
                assertEquals(c, w.connection(c.token()).orElseThrow());
                c.send("ping".getBytes(StandardCharsets.US_ASCII));
            });
            Await.until(() -> client.received.toString().equals("ping"), () -> "echo received, got '" + client.received + "'");
            OnWorker.run(w, c::close);
            Await.until(() -> client.events.size() == 2, () -> "closed: " + client.events);
            assertEquals("close:LOCAL", client.events.get(1));
            // Runtime.connect picks the workers round-robin and works from any thread.
            List<Integer> workers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Connection rc = OnWorker.Stages.await(rt.connect(target, Duration.ofSeconds(10)));
                workers.add(rc.workerId());
                OnWorker.run(rc.worker(), rc::close);
            }
            assertEquals(2, workers.stream().distinct().count(), "Runtime.connect used both workers: " + workers);
            assertEquals(5, client.opens.get());
        }
    }

    /** A port bound by a socket that does not listen refuses connections (the kernel answers the SYN with RST). */
    @Test
    @Requires(value = Capability.OS_SOCKETS, why = "a bound, not listening java.net.Socket refuses; counts file descriptors")
    void refusedConnectFailsWithConnectExceptionAndLeaksNothing() throws Exception {
        ClientHandler client = new ClientHandler();
        try (Socket boundNotListening = new Socket();
             Runtime rt = start(clientConfig(), w -> client)) {
            boundNotListening.bind(loopbackAnyPort());
            InetSocketAddress target = (InetSocketAddress) boundNotListening.getLocalSocketAddress();
            // Warm up (first use may open descriptors lazily), then count.
            OnWorker.Stages.failure(OnWorker.call(rt.worker(0), () -> rt.worker(0).connect(target)));
            long fdsBefore = Leaks.openFileDescriptors();
            int attempts = 50;
            for (int i = 0; i < attempts; i++) {
                WorkerContext w = rt.worker(i % 2);
                CompletionStage<Connection> stage = i % 4 < 2
                        ? OnWorker.call(w, () -> w.connect(target))
                        : OnWorker.call(w, () -> w.connect(target, Duration.ofSeconds(10)));
                Throwable t = OnWorker.Stages.failure(stage);
                assertInstanceOf(ConnectException.class, t, "refused connect " + i);
            }
            Throwable viaRuntime = OnWorker.Stages.failure(rt.connect(target, Duration.ofSeconds(10)));
            assertInstanceOf(ConnectException.class, viaRuntime);
            assertEquals(0, client.opens.get(), "no onOpen for a refused connect");
            assertEquals(List.of(), client.events, "no callbacks for a refused connect");
            assertEquals(0, OnWorker.call(rt.worker(0), rt.worker(0)::connectionCount));
            assertEquals(0, OnWorker.call(rt.worker(1), rt.worker(1)::connectionCount));
            if (fdsBefore >= 0) {
                // A leak would keep one descriptor per attempt; allow 3 for unrelated JVM activity.
                Await.until(() -> Leaks.openFileDescriptors() <= fdsBefore + 3,
                        () -> "descriptors back to " + fdsBefore + " after " + attempts + " refused connects, now "
                                + Leaks.openFileDescriptors());
            }
        }
    }

    /**
     * A connect that never completes times out with SocketTimeoutException. To make the connect hang
     * deterministically without leaving the loopback network, the target is a listening socket whose
     * accept queue is full: Linux then drops further SYNs (whatever the syncookie setting), so the
     * handshake never completes. The queue is filled with blocking connects until one of them times
     * out, which proves that SYNs are being dropped.
     */
    @Test
    @Requires(value = Capability.OS_SOCKETS, why = "the kernel drops SYNs to a full ServerSocket accept queue; counts file descriptors")
    void connectTimeoutFailsWithSocketTimeoutExceptionAndReleasesTheSocket() throws Exception {
        ClientHandler client = new ClientHandler();
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket neverAccepts = new ServerSocket(0, 1, loopbackAnyPort().getAddress());
             Runtime rt = start(clientConfig(), w -> client)) {
            InetSocketAddress target = (InetSocketAddress) neverAccepts.getLocalSocketAddress();
            assumeTrue(fillAcceptQueue(target, fillers), "this OS does not drop SYNs to a full accept queue: no deterministic way to make a connect hang");
            long fdsBefore = Leaks.openFileDescriptors();
            WorkerContext w = rt.worker(0);
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                Throwable t = OnWorker.Stages.failure(OnWorker.call(w, () -> w.connect(target, Duration.ofMillis(100))));
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertInstanceOf(SocketTimeoutException.class, t, "connect " + i);
                assertTrue(tookMs >= 100, "timed out after " + tookMs + " ms, before the 100 ms timeout");
            }
            Throwable viaRuntime = OnWorker.Stages.failure(rt.connect(target, Duration.ofMillis(100)));
            assertInstanceOf(SocketTimeoutException.class, viaRuntime);
            assertEquals(0, client.opens.get(), "a timed-out connect never opens");
            assertEquals(0, OnWorker.call(w, w::connectionCount));
            if (fdsBefore >= 0) {
                Await.until(() -> Leaks.openFileDescriptors() <= fdsBefore + 3,
                        () -> "descriptors back to " + fdsBefore + " after timed-out connects, now " + Leaks.openFileDescriptors());
            }
        } finally {
            for (Socket s : fillers) {
                s.close();
            }
        }
    }

    /** A connect still pending at shutdown is aborted: its stage fails, and the runtime terminates. */
    @Test
    @Requires(value = Capability.OS_SOCKETS, why = "the kernel drops SYNs to a full ServerSocket accept queue")
    void aPendingConnectIsAbortedByShutdown() throws Exception {
        ClientHandler client = new ClientHandler();
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket neverAccepts = new ServerSocket(0, 1, loopbackAnyPort().getAddress())) {
            InetSocketAddress target = (InetSocketAddress) neverAccepts.getLocalSocketAddress();
            assumeTrue(fillAcceptQueue(target, fillers), "this OS does not drop SYNs to a full accept queue");
            Runtime rt = start(clientConfig(), w -> client);
            try {
                WorkerContext w = rt.worker(0);
                CompletionStage<Connection> pending = OnWorker.call(w, () -> w.connect(target));
                OnWorker.run(w, () -> { }); // the connect was started
                assertTrue(!pending.toCompletableFuture().isDone(), "the connect hangs (SYNs are dropped)");
                rt.shutdownHandle().shutdown();
                Throwable t = OnWorker.Stages.failure(pending);
                assertInstanceOf(java.io.IOException.class, t, "a pending connect fails at shutdown: " + t);
                assertTrue(rt.awaitTermination(Duration.ofSeconds(10)), "terminated despite the pending connect");
                assertEquals(0, client.opens.get());
            } finally {
                rt.close();
            }
        } finally {
            for (Socket s : fillers) {
                s.close();
            }
        }
    }

    /** Fills the accept queue of {@code target} (which never accepts) until a connect times out; {@return whether it did} */
    private static boolean fillAcceptQueue(InetSocketAddress target, List<Socket> fillers) throws java.io.IOException {
        for (int i = 0; i < 64; i++) {
            Socket s = new Socket();
            fillers.add(s);
            try {
                s.connect(target, 300);
            } catch (SocketTimeoutException e) {
                return true;
            }
        }
        return false;
    }

    @Test
    @Requires(value = Capability.OS_SOCKETS, why = "compares with the java.net.Socket's addresses")
    void acceptedConnectionsReportTheirAddresses() throws Exception {
        Recorder h = new Recorder();
        try (Runtime rt = start(serverConfig(), w -> h);
             SocketClient s = SocketClient.connect(address(rt))) {
            Connection c = h.next();
            assertEquals(s.socket().getLocalSocketAddress(), c.remoteAddress());
            assertEquals(s.socket().getRemoteSocketAddress(), c.localAddress());
            assertEquals(address(rt), c.localAddress());
        }
    }

    @Test
    void invalidConnectArgumentsAreRejected() {
        try (Runtime rt = start(clientConfig(), w -> new Recorder())) {
            WorkerContext w = rt.worker(0);
            OnWorker.run(w, () -> {
                assertThrows(IllegalArgumentException.class, () -> w.connect(loopbackAnyPort(), Duration.ZERO));
                assertThrows(IllegalArgumentException.class, () -> w.connect(loopbackAnyPort(), Duration.ofMillis(-1)));
                assertThrows(NullPointerException.class, () -> w.connect(null));
            });
        }
    }
}
