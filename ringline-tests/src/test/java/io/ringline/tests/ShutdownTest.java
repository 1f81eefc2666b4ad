package io.ringline.tests;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Runtime;
import io.ringline.ShutdownHandle;
import io.ringline.WorkerContext;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.Faults;
import io.ringline.tests.support.FaultyBackendProvider;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.OncePerBackendTest;
import io.ringline.tests.support.Recorder;
import org.junit.jupiter.api.AfterEach;
import io.ringline.spi.Capability;
import io.ringline.tests.support.Requires;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Graceful shutdown: pending bytes are delivered, handlers see SHUTDOWN, the grace period bounds it. */
class ShutdownTest extends OncePerBackendTest {

    @AfterEach
    void disarmFaults() {
        Faults.reset();
    }

    /** On open, queues {@code bytes} pattern bytes (in pieces within the queue limit), then idles. */
    static final class Sender extends Recorder {
        final int bytes;

        Sender(int bytes) {
            this.bytes = bytes;
        }

        @Override
        public void onOpen(Connection c) {
            c.send(Bytes.pattern(0, bytes));
            super.onOpen(c);
        }
    }

    @Test
    void gracefulShutdownDeliversEveryPendingByteThenCloses() throws Exception {
        int bytes = 8 << 20;
        int clients = 3;
        Sender h = new Sender(bytes);
        Runtime rt = start(serverConfig().sendQueueLimit(bytes).shutdownGracePeriod(Duration.ofSeconds(30)), w -> h);
        try {
            List<Client> sockets = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                // Small receive buffers and no reading yet: most bytes stay queued in the runtime.
                sockets.add(connectWithSmallReceiveBuffer(rt, 8 * 1024));
            }
            h.awaitOpens(clients);
            for (Connection c : h.connections()) {
                assertTrue(OnWorker.call(c.worker(), c::pendingSendBytes) > 0, "bytes are pending when the shutdown starts");
            }
            ShutdownHandle handle = rt.shutdownHandle();
            handle.shutdown();
            assertTrue(handle.isShutdown());
            for (Client s : sockets) {
                try (s) {
                    byte[] got = s.readToEof();
                    assertEquals(bytes, got.length, "every pending byte arrives before end of stream");
                    Bytes.checkPattern(got, got.length, 0);
                }
            }
            assertTrue(rt.awaitTermination(Duration.ofSeconds(20)), "terminated after the connections drained");
            assertTrue(rt.isTerminated());
            assertEquals(List.of(CloseReason.SHUTDOWN, CloseReason.SHUTDOWN, CloseReason.SHUTDOWN), h.closeReasons());
        } finally {
            rt.close();
        }
    }

    @Test
    void shutdownIsIdempotentAndCallableFromAWorkerThread() throws Exception {
        Sender h = new Sender(10);
        Runtime rt = start(serverConfig(), w -> h);
        try (Client s = connect(rt)) {
            h.awaitOpens(1); // else the shutdown may drop it from the backlog
            WorkerContext w = rt.worker(0);
            OnWorker.run(w, () -> {
                w.shutdownHandle().shutdown();
                w.shutdownHandle().shutdown();
                assertTrue(w.shutdownHandle().isShutdown());
            });
            rt.shutdownHandle().shutdown();
            // The drain shuts the output down after the last byte and lingers until our end of stream.
            assertEquals(10, s.readToEof().length);
            s.close();
            assertTrue(rt.awaitTermination(Duration.ofSeconds(20)));
            rt.awaitTermination();
            assertEquals(List.of(CloseReason.SHUTDOWN), h.closeReasons());
            rt.shutdownHandle().shutdown();
            rt.close();
            rt.close();
            assertTrue(rt.isTerminated());
            // A terminated worker refuses tasks.
            assertThrows(RejectedExecutionException.class, () -> w.execute(() -> { }));
        } finally {
            rt.close();
        }
    }

    @Test
    void afterShutdownNewConnectionsAreRefused() throws Exception {
        Sender h = new Sender(1);
        Runtime rt = start(serverConfig(), w -> h);
        InetSocketAddress address = address(rt);
        try (Client s = connect(address)) {
            assertEquals(Bytes.patternByte(0) & 0xFF, s.input().read());
            rt.shutdownHandle().shutdown();
            assertEquals(-1, s.input().read(), "the open connection is closed");
            assertTrue(rt.awaitTermination(Duration.ofSeconds(20)));
            // shutdown() only signals the listeners; once terminated, their sockets are closed.
            assertThrows(ConnectException.class, () -> connect(address).close());
            // Outbound connects are refused too once terminated.
            assertThrows(RuntimeException.class, () -> OnWorker.Stages.await(rt.connect(address, Duration.ofSeconds(1))));
        } finally {
            rt.close();
        }
    }

    /** A client that never reads: the graceful close cannot finish, so the grace period force-closes it. */
    @Test
    void connectionsThatCannotDrainAreForceClosedAfterTheGracePeriod() throws Exception {
        Duration grace = Duration.ofMillis(500);
        int bytes = 16 << 20;
        Sender h = new Sender(bytes);
        Runtime rt = start(serverConfig().sendQueueLimit(bytes).shutdownGracePeriod(grace), w -> h);
        try (Client s = connectWithSmallReceiveBuffer(rt, 8 * 1024)) {
            h.awaitOpens(1);
            long start = System.nanoTime();
            rt.shutdownHandle().shutdown();
            assertTrue(rt.awaitTermination(grace.plusSeconds(10)), "terminated after the grace period");
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMs >= grace.toMillis() - 20, "force-closed after " + tookMs + " ms, before the grace period of " + grace);
            assertEquals(List.of(CloseReason.SHUTDOWN), h.closeReasons());
            // The client gets a prefix of the stream, then end of stream or a reset: never all of it.
            long received = drain(s.input());
            assertTrue(received < bytes, "received " + received + " of " + bytes);
        } finally {
            rt.close();
        }
    }

    @Test
    void shutdownWithoutConnectionsTerminatesPromptlyAndCloseWaits() throws Exception {
        Runtime rt = start(serverConfig().shutdownGracePeriod(Duration.ofSeconds(30)), w -> (c, d) -> d.remaining());
        long start = System.nanoTime();
        rt.close();
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(rt.isTerminated(), "close() returns only after termination");
        assertTrue(tookMs < 10_000, "without connections the grace period is not waited for: took " + tookMs + " ms");
        assertTrue(rt.awaitTermination(Duration.ZERO));
    }

    /** {@link ShutdownHandle#shutdown()} only signals; anything slower than this is waiting for something. */
    private static final Duration SHUTDOWN_RETURNS_WITHIN = Duration.ofMillis(200);

    @Test
    void shutdownReturnsAtOnceWhileEveryWorkerIsFullAndTheRestartCanRebindThePort() throws Exception {
        shutdownWhileEveryWorkerIsFull(false);
    }

    @Test
    void shutdownReturnsAtOnceOnAWorkerWhileEveryWorkerIsFull() throws Exception {
        shutdownWhileEveryWorkerIsFull(true);
    }

    /**
     * Fills both workers (one connection each, maxConnectionsPerWorker=1), lets the acceptor hold a
     * further socket waiting for capacity (acceptHandoffLimit=1) and more wait in the backlog, then
     * times {@code shutdown()} on a worker or on this thread. Afterwards the runtime terminates and
     * a new runtime binds the same port at once.
     */
    private void shutdownWhileEveryWorkerIsFull(boolean onWorker) throws Exception {
        Recorder h = new Recorder();
        Runtime rt = start(serverConfig().maxConnectionsPerWorker(1).acceptHandoffLimit(1), w -> h);
        InetSocketAddress address = address(rt);
        List<Client> clients = new ArrayList<>();
        try {
            for (int i = 0; i < rt.workerCount(); i++) {
                clients.add(connect(address));
                h.next();
            }
            for (int i = 0; i < 3; i++) {
                clients.add(connect(address)); // completed by the kernel, never served
            }
            WorkerContext w = rt.worker(0);
            long tookNanos = onWorker
                    ? OnWorker.call(w, () -> timeShutdown(w.shutdownHandle()))
                    : timeShutdown(rt.shutdownHandle());
            assertTrue(tookNanos < SHUTDOWN_RETURNS_WITHIN.toNanos(), () -> "shutdown() " + (onWorker ? "on a worker" : "")
                    + " returned after " + tookNanos / 1_000_000 + " ms, more than " + SHUTDOWN_RETURNS_WITHIN);
            assertTrue(rt.awaitTermination(Await.LONG), "terminated");
        } finally {
            rt.close();
            for (Client s : clients) {
                s.close();
            }
        }
        // Terminated means every acceptor let go of the socket: a restart on the same port binds at once.
        Recorder again = new Recorder();
        try (Runtime restarted = start(clientConfig().bind(address), ignored -> again);
             Client s = connect(restarted)) {
            assertEquals(address.getPort(), address(restarted).getPort());
            again.next();
        }
    }

    /**
     * An acceptor slow to stop (the faulty backend holds the real acceptor inside the dispatcher)
     * does not hold up {@code shutdown()}, but termination waits for it: the workers are gone and
     * the runtime is still not terminated until the acceptor let go of the socket.
     */
    @Test
    @Requires(value = Capability.OS_SOCKETS, why = "holds the thread that accepts on a socket listener")
    void shutdownDoesNotWaitForASlowAcceptorButTerminationDoes() throws Exception {
        Faults.wrap(spec.backend());
        CountDownLatch hold = new CountDownLatch(1);
        Faults.holdAcceptor = hold;
        Recorder h = new Recorder();
        Runtime rt = start(serverConfig().backend(FaultyBackendProvider.NAME), w -> h);
        InetSocketAddress address = address(rt);
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try (Client client = connect(address)) {
            h.next();
            Await.until(() -> Faults.acceptorHeld, "the acceptor is held after handing off the connection");
            Future<Long> took = caller.submit(() -> timeShutdown(rt.shutdownHandle()));
            long nanos;
            try {
                nanos = took.get(Await.LONG.toMillis() / 4, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("shutdown() waits for the held acceptor: not returned after " + Await.LONG.toMillis() / 4 + " ms");
            }
            assertTrue(nanos < SHUTDOWN_RETURNS_WITHIN.toNanos(),
                    () -> "shutdown() returned after " + nanos / 1_000_000 + " ms, more than " + SHUTDOWN_RETURNS_WITHIN);
            for (int i = 0; i < rt.workerCount(); i++) {
                WorkerContext w = rt.worker(i);
                Await.until(() -> refusesTasks(w), "worker " + i + " terminated");
            }
            assertFalse(rt.isTerminated(), "not terminated while an acceptor still runs");
            hold.countDown();
            assertTrue(rt.awaitTermination(Await.LONG), "terminated once the acceptor stopped");
        } finally {
            Faults.reset();
            rt.close();
            caller.shutdownNow();
        }
        try (Runtime restarted = start(clientConfig().bind(address), ignored -> h);
             Client s = connect(restarted)) {
            h.next();
        }
    }

    private static boolean refusesTasks(WorkerContext w) {
        try {
            w.execute(() -> { });
            return false;
        } catch (RejectedExecutionException e) {
            return true;
        }
    }

    private static long timeShutdown(ShutdownHandle handle) {
        long start = System.nanoTime();
        handle.shutdown();
        return System.nanoTime() - start;
    }

    private static long drain(InputStream in) {
        long n = 0;
        byte[] b = new byte[64 * 1024];
        try {
            int k;
            while ((k = in.read(b)) >= 0) {
                n += k;
            }
        } catch (IOException e) {
            // reset: the force-close may drop queued bytes
        }
        return n;
    }
}
