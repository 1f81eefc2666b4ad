package io.ringline.internal;

import io.ringline.Handler;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady-state TLS echo allocates nothing of the core's own: what the worker thread allocates per
 * message inside the core's calls is no more than what the JDK engine alone allocates for the same
 * unwrap and wrap (its {@link SSLEngineResult}s and internals).
 */
class TlsAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int WARM_UP = 15_000;
    private static final int MEASURED = 10_000;
    private static final int SIZE = 100;

    @Test
    void steadyStateEchoAllocatesNoMoreThanTheEngineItself() throws Exception {
        Handler echo = (c, d) -> {
            int n = d.remaining();
            c.send(d);
            return n;
        };
        TlsPeer p = TlsPeer.server(echo).open();
        p.pump();
        byte[] msg = new byte[SIZE];
        for (int i = 0; i < WARM_UP; i++) {
            roundTrip(p, msg);
        }
        long before = p.coreAllocated();
        long receiveBefore = p.receiveAllocated;
        long loopBefore = p.loopAllocated;
        for (int i = 0; i < MEASURED; i++) {
            roundTrip(p, msg);
        }
        double core = (double) (p.coreAllocated() - before) / MEASURED;
        double engine = engineAlone();
        System.out.printf("TLS echo of %d B: core calls allocate %.1f B/message (receive %.1f, loop %.1f),"
                + " the JDK engine alone %.1f B/message%n", SIZE, core, (double) (p.receiveAllocated - receiveBefore) / MEASURED,
                (double) (p.loopAllocated - loopBefore) / MEASURED, engine);
        assertTrue(core <= engine + 16, "the core allocates " + core + " B per message, the engine alone " + engine);
    }

    private static void roundTrip(TlsPeer p, byte[] msg) {
        p.peerSend(msg);
        p.pump();
        assertArrayEquals(msg, p.takePeerReceived());
    }

    /** {@return bytes allocated per message by a JDK server engine's unwrap of a request and wrap of the reply} */
    private static double engineAlone() throws SSLException {
        SSLEngine server = PemFiles.serverContext(TlsPeer.CERT, TlsPeer.KEY).createSSLEngine();
        server.setUseClientMode(false);
        SSLEngine client = PemFiles.clientContext(TlsPeer.CERT).createSSLEngine("localhost", 443);
        client.setUseClientMode(true);
        ByteBuffer c2s = ByteBuffer.allocateDirect(1 << 16);
        ByteBuffer s2c = ByteBuffer.allocateDirect(1 << 16);
        ByteBuffer app = ByteBuffer.allocateDirect(1 << 16);
        ByteBuffer empty = ByteBuffer.allocateDirect(0);
        client.beginHandshake();
        server.beginHandshake();
        for (int i = 0; i < 50; i++) { // handshake in memory
            step(client, empty, c2s, s2c, app);
            step(server, empty, s2c, c2s, app);
        }
        if (client.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                || server.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
            throw new AssertionError("in-memory handshake did not finish: " + client.getHandshakeStatus() + "/" + server.getHandshakeStatus());
        }
        c2s.clear();
        s2c.clear();
        ByteBuffer msg = ByteBuffer.allocateDirect(SIZE);
        ByteBuffer[] srcs = new ByteBuffer[1];
        long total = 0;
        for (int i = 0; i < WARM_UP + MEASURED; i++) {
            c2s.clear();
            msg.clear();
            client.wrap(msg, c2s);
            c2s.flip();
            app.clear();
            ByteBuffer received = c2s.asReadOnlyBuffer(); // as the core gets it from a backend
            long before = THREADS.getCurrentThreadAllocatedBytes();
            server.unwrap(received, app);
            app.flip();
            s2c.clear();
            srcs[0] = app;
            server.wrap(srcs, 0, 1, s2c); // the gathering form the core uses
            long used = THREADS.getCurrentThreadAllocatedBytes() - before;
            s2c.flip();
            app.clear();
            client.unwrap(s2c, app);
            if (i >= WARM_UP) {
                total += used;
            }
        }
        return (double) total / MEASURED;
    }

    /** One handshake step of {@code e}: unwrap what it received, run tasks, wrap what it sends. */
    private static void step(SSLEngine e, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer app) throws SSLException {
        in.flip();
        while (in.hasRemaining()) {
            app.clear();
            SSLEngineResult r = e.unwrap(in, app);
            runTasks(e);
            if (r.getStatus() != SSLEngineResult.Status.OK || r.bytesConsumed() == 0) {
                break;
            }
        }
        in.compact();
        while (e.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
            SSLEngineResult r = e.wrap(empty, out);
            runTasks(e);
            if (r.bytesProduced() == 0) {
                break;
            }
        }
    }

    private static void runTasks(SSLEngine e) {
        Runnable t;
        while ((t = e.getDelegatedTask()) != null) {
            t.run();
        }
    }
}
