package io.ringline.nio;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.MemoryRegion;
import io.ringline.internal.Throwables;
import io.ringline.internal.Worker;
import io.ringline.spi.WorkerIo;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The NIO driver of one worker: a {@link Selector}, and one direct read buffer shared by all of the
 * worker's connections (bytes a handler leaves unconsumed are copied into the connection's own
 * accumulator by the core). Regions need no backend state here: a region send writes straight from
 * the region's memory through a direct {@link ByteBuffer} view.
 */
final class NioWorkerIo implements WorkerIo {

    private final Worker worker;
    private final Selector selector;
    private final ByteBuffer readBuffer;

    NioWorkerIo(Worker worker) throws IOException {
        this.worker = worker;
        this.selector = Selector.open();
        this.readBuffer = ByteBuffer.allocateDirect(worker.config().recvBufferSize());
    }

    ByteBuffer readBuffer() {
        return readBuffer;
    }

    Worker worker() {
        return worker;
    }

    @Override
    public void poll(long timeoutNanos) throws IOException {
        worker.stats().kernelEnters++;
        if (timeoutNanos == 0) {
            selector.selectNow(this::process);
        } else if (timeoutNanos < 0) {
            selector.select(this::process);
        } else {
            // select(0) would block forever: round sub-millisecond timeouts up to 1 ms.
            long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999));
            selector.select(this::process, millis);
        }
    }

    private void process(SelectionKey key) {
        Object att = key.attachment();
        if (att instanceof NioConnection c) {
            try {
                c.ready(key);
            } catch (Throwable bug) {
                // What escapes a connection's event processing (a handler's Throwable is already
                // contained by the core) ends that connection, not the worker, as on io_uring.
                Throwables.rethrowIfFatal(bug);
                if (!c.isClosed()) {
                    c.failed(CloseReason.ERROR, bug);
                }
            }
        } else if (att instanceof PendingConnect p) {
            p.finish(key);
        }
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    @Override
    public void adopt(Object acceptedSocket) {
        SocketChannel ch = (SocketChannel) acceptedSocket;
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            open(ch, null);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new java.io.UncheckedIOException("cannot set up accepted socket", e);
        }
    }

    /** Registers a connected channel with the selector and the worker (which calls onOpen). */
    private NioConnection open(SocketChannel ch, SelectionKey existing) throws IOException {
        SelectionKey key;
        if (existing == null) {
            key = ch.register(selector, SelectionKey.OP_READ);
        } else {
            key = existing;
            key.interestOps(SelectionKey.OP_READ);
        }
        NioConnection c;
        try {
            c = new NioConnection(this, ch, key);
        } catch (IOException | RuntimeException e) {
            key.cancel();
            throw e;
        }
        key.attach(c);
        try {
            worker.register(c);
        } catch (RuntimeException e) {
            key.cancel();
            closeQuietly(ch);
            throw e;
        }
        return c;
    }

    @Override
    public Runnable connect(SocketAddress remote, CompletableFuture<Connection> result) {
        SocketChannel ch;
        try {
            ch = SocketChannel.open();
        } catch (IOException e) {
            result.completeExceptionally(e);
            return () -> { };
        }
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (ch.connect(remote)) {
                result.complete(open(ch, null));
                return () -> { };
            }
            PendingConnect pending = new PendingConnect(ch, result);
            ch.register(selector, SelectionKey.OP_CONNECT, pending);
            return pending::abort;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            result.completeExceptionally(e);
            return () -> { };
        }
    }

    /** An outbound connect waiting for {@code OP_CONNECT}. */
    private final class PendingConnect {
        private final SocketChannel ch;
        private final CompletableFuture<Connection> result;

        PendingConnect(SocketChannel ch, CompletableFuture<Connection> result) {
            this.ch = ch;
            this.result = result;
        }

        void finish(SelectionKey key) {
            if (!key.isValid() || !key.isConnectable()) {
                return;
            }
            try {
                if (!ch.finishConnect()) {
                    return;
                }
                result.complete(open(ch, key));
            } catch (IOException | RuntimeException e) {
                key.cancel();
                closeQuietly(ch);
                result.completeExceptionally(e);
            }
        }

        void abort() {
            SelectionKey key = ch.keyFor(selector);
            if (key != null) {
                key.cancel();
            }
            closeQuietly(ch);
        }
    }

    @Override
    public void installRegion(int slot, MemoryRegion region) {
        // Nothing to do: the core's region table holds the segment and sends write from it directly.
    }

    @Override
    public void removeRegion(int slot) {
        // Nothing to do (see installRegion).
    }

    @Override
    public void close() {
        for (SelectionKey key : selector.keys()) {
            closeQuietly(key.channel());
        }
        closeQuietly(selector);
    }

    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
