package io.ringline.uring;

import io.ringline.CloseReason;
import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.spi.BackendOptions;
import io.ringline.spi.ConnectionCore;
import io.ringline.spi.IoStats;
import io.ringline.spi.OutboundQueue;
import io.ringline.spi.ReceivedMemory;
import io.ringline.spi.Transport;
import io.ringline.spi.WorkerServices;

import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in for the core, written against the SPI alone, that echoes every received byte the way
 * {@code Connection.sendReceived} does: from the backend's lent memory when
 * {@link ReceivedMemory#tryRetain()} allows, else from a copy. It lets the io_uring driver's
 * lending be tested end to end without the runtime. The test's thread plays the worker.
 */
final class LendingCore implements ConnectionCore {

    /** The worker's side: creates {@link LendingCore}s, counts stats. */
    static final class Services implements WorkerServices, IoStats {
        final Config config;
        final List<LendingCore> cores = new ArrayList<>();
        long recvBufferExhausted;

        Services(Config config) {
            this.config = config;
        }

        @Override public int workerId() { return 0; }
        @Override public Config config() { return config; }
        @Override public BackendOptions options() { return BackendOptions.defaults(IoUringOptions.all()); }
        @Override public IoStats stats() { return this; }
        @Override public void executeBackendTask(Runnable task) { task.run(); }
        @Override public boolean isShuttingDown() { return false; }
        @Override public void opsSubmitted(int n) { }
        @Override public void kernelEntered() { }
        @Override public void recvBufferExhausted() { recvBufferExhausted++; }
        @Override public void zeroCopySent() { }

        @Override
        public ConnectionCore newConnection(Transport transport, SocketAddress local, SocketAddress remote,
                                            java.util.concurrent.CompletableFuture<io.ringline.Connection> connect) {
            LendingCore c = new LendingCore(transport);
            cores.add(c);
            return c;
        }
    }

    /** One queued send: the bytes (position to limit), and the memory lent for them or null (a copy). */
    private record Entry(ByteBuffer bytes, ReceivedMemory lent) {
    }

    private final Transport transport;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final List<Entry> held = new ArrayList<>();
    private int retains;
    private boolean closed;
    private boolean inputEnded;
    long lentSends;
    long copiedSends;
    long received;

    private LendingCore(Transport transport) {
        this.transport = transport;
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
    public void received(ByteBuffer src, ReceivedMemory memory) {
        if (!src.isReadOnly() || !src.isDirect()) {
            throw new IllegalArgumentException("src must be read-only and direct: " + src);
        }
        if (closed) {
            return;
        }
        received += src.remaining();
        if (memory != null && memory.tryRetain()) {
            ByteBuffer view = memory.memory().duplicate();
            view.limit(memory.offset() + src.limit()).position(memory.offset() + src.position());
            entries.addLast(new Entry(view, memory));
            lentSends++;
        } else {
            ByteBuffer copy = ByteBuffer.allocateDirect(src.remaining());
            copy.put(src).flip();
            entries.addLast(new Entry(copy, null));
            copiedSends++;
        }
        transport.flush();
    }

    @Override
    public void written(long n) {
        while (n > 0) {
            Entry e = entries.peekFirst();
            int k = (int) Math.min(n, e.bytes().remaining());
            e.bytes().position(e.bytes().position() + k);
            n -= k;
            if (!e.bytes().hasRemaining()) {
                finish(entries.pollFirst());
            }
        }
    }

    private void finish(Entry e) {
        if (retains > 0) {
            held.add(e);
        } else if (e.lent() != null) {
            e.lent().release();
        }
    }

    @Override
    public void flushed() {
    }

    @Override
    public void inputEnded() {
        inputEnded = true;
        close(false);
    }

    @Override
    public void failed(CloseReason reason, Throwable cause) {
        close(true);
    }

    /** Closes the transport and discards the queue (lent memory goes back as the core's discard does). */
    void close(boolean reset) {
        if (closed) {
            return;
        }
        closed = true;
        transport.close(reset || !entries.isEmpty());
        while (!entries.isEmpty()) {
            finish(entries.pollFirst());
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isReadingPaused() {
        return false;
    }

    /** {@return bytes queued and not yet written} */
    long queued() {
        long n = 0;
        for (Entry e : entries) {
            n += e.bytes().remaining();
        }
        return n;
    }

    boolean inputHasEnded() {
        return inputEnded;
    }

    @Override
    public OutboundQueue outbound() {
        return queue;
    }

    private final OutboundQueue queue = new OutboundQueue() {
        @Override public int size() { return entries.size(); }
        @Override public boolean isEmpty() { return entries.isEmpty(); }
        @Override public long bytes() { return queued(); }

        @Override
        public ByteBuffer buffer(int index) {
            return entry(index).bytes();
        }

        @Override
        public long address(int index) {
            ByteBuffer b = entry(index).bytes();
            return MemorySegment.ofBuffer(b).address();
        }

        @Override public int regionSlot(int index) { return -1; }
        @Override public void retain() { retains++; }

        @Override
        public void release() {
            if (retains == 0) {
                throw new IllegalStateException("not retained");
            }
            if (--retains == 0) {
                for (Entry e : held) {
                    if (e.lent() != null) {
                        e.lent().release();
                    }
                }
                held.clear();
            }
        }

        private Entry entry(int index) {
            if (index < 0 || index >= entries.size()) {
                throw new IndexOutOfBoundsException(index);
            }
            int i = 0;
            for (Entry e : entries) {
                if (i++ == index) {
                    return e;
                }
            }
            throw new IndexOutOfBoundsException(index);
        }
    };
}
