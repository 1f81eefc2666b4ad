package io.ringline.nio;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.MemoryRegion;
import io.ringline.spi.AcceptedSocket;
import io.ringline.spi.UdpCore;
import io.ringline.spi.UdpTransport;
import io.ringline.spi.WorkerIo;
import io.ringline.spi.WorkerServices;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Objects;
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
 *
 * <p>UDP sockets ({@link NioUdpSocket}) share one more direct buffer of
 * {@code maxDatagramSize + 1} bytes, created with the first of them, and the worker's readers of
 * the kernel's UDP tables (Linux, for the drop counts). A socket that received schedules a drops
 * refresh; {@link #poll} then waits no longer than until the earliest one is due.
 */
final class NioWorkerIo implements WorkerIo {

    private static final Logger log = LoggerFactory.getLogger(NioWorkerIo.class);

    private final WorkerServices services;
    private final Selector selector;
    private final ByteBuffer readBuffer;
    /** Read-only twin of {@link #readBuffer} (same memory), what the core is shown. */
    private final ByteBuffer receivedView;
    /** {@link #process} as the selector's action, created once (a method reference per select would allocate). */
    private final Consumer<SelectionKey> processKey = this::process;
    private final int readsPerEvent;
    private final int gatherLimit;
    private final int datagramsPerEvent;
    private final int udpReceiveBufferSize;
    /** The UDP sockets' receive buffer ({@code maxDatagramSize + 1} bytes) and its read-only twin; null until the first. */
    private ByteBuffer datagramBuffer;
    private ByteBuffer datagramView;
    /** The kernel's UDP tables (IPv4, IPv6), opened lazily: the sockets' drop counts. */
    private final ProcNetUdp udp4Table = new ProcNetUdp(Path.of("/proc/net/udp"));
    private final ProcNetUdp udp6Table = new ProcNetUdp(Path.of("/proc/net/udp6"));
    /** Sockets with a drops refresh scheduled, earliest due first (each is due a fixed delay after it was added). */
    private final ArrayDeque<NioUdpSocket> dropsRefreshes = new ArrayDeque<>();

    NioWorkerIo(WorkerServices services) throws IOException {
        this.services = services;
        this.readsPerEvent = services.options().get(NioBackendProvider.READS_PER_EVENT);
        this.gatherLimit = services.options().get(NioBackendProvider.GATHER_LIMIT);
        this.datagramsPerEvent = services.options().get(NioBackendProvider.DATAGRAMS_PER_EVENT);
        this.udpReceiveBufferSize = services.options().get(NioBackendProvider.UDP_RECEIVE_BUFFER_SIZE);
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

    /** {@return {@link NioBackendProvider#DATAGRAMS_PER_EVENT} of this runtime} */
    int datagramsPerEvent() {
        return datagramsPerEvent;
    }

    /** {@return the UDP sockets' receive buffer, {@code maxDatagramSize + 1} bytes, which the channels receive into} */
    ByteBuffer datagramBuffer() {
        return datagramBuffer;
    }

    /**
     * {@return the read-only twin of {@link #datagramBuffer()} holding the first {@code length}
     * bytes just received (position 0, limit {@code length}), for {@code UdpCore.received}}
     */
    ByteBuffer datagramReceived(int length) {
        return datagramView.clear().limit(length);
    }

    /** Schedules {@code socket}'s drops refresh, due at {@link NioUdpSocket#dropsRefreshDue()}. */
    void scheduleDropsRefresh(NioUdpSocket socket) {
        dropsRefreshes.addLast(socket);
    }

    @Override
    public void poll(long timeoutNanos) throws IOException {
        if (!dropsRefreshes.isEmpty()) {
            long untilDue = dropsRefreshes.peekFirst().dropsRefreshDue() - System.nanoTime();
            if (untilDue <= 0) {
                timeoutNanos = 0;
            } else if (timeoutNanos < 0 || timeoutNanos > untilDue) {
                timeoutNanos = untilDue;
            }
        }
        select(timeoutNanos);
        if (!dropsRefreshes.isEmpty()) {
            refreshDueDrops();
        }
    }

    private void refreshDueDrops() {
        long now = System.nanoTime();
        NioUdpSocket s;
        while ((s = dropsRefreshes.peekFirst()) != null && s.dropsRefreshDue() - now <= 0) {
            dropsRefreshes.pollFirst();
            s.refreshDrops();
        }
    }

    private void select(long timeoutNanos) throws IOException {
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
        } else if (att instanceof NioUdpSocket u) {
            try {
                u.ready(key);
            } catch (Throwable bug) {
                if (bug instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
                if (!u.core.isClosed()) {
                    u.core.failed(bug);
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

    /**
     * Opens a non-blocking {@link DatagramChannel} of {@code local}'s family, with
     * {@code SO_REUSEPORT} when asked and {@code SO_RCVBUF} when {@code nio.udpReceiveBufferSize}
     * is set, binds and (with {@code remote}) connects it, and registers it with this worker's
     * selector (receiving starts with {@link UdpTransport#startReceiving()}). On Linux it also
     * learns the socket's inode in {@code /proc/net/udp}({@code 6}) for its drop count: the one
     * inode on the bound port that was not there before the bind (with none or several, logged at
     * DEBUG, the socket reports no drops).
     */
    @Override
    public UdpTransport openUdp(UdpCore core, InetSocketAddress local, InetSocketAddress remote,
                                boolean reusePort) throws IOException {
        Objects.requireNonNull(core, "core");
        Objects.requireNonNull(local, "local");
        if (local.isUnresolved()) {
            throw new IOException("cannot bind a UDP socket to the unresolved address " + local);
        }
        boolean ipv6 = local.getAddress() instanceof Inet6Address;
        ProtocolFamily family = ipv6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        ProcNetUdp table = ipv6 ? udp6Table : udp4Table;
        if (datagramBuffer == null) {
            datagramBuffer = ByteBuffer.allocateDirect(services.config().maxDatagramSize() + 1);
            datagramView = datagramBuffer.asReadOnlyBuffer();
        }
        DatagramChannel ch = DatagramChannel.open(family);
        try {
            ch.configureBlocking(false);
            if (reusePort) {
                if (!ch.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                    throw new IOException("SO_REUSEPORT is not supported on this platform (UDP socket for " + local + ")");
                }
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            if (udpReceiveBufferSize > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, udpReceiveBufferSize);
            }
            long[] before = inodesQuietly(table, local.getPort(), local);
            try {
                ch.bind(local);
            } catch (IOException | IllegalArgumentException e) {
                throw new IOException("cannot bind a UDP socket to " + local + ": " + e.getMessage(), e);
            }
            InetSocketAddress bound = (InetSocketAddress) ch.getLocalAddress();
            long inode = findInode(table, bound, before);
            if (remote != null) {
                try {
                    ch.connect(remote);
                } catch (IOException | IllegalArgumentException e) {
                    throw new IOException("cannot connect the UDP socket " + bound + " to " + remote + ": " + e.getMessage(), e);
                }
            }
            SelectionKey key = ch.register(selector, 0);
            NioUdpSocket socket = new NioUdpSocket(this, ch, key, core, bound, remote, table, inode);
            key.attach(socket);
            return socket;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** {@return the inodes on {@code port} (all when 0) of {@code table}, or null if it cannot be read} */
    private static long[] inodesQuietly(ProcNetUdp table, int port, InetSocketAddress local) {
        if (!table.available()) {
            return null;
        }
        try {
            return table.inodes(port);
        } catch (IOException e) {
            log.debug("ringline: cannot read {} before binding a UDP socket to {}: no kernel drops for it", table, local, e);
            return null;
        }
    }

    private static long findInode(ProcNetUdp table, InetSocketAddress bound, long[] before) {
        if (before == null) {
            return -1;
        }
        try {
            long inode = table.newInode(bound.getPort(), before);
            if (inode < 0) {
                log.debug("ringline: not exactly one new socket on port {} in {} after binding {}: no kernel drops for it",
                        bound.getPort(), table, bound);
            }
            return inode;
        } catch (IOException e) {
            log.debug("ringline: cannot read {} after binding a UDP socket to {}: no kernel drops for it", table, bound, e);
            return -1;
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
        udp4Table.close();
        udp6Table.close();
        dropsRefreshes.clear();
    }

    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
