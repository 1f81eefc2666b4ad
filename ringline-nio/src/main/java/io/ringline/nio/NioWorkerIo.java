package io.ringline.nio;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.MemoryRegion;
import io.ringline.spi.AcceptedSocket;
import io.ringline.spi.WorkerIo;
import io.ringline.spi.WorkerServices;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The NIO driver of one worker: a {@link Selector}, and one direct read buffer shared by all of the
 * worker's connections. The core is shown its read-only twin, created once, which the handler
 * sees as is (bytes a handler leaves unconsumed are copied into the connection's own accumulator
 * by the core). Regions need no backend state here: a region send writes straight from the
 * region's memory through a direct {@link ByteBuffer} view.
 *
 * <p>Nothing is allocated per poll, read or write in steady state: the selector's action is a
 * field, the read buffer and its twin are the worker's, and each connection keeps its gather
 * array. The JDK's epoll {@link Selector} itself boxes the file descriptor of every ready key
 * ({@code fdToKey.get(fd)} in {@code EPollSelectorImpl}): an {@code Integer} per ready connection
 * and select once descriptors exceed 127, unless the JVM runs with
 * {@code -XX:AutoBoxCacheMax} above the highest descriptor.
 */
final class NioWorkerIo implements WorkerIo {

    private final WorkerServices services;
    private final Selector selector;
    private final ByteBuffer readBuffer;
    /** Read-only twin of {@link #readBuffer} (same memory), what the core is shown. */
    private final ByteBuffer receivedView;
    /** {@link #process} as the selector's action, created once (a method reference per select would allocate). */
    private final Consumer<SelectionKey> processKey = this::process;
    private final int readsPerEvent;
    private final int gatherLimit;

    NioWorkerIo(WorkerServices services) throws IOException {
        this.services = services;
        this.readsPerEvent = services.options().get(NioBackendProvider.READS_PER_EVENT);
        this.gatherLimit = services.options().get(NioBackendProvider.GATHER_LIMIT);
        this.selector = Selector.open();
        this.readBuffer = ByteBuffer.allocateDirect(services.config().recvBufferSize());
        this.receivedView = readBuffer.asReadOnlyBuffer();
    }

    /** {@return the worker's read buffer, which the channels read into} */
    ByteBuffer readBuffer() {
        return readBuffer;
    }

    /**
     * {@return the read-only twin of {@link #readBuffer()} holding the {@code length} bytes just read
     * (position 0, limit {@code length}), for {@code ConnectionCore.received}}
     */
    ByteBuffer received(int length) {
        return receivedView.clear().limit(length);
    }

    WorkerServices services() {
        return services;
    }

    /** {@return {@link NioBackendProvider#READS_PER_EVENT} of this runtime} */
    int readsPerEvent() {
        return readsPerEvent;
    }

    /** {@return {@link NioBackendProvider#GATHER_LIMIT} of this runtime} */
    int gatherLimit() {
        return gatherLimit;
    }

    @Override
    public void poll(long timeoutNanos) throws IOException {
        services.stats().kernelEntered();
        if (timeoutNanos == 0) {
            selector.selectNow(processKey);
        } else if (timeoutNanos < 0) {
            selector.select(processKey);
        } else {
            // select(0) would block forever: round sub-millisecond timeouts up to 1 ms.
            long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999));
            selector.select(processKey, millis);
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
                if (bug instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
                if (!c.core.isClosed()) {
                    c.core.failed(CloseReason.ERROR, bug);
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
    public void adopt(AcceptedSocket socket) {
        SocketChannel ch = ((NioAcceptedSocket) socket).channel();
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            open(ch, null, null);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new java.io.UncheckedIOException("cannot set up accepted socket", e);
        }
    }

    /**
     * Registers a connected channel with the selector and opens its core (which calls onOpen).
     *
     * @param connect the future of the {@link #connect} that made {@code ch}, null if accepted
     */
    private NioConnection open(SocketChannel ch, SelectionKey existing, CompletableFuture<Connection> connect) throws IOException {
        SelectionKey key;
        if (existing == null) {
            key = ch.register(selector, SelectionKey.OP_READ);
        } else {
            key = existing;
            key.interestOps(SelectionKey.OP_READ);
        }
        NioConnection c;
        try {
            c = new NioConnection(this, ch, key, connect);
        } catch (IOException | RuntimeException e) {
            key.cancel();
            throw e;
        }
        key.attach(c);
        try {
            c.core.open(); // false if the handler closed it at once: the transport was closed then
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
                result.complete(open(ch, null, result).core.connection());
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
                result.complete(open(ch, key, result).core.connection());
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

    /** {@return 0: a paused connection's read interest is dropped at once, nothing more is read} */
    @Override
    public long bytesReceivedAfterPause() {
        return 0;
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
