package io.ringline.internal;

import io.ringline.DatagramHandler;
import io.ringline.MemoryRegion;
import io.ringline.RegionException;
import io.ringline.RegionId;
import io.ringline.SendQueueFullException;
import io.ringline.UdpSocket;
import io.ringline.spi.DatagramQueue;
import io.ringline.spi.UdpCore;
import io.ringline.spi.UdpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Optional;

/**
 * One UDP socket of the core: the {@link UdpSocket} the handler uses and the {@link UdpCore} its
 * backend transport reports to. It checks and queues sends in its bounded
 * {@link DatagramSendQueue} (refusals count in the stats and end with {@code onUdpWritable} once
 * the queue drained to half the limit), has the worker loop flush it once per pass, presents
 * received datagrams to its {@link DatagramHandler}, keeps the counters and closes once.
 *
 * <p><b>Threading:</b> worker thread only, except {@link #localAddress()}, {@link #remoteAddress()},
 * {@link #workerId()} and {@link #isOpen()}.
 */
final class UdpSocketImpl implements UdpSocket, UdpCore, FlushPoint {

    private static final Logger log = LoggerFactory.getLogger(UdpSocketImpl.class);

    /** Most segments of one segmented send (the kernel's limit here, {@code UDP_MAX_SEGMENTS} is larger on new kernels). */
    static final int MAX_SEGMENTS = 64;

    private final Worker worker;
    private final DatagramHandler handler;
    private final InetSocketAddress remote;
    private final Optional<InetSocketAddress> remoteView;
    private final DatagramSendQueue queue;
    private final long sendLimit;
    private final WorkerStatsImpl stats;
    private UdpTransport transport;
    private volatile InetSocketAddress local;
    private volatile boolean closed;
    private boolean segmentationOffload;
    /** A send was refused: {@code onUdpWritable} follows once the queue drained to half the limit. */
    private boolean writeBlocked;
    private boolean flushScheduled;
    /** Shutting down: received datagrams are dropped, the socket closes once its queue drained. */
    private boolean draining;
    private long kernelDrops;

    /**
     * A socket not yet open: {@link #attach} gives it its transport.
     *
     * @param remote the connected peer, or null
     */
    UdpSocketImpl(Worker worker, DatagramHandler handler, InetSocketAddress remote) {
        this.worker = worker;
        this.handler = Objects.requireNonNull(handler, "handler");
        this.remote = remote;
        this.remoteView = Optional.ofNullable(remote);
        this.queue = new DatagramSendQueue(worker.datagramChunks(), worker.regionTable());
        this.sendLimit = worker.config().udpSendQueueLimit();
        this.stats = worker.stats();
    }

    /** The backend opened the socket: {@code transport} is its I/O. */
    void attach(UdpTransport transport) {
        this.transport = Objects.requireNonNull(transport, "WorkerIo.openUdp returned null");
        this.segmentationOffload = transport.segmentationOffload();
        this.local = transport.localAddress();
    }

    // ---------------------------------------------------------------- UdpSocket: any thread

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public Optional<InetSocketAddress> remoteAddress() {
        return remoteView;
    }

    @Override
    public int workerId() {
        return worker.workerId();
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    // ---------------------------------------------------------------- UdpSocket: sends

    @Override
    public void sendTo(InetSocketAddress target, ByteBuffer datagram) {
        sendCopy(checkTarget("UdpSocket.sendTo", target), datagram, true);
    }

    @Override
    public boolean trySendTo(InetSocketAddress target, ByteBuffer datagram) {
        return sendCopy(checkTarget("UdpSocket.trySendTo", target), datagram, false);
    }

    @Override
    public void send(ByteBuffer datagram) {
        sendCopy(checkPeer("UdpSocket.send"), datagram, true);
    }

    @Override
    public boolean trySend(ByteBuffer datagram) {
        return sendCopy(checkPeer("UdpSocket.trySend"), datagram, false);
    }

    private boolean sendCopy(InetSocketAddress target, ByteBuffer datagram, boolean orThrow) {
        int n = datagram.remaining();
        checkSize(target, n, "datagram");
        if (!admit(n, 1, orThrow)) {
            return false;
        }
        queue.appendCopy(queuedTarget(target), datagram, datagram.position(), n, 0, 1);
        datagram.position(datagram.limit());
        scheduleFlush();
        return true;
    }

    @Override
    public void sendRegionTo(InetSocketAddress target, RegionId region, long offset, int length) {
        checkTarget("UdpSocket.sendRegionTo", target);
        Objects.requireNonNull(region, "region");
        if (length <= 0) {
            throw new IllegalArgumentException("region datagram length must be > 0, was " + length);
        }
        checkSize(target, length, "region datagram");
        admit(length, 1, true);
        MemoryRegion r;
        try {
            r = worker.regionTable().acquire(region, offset, length);
        } catch (IllegalArgumentException e) {
            throw new RegionException(e.getMessage(), e);
        }
        queue.appendRegion(queuedTarget(target), r, region.slot(), offset, length);
        scheduleFlush();
    }

    @Override
    public void sendSegmentsTo(InetSocketAddress target, ByteBuffer data, int segmentSize) {
        sendSegments(checkTarget("UdpSocket.sendSegmentsTo", target), data, segmentSize, true);
    }

    @Override
    public boolean trySendSegmentsTo(InetSocketAddress target, ByteBuffer data, int segmentSize) {
        return sendSegments(checkTarget("UdpSocket.trySendSegmentsTo", target), data, segmentSize, false);
    }

    private boolean sendSegments(InetSocketAddress target, ByteBuffer data, int segmentSize, boolean orThrow) {
        int limit = payloadLimit(target);
        if (segmentSize < 1 || segmentSize > limit) {
            throw new IllegalArgumentException("segmentSize must be 1.." + limit + " bytes for " + target
                    + ", was " + segmentSize);
        }
        int n = data.remaining();
        int datagrams = (int) ((n + (long) segmentSize - 1) / segmentSize);
        if (!admit(n, datagrams, orThrow)) {
            return false;
        }
        InetSocketAddress to = queuedTarget(target);
        int at = data.position();
        int end = data.limit();
        // With offload: entries of up to 64 segments within the payload limit; else one per datagram.
        int perEntry = segmentationOffload ? Math.min(MAX_SEGMENTS, limit / segmentSize) : 1;
        int entryBytes = perEntry * segmentSize;
        while (at < end) {
            int k = Math.min(entryBytes, end - at);
            int count = (k + segmentSize - 1) / segmentSize;
            queue.appendCopy(to, data, at, k, count > 1 ? segmentSize : 0, count);
            at += k;
        }
        data.position(end);
        if (n > 0) {
            scheduleFlush();
        }
        return true;
    }

    /**
     * Admission of every send: {@code bytes} more (in {@code datagrams}) must fit the queue limit.
     * A refusal is counted, turns the socket unwritable until {@code onUdpWritable}, and throws
     * {@link SendQueueFullException} if {@code orThrow}, else returns false.
     */
    private boolean admit(long bytes, int datagrams, boolean orThrow) {
        if (queue.bytes() + bytes <= sendLimit) {
            return true;
        }
        stats.datagramSendsRefused += datagrams;
        writeBlocked = true;
        JfrEvents.sendRefused(worker.workerId(), "udp", remote, queue.bytes(), bytes, sendLimit);
        if (orThrow) {
            throw new SendQueueFullException(queue.bytes(), bytes, sendLimit);
        }
        return false;
    }

    /** Thread, open and target checks of a send to {@code target}. @return {@code target} */
    private InetSocketAddress checkTarget(String op, InetSocketAddress target) {
        checkOpen(op);
        Objects.requireNonNull(target, "target");
        if (target.isUnresolved()) {
            throw new IllegalArgumentException("UDP target " + target + " is unresolved: resolve it first");
        }
        if (remote != null && !remote.equals(target)) {
            throw new IllegalArgumentException("UDP socket " + this + " is connected to " + remote
                    + ": cannot send to " + target + " (use send, or an unconnected socket)");
        }
        return target;
    }

    /** Thread, open and connected checks of a send to the peer. @return the peer */
    private InetSocketAddress checkPeer(String op) {
        checkOpen(op);
        if (remote == null) {
            throw new IllegalStateException(op + ": UDP socket " + this + " is not connected: use sendTo");
        }
        return remote;
    }

    private void checkOpen(String op) {
        worker.checkThread(op);
        if (closed) {
            throw new IllegalStateException(op + ": UDP socket " + this + " is closed");
        }
    }

    private static void checkSize(InetSocketAddress target, int n, String what) {
        int limit = payloadLimit(target);
        if (n > limit) {
            throw new IllegalArgumentException("a " + what + " of " + n + " bytes exceeds the UDP payload limit of "
                    + limit + " bytes to " + (limit == MAX_IPV4_PAYLOAD ? "IPv4" : "IPv6") + " address " + target);
        }
    }

    /** {@return the payload limit of {@code target}'s family} */
    static int payloadLimit(InetSocketAddress target) {
        return target.getAddress() instanceof Inet4Address ? MAX_IPV4_PAYLOAD : MAX_IPV6_PAYLOAD;
    }

    /** {@return the target to queue: null on a connected socket (the driver sends to the peer)} */
    private InetSocketAddress queuedTarget(InetSocketAddress target) {
        return remote != null ? null : target;
    }

    // ---------------------------------------------------------------- UdpSocket: state

    @Override
    public boolean isWritable() {
        worker.checkThread("UdpSocket.isWritable");
        return !closed && !writeBlocked;
    }

    @Override
    public long pendingSendBytes() {
        worker.checkThread("UdpSocket.pendingSendBytes");
        return queue.bytes();
    }

    @Override
    public boolean segmentationOffload() {
        worker.checkThread("UdpSocket.segmentationOffload");
        return segmentationOffload;
    }

    @Override
    public boolean receiveOffload() {
        worker.checkThread("UdpSocket.receiveOffload");
        return transport.receiveOffload();
    }

    @Override
    public void close() {
        worker.checkThread("UdpSocket.close");
        closeWith(null);
    }

    // ---------------------------------------------------------------- flushing

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            worker.markDirty(this);
        }
    }

    @Override
    public void flushNow() {
        flushScheduled = false;
        if (!closed && !queue.isEmpty()) {
            transport.flush();
        }
    }

    // ---------------------------------------------------------------- UdpCore

    @Override
    public void received(InetSocketAddress sender, ByteBuffer datagram, boolean truncated) {
        if (!datagram.isReadOnly() || !datagram.isDirect()) {
            throw new IllegalArgumentException("UdpCore.received needs a read-only direct buffer, got " + datagram);
        }
        if (closed || draining) {
            return; // closed: reports are ignored; shutting down: the socket stopped receiving
        }
        stats.datagramsReceived++;
        stats.bytesIn += datagram.remaining();
        datagram.order(ByteOrder.BIG_ENDIAN);
        Object stall = JfrEvents.stallBegin();
        try {
            if (truncated) {
                stats.datagramsTruncated++;
                handler.onDatagramTruncated(this, sender, datagram);
            } else {
                handler.onDatagram(this, sender, datagram);
            }
        } catch (Throwable t) {
            Throwables.rethrowIfFatal(t);
            log.warn("ringline worker {}: DatagramHandler.{} failed on {} for a datagram from {} (the socket stays open)",
                    worker.workerId(), truncated ? "onDatagramTruncated" : "onDatagram", this, sender, t);
        }
        JfrEvents.stallEnd(stall, worker.workerId(), handler, truncated ? "onDatagramTruncated" : "onDatagram");
    }

    @Override
    public void kernelDrops(long total) {
        if (total > kernelDrops) {
            if (!closed) {
                stats.datagramsDropped += total - kernelDrops;
            }
            kernelDrops = total;
        }
    }

    @Override
    public DatagramQueue outbound() {
        return queue;
    }

    @Override
    public void sent(int entries) {
        if (closed) {
            return;
        }
        if (entries < 0 || entries > queue.size()) {
            throw new IllegalArgumentException("sent " + entries + " entries but " + queue.size() + " are queued");
        }
        for (int i = 0; i < entries; i++) {
            stats.datagramsSent += queue.datagrams(0);
            stats.bytesOut += queue.length(0);
            queue.finishHead();
        }
    }

    @Override
    public void sendFailed(IOException cause) {
        if (closed || queue.isEmpty()) {
            return;
        }
        InetSocketAddress target = queue.target(0);
        stats.datagramSendFailures += queue.datagrams(0);
        queue.finishHead();
        reportSendFailed(target == null ? remote : target, cause); // a drained shutdown closes at flushed()
    }

    @Override
    public void asyncError(IOException cause) {
        if (closed) {
            return;
        }
        stats.datagramSendFailures++;
        reportSendFailed(remote, cause);
    }

    private void reportSendFailed(InetSocketAddress target, IOException cause) {
        try {
            handler.onUdpSendFailed(this, target, cause);
        } catch (Throwable t) {
            Throwables.rethrowIfFatal(t);
            log.warn("ringline worker {}: DatagramHandler.onUdpSendFailed failed on {} (target {})",
                    worker.workerId(), this, target, t);
        }
    }

    @Override
    public void flushed() {
        if (closed) {
            return;
        }
        if (closeIfDrained()) {
            return;
        }
        if (writeBlocked && queue.bytes() <= sendLimit / 2) {
            writeBlocked = false;
            try {
                handler.onUdpWritable(this);
            } catch (Throwable t) {
                Throwables.rethrowIfFatal(t);
                log.warn("ringline worker {}: DatagramHandler.onUdpWritable failed on {}", worker.workerId(), this, t);
            }
        }
    }

    @Override
    public void failed(Throwable cause) {
        closeWith(cause);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- life

    /**
     * Shutdown began: stop presenting received datagrams, send what is queued, and close once the
     * queue drained (at once if empty); {@link #closeWith} at the end of the grace period closes
     * what is left.
     */
    void beginDrain() {
        if (closed || draining) {
            return;
        }
        draining = true;
        if (!closeIfDrained()) {
            scheduleFlush();
        }
    }

    private boolean closeIfDrained() {
        if (draining && queue.isEmpty()) {
            closeWith(null);
            return true;
        }
        return false;
    }

    /** Closes the socket once: transport closed, queue dropped (counted), worker told, {@code onUdpClosed}. */
    void closeWith(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (transport != null) { // null: the driver failed it inside WorkerIo.openUdp
                transport.close();
            }
        } catch (Throwable t) {
            Throwables.rethrowIfFatal(t);
            log.warn("ringline worker {}: closing {} failed", worker.workerId(), this, t);
        }
        stats.datagramSendFailures += queue.discardAll();
        queue.releaseWriteChunk();
        worker.udpClosed(this);
        if (cause != null) {
            log.debug("ringline worker {}: {} failed", worker.workerId(), this, cause);
        }
        try {
            handler.onUdpClosed(this, cause);
        } catch (Throwable t) {
            Throwables.rethrowIfFatal(t);
            log.warn("ringline worker {}: DatagramHandler.onUdpClosed failed on {}", worker.workerId(), this, t);
        }
    }

    @Override
    public String toString() {
        return "UdpSocket[worker " + worker.workerId() + ", " + local + (remote == null ? "" : " -> " + remote)
                + (closed ? ", closed" : "") + "]";
    }
}
