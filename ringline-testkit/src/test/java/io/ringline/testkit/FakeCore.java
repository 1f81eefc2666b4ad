package io.ringline.testkit;

import io.ringline.CloseReason;
import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.spi.AcceptSink;
import io.ringline.spi.AcceptedSocket;
import io.ringline.spi.BackendOptions;
import io.ringline.spi.ConnectionCore;
import io.ringline.spi.IoStats;
import io.ringline.spi.OutboundQueue;
import io.ringline.spi.Transport;
import io.ringline.spi.WorkerServices;

import java.io.ByteArrayOutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A stand-in for the core, written against the SPI alone, to test the testkit driver without a
 * runtime: it records what the driver reports. The test's thread plays the worker.
 */
final class FakeCore implements ConnectionCore {

    /** The worker's side of the core: creates {@link FakeCore}s, counts stats. */
    static final class Services implements WorkerServices, IoStats {
        final Config config;
        final BackendOptions options;
        final List<FakeCore> cores = new ArrayList<>();
        long opsSubmitted;
        long kernelEntered;

        Services(Map<String, Object> options) {
            this.config = Config.builder().workers(1).build();
            this.options = BackendOptions.resolve("testkit", TestkitOptions.all(), options);
        }

        TestkitSettings settings() {
            return TestkitSettings.of(config, options);
        }

        @Override
        public int workerId() {
            return 0;
        }

        @Override
        public Config config() {
            return config;
        }

        @Override
        public BackendOptions options() {
            return options;
        }

        @Override
        public IoStats stats() {
            return this;
        }

        @Override
        public ConnectionCore newConnection(Transport transport, SocketAddress localAddress, SocketAddress remoteAddress,
                                            java.util.concurrent.CompletableFuture<io.ringline.Connection> connect) {
            FakeCore core = new FakeCore(transport);
            cores.add(core);
            return core;
        }

        @Override
        public void executeBackendTask(Runnable task) {
            throw new UnsupportedOperationException("the testkit driver has no backend tasks");
        }

        @Override
        public boolean isShuttingDown() {
            return false;
        }

        @Override
        public void opsSubmitted(int n) {
            opsSubmitted += n;
        }

        @Override
        public void kernelEntered() {
            kernelEntered++;
        }

        @Override
        public void recvBufferExhausted() {
        }

        @Override
        public void zeroCopySent() {
        }
    }

    /** An accept sink that keeps the sockets for the test to adopt. */
    static final class Sink implements AcceptSink {
        final LinkedBlockingQueue<AcceptedSocket> accepted = new LinkedBlockingQueue<>();

        @Override
        public boolean dispatch(AcceptedSocket socket) {
            accepted.add(socket);
            return true;
        }

        @Override
        public boolean tryDispatch(AcceptedSocket socket) {
            return dispatch(socket);
        }

        @Override
        public boolean isClosed() {
            return false;
        }
    }

    final Transport transport;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final Queue outbound = new Queue();
    int largestReceive;
    int flushes;
    boolean inputEnded;
    CloseReason failed;
    Throwable failure;
    boolean closed;
    boolean paused;

    private FakeCore(Transport transport) {
        this.transport = transport;
    }

    /** Queues {@code bytes} and flushes, as the core does after a send. */
    void send(byte[] bytes) {
        outbound.entries.add(ByteBuffer.allocateDirect(bytes.length).put(bytes).flip());
        transport.flush();
    }

    void pause(boolean pause) {
        paused = pause;
        transport.readingPausedChanged(pause);
    }

    void close(boolean reset) {
        closed = true;
        transport.close(reset);
    }

    @Override
    public boolean open() {
        return true;
    }

    @Override
    public Connection connection() {
        return null;
    }

    @Override
    public OutboundQueue outbound() {
        return outbound;
    }

    @Override
    public void received(ByteBuffer src, io.ringline.spi.ReceivedMemory memory) {
        if (closed) {
            return;
        }
        if (paused) {
            throw new AssertionError("received " + src.remaining() + " bytes while paused (the driver promised 0)");
        }
        if (!src.isReadOnly() || !src.isDirect()) {
            throw new AssertionError("received " + src + ": the SPI requires a read-only direct buffer");
        }
        largestReceive = Math.max(largestReceive, src.remaining());
        ByteBuffer copy = src.duplicate();
        byte[] b = new byte[copy.remaining()];
        copy.get(b);
        received.writeBytes(b);
    }

    @Override
    public void written(long n) {
        if (n > outbound.bytes()) {
            throw new AssertionError("written " + n + " > queued " + outbound.bytes());
        }
        while (n > 0) {
            ByteBuffer head = outbound.entries.getFirst();
            int k = (int) Math.min(n, head.remaining());
            head.position(head.position() + k);
            n -= k;
            if (!head.hasRemaining()) {
                outbound.entries.removeFirst();
            }
        }
    }

    @Override
    public void flushed() {
        flushes++;
    }

    @Override
    public void inputEnded() {
        inputEnded = true;
    }

    @Override
    public void failed(CloseReason reason, Throwable cause) {
        if (!closed) {
            failed = reason;
            failure = cause;
            close(true);
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isReadingPaused() {
        return paused;
    }

    /** The send queue: direct buffers in order. */
    static final class Queue implements OutboundQueue {
        final List<ByteBuffer> entries = new ArrayList<>();

        @Override
        public int size() {
            return entries.size();
        }

        @Override
        public boolean isEmpty() {
            return entries.isEmpty();
        }

        @Override
        public long bytes() {
            long n = 0;
            for (ByteBuffer b : entries) {
                n += b.remaining();
            }
            return n;
        }

        @Override
        public ByteBuffer buffer(int index) {
            return entries.get(index);
        }

        @Override
        public int regionSlot(int index) {
            return -1;
        }

        @Override
        public long address(int index) {
            return java.lang.foreign.MemorySegment.ofBuffer(buffer(index)).address();
        }

        @Override
        public void retain() {
        }

        @Override
        public void release() {
        }
    }
}
