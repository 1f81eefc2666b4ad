package io.ringline.internal;

import io.ringline.Config;
import io.ringline.Handler;
import io.ringline.TlsConfig;
import io.ringline.spi.OutboundQueue;
import io.ringline.spi.Transport;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;

/**
 * A TLS connection of the core ({@link ConnectionImpl} on a {@link Worker#detached} worker) and a
 * peer {@link SSLEngine} in memory, joined by a fake transport: what the core queues is written to
 * the peer in pieces of {@link #writeSize} bytes per flush, what the peer wraps is received by the
 * core in pieces of {@link #readSize} bytes. {@link #pump()} moves bytes until nothing moves.
 */
final class TlsPeer implements Transport {

    static final Path CERT = Path.of("../testdata/tls/server.crt");
    static final Path KEY = Path.of("../testdata/tls/server.key");

    final Worker worker;
    final ConnectionImpl conn;
    final SSLEngine peer;
    /** A client connection's connect stage (completed after the handshake); null for a server connection. */
    final CompletableFuture<io.ringline.Connection> stage;
    /** Ciphertext the core wrote, not yet unwrapped by the peer (read mode). */
    private ByteBuffer toPeer = ByteBuffer.allocate(1 << 16).flip();
    /** Ciphertext the peer wrapped, not yet received by the core (read mode). */
    private ByteBuffer toCore = ByteBuffer.allocate(1 << 16).flip();
    private ByteBuffer peerOut = ByteBuffer.allocate(0);
    final ByteArrayOutputStream peerReceived = new ByteArrayOutputStream();
    /** Bytes per {@link #flush()} the fake socket takes; a supplier so that tests can vary it. */
    IntSupplier writeSize = () -> Integer.MAX_VALUE;
    IntSupplier readSize = () -> Integer.MAX_VALUE;
    /** When false the fake socket takes nothing (a peer that does not read). */
    boolean writable = true;
    int closes;
    boolean lastCloseReset;
    int shutdowns;
    boolean peerInboundClosed;
    /** What the peer engine threw (e.g. the alert the core sent), null if nothing. */
    SSLException peerFailure;
    long written;
    /** Bytes the test thread allocated inside the core's calls (receives, loop passes, flushes), see {@link #coreAllocated()}. */
    private long coreAllocated;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    /** A server connection of the core with {@code tls}, and a JDK client engine trusting the test certificate. */
    static TlsPeer server(Config config, Handler handler, TlsConfig tls) {
        SSLEngine client = PemFiles.clientContext(CERT).createSSLEngine("localhost", 443);
        client.setUseClientMode(true);
        return new TlsPeer(config, handler, tls, client, null);
    }

    static TlsPeer server(Handler handler) {
        return server(Config.builder().workers(1).build(), handler, TlsConfig.server(CERT, KEY).build());
    }

    /** A client connection of the core with {@code tls}, and a JDK server engine with the test certificate. */
    static TlsPeer client(Config config, Handler handler, TlsConfig tls, String serverName) {
        SSLContext ctx = PemFiles.serverContext(CERT, KEY);
        SSLEngine server = ctx.createSSLEngine();
        server.setUseClientMode(false);
        return new TlsPeer(config, handler, tls, server, serverName);
    }

    private TlsPeer(Config config, Handler handler, TlsConfig tls, SSLEngine peer, String serverName) {
        this.worker = Worker.detached(config, handler);
        this.peer = peer;
        try {
            peer.beginHandshake();
        } catch (SSLException e) {
            throw new AssertionError(e);
        }
        InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 40000);
        this.stage = tls.isServer() ? null : new CompletableFuture<>();
        this.conn = new ConnectionImpl(worker, this, new InetSocketAddress("127.0.0.1", 443), remote, tls, serverName, stage);
    }

    TlsPeer open() {
        conn.open();
        return this;
    }

    // ---------------------------------------------------------------- Transport

    @Override
    public void flush() {
        OutboundQueue q = conn.outbound();
        if (!writable) {
            conn.flushed();
            return;
        }
        long budget = writeSize.getAsInt();
        while (!q.isEmpty() && budget > 0) {
            ByteBuffer b = q.buffer(0);
            int k = (int) Math.min(budget, b.remaining());
            ensure(k);
            toPeer.compact();
            toPeer.put(toPeer.position(), b, b.position(), k); // absolute: allocates nothing (allocation tests)
            toPeer.position(toPeer.position() + k);
            toPeer.flip();
            budget -= k;
            written += k;
            conn.written(k);
        }
        conn.flushed();
    }

    private void ensure(int k) {
        if (toPeer.capacity() - toPeer.remaining() < k) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(toPeer.capacity() * 2, toPeer.remaining() + k));
            bigger.put(toPeer).flip();
            toPeer = bigger;
        }
    }

    @Override
    public void shutdownOutput() {
        shutdowns++;
    }

    @Override
    public void close(boolean reset) {
        closes++;
        lastCloseReset = reset;
    }

    @Override
    public void readingPausedChanged(boolean paused) {
    }

    // ---------------------------------------------------------------- the peer

    /** Queues {@code data} for the peer to encrypt and send. */
    void peerSend(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(peerOut.remaining() + data.length);
        b.put(peerOut).put(data).flip();
        peerOut = b;
    }

    /** {@return what the peer decrypted so far, and forgets it} */
    byte[] takePeerReceived() {
        byte[] b = peerReceived.toByteArray();
        peerReceived.reset();
        return b;
    }

    /** Moves bytes both ways until nothing moves: loop passes, peer wraps and unwraps, deliveries to the core. */
    void pump() {
        try {
            pumpOrThrow();
        } catch (SSLException e) {
            peerFailure = e;
        }
    }

    private void pumpOrThrow() throws SSLException {
        for (int round = 0; round < 100_000; round++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            boolean moved = worker.runOnce() > 0;
            if (writable && !conn.isClosed() && !conn.outbound().isEmpty()) {
                flush(); // the socket became writable again: the backend goes on writing
                moved = true;
            }
            coreAllocated += THREADS.getCurrentThreadAllocatedBytes() - before;
            moved |= peerWrap();
            moved |= peerUnwrap();
            moved |= deliverToCore();
            if (!moved) {
                return;
            }
        }
        throw new AssertionError("pump did not settle");
    }

    private void runTasks() {
        Runnable t;
        while ((t = peer.getDelegatedTask()) != null) {
            t.run();
        }
    }

    private boolean peerWrap() throws SSLException {
        boolean moved = false;
        while (true) {
            SSLEngineResult.HandshakeStatus hs = peer.getHandshakeStatus();
            if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                runTasks();
                continue;
            }
            boolean handshaking = hs == SSLEngineResult.HandshakeStatus.NEED_WRAP;
            if (!handshaking && (!peerOut.hasRemaining() || peer.isOutboundDone())) {
                return moved;
            }
            ByteBuffer dst = ByteBuffer.allocate(peer.getSession().getPacketBufferSize());
            SSLEngineResult r = peer.wrap(peerOut, dst);
            dst.flip();
            if (dst.hasRemaining()) {
                ByteBuffer b = ByteBuffer.allocate(toCore.remaining() + dst.remaining());
                b.put(toCore).put(dst).flip();
                toCore = b;
                moved = true;
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED || (r.bytesProduced() == 0 && r.bytesConsumed() == 0)) {
                return moved;
            }
        }
    }

    private boolean peerUnwrap() throws SSLException {
        boolean moved = false;
        while (toPeer.hasRemaining() && !peer.isInboundDone()) {
            ByteBuffer dst = ByteBuffer.allocate(peer.getSession().getApplicationBufferSize());
            SSLEngineResult r = peer.unwrap(toPeer, dst);
            if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                runTasks();
            }
            dst.flip();
            byte[] b = new byte[dst.remaining()];
            dst.get(b);
            peerReceived.writeBytes(b);
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                peerInboundClosed = true;
                return true;
            }
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW || (r.bytesConsumed() == 0 && r.bytesProduced() == 0)) {
                return moved;
            }
            moved = true;
            if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                return true; // answer first
            }
        }
        return moved;
    }

    /** Hands the core what the peer wrapped, {@link #readSize} bytes per receive. */
    private boolean deliverToCore() {
        boolean moved = false;
        while (toCore.hasRemaining() && !conn.isClosed()) {
            int k = Math.min(toCore.remaining(), Math.max(1, readSize.getAsInt()));
            ByteBuffer direct = ByteBuffer.allocateDirect(k);
            direct.put(toCore.duplicate().limit(toCore.position() + k)).flip();
            toCore.position(toCore.position() + k);
            ByteBuffer view = direct.asReadOnlyBuffer();
            long before = THREADS.getCurrentThreadAllocatedBytes();
            conn.received(view);
            coreAllocated += THREADS.getCurrentThreadAllocatedBytes() - before;
            moved = true;
        }
        return moved;
    }

    /** {@return the bytes allocated inside the core's calls so far} */
    long coreAllocated() {
        return coreAllocated;
    }

    /** Hands the core raw bytes (not from the peer engine), e.g. garbage. */
    void deliverRaw(byte[] bytes) {
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
        direct.put(bytes).flip();
        conn.received(direct.asReadOnlyBuffer());
    }
}
