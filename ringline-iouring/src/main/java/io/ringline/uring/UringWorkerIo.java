package io.ringline.uring;

import io.netty.channel.IoRegistration;
import io.ringline.Connection;
import io.ringline.MemoryRegion;
import io.ringline.spi.AcceptedSocket;
import io.ringline.spi.IoStats;
import io.ringline.spi.UdpCore;
import io.ringline.spi.UdpTransport;
import io.ringline.spi.WorkerIo;
import io.ringline.spi.WorkerServices;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The I/O driver of one worker: a Netty io_uring ring owned and driven by the ringline worker
 * thread (see {@link NettyRing}), this worker's provided buffer ring, and its slice of the kernel
 * fixed-buffer table (cloned from the backend's {@link RegionDonor}).
 *
 * <p>Threading: created, polled and closed on the worker thread; only {@link #wakeup()} may be
 * called from other threads.
 */
final class UringWorkerIo implements WorkerIo {

    private static final Logger log = LoggerFactory.getLogger(UringWorkerIo.class);
    private static final short BUFFER_GROUP = 1;
    private static final ThreadLocal<UringWorkerIo> CURRENT = new ThreadLocal<>();

    private final WorkerServices worker;
    private final RegionDonor donor;
    private final UringFeatures features;
    private final Arena arena;
    private final NettyRing ring;
    private final BufferRing bufferRing;
    private final WakeTimer wakeTimer;
    private final boolean[] fixedSlots;
    private final ArrayDeque<UringConnection> starved = new ArrayDeque<>();
    private final ArrayDeque<UringUdpSocket> starvedUdp = new ArrayDeque<>();
    /** Buffer group ids of closed UDP sockets, for reuse (ids are taken from {@link #nextUdpGroup} first). */
    private final ArrayDeque<Short> freeUdpGroups = new ArrayDeque<>();
    private int nextUdpGroup = BUFFER_GROUP + 1;
    private int udpSockets;
    private final ArrayDeque<MemorySegment> iovPool = new ArrayDeque<>();
    private int liveHandles;
    private boolean inRun;
    private boolean submittedInRun;

    /**
     * Opens the ring on the calling (worker) thread.
     *
     * @param donor    the backend's region donor, or null when fixed buffers are off
     * @param features the runtime's feature set and sizes
     * @throws IOException if the ring, its buffer ring or its fixed-buffer table cannot be set up
     */
    UringWorkerIo(WorkerServices worker, RegionDonor donor, UringFeatures features) throws IOException {
        this.worker = worker;
        this.donor = donor;
        this.features = features;
        this.arena = Arena.ofConfined();
        NettyRing r = null;
        try {
            r = new NettyRing(features.ringSize(), worker::executeBackendTask);
            this.ring = r;
            this.bufferRing = features.bufferRing() ? new BufferRing(arena, r.fd(), BUFFER_GROUP,
                    worker.config().recvBufferCount(), worker.config().recvBufferSize(), features.lendBudget()) : null;
            int slots = worker.config().maxRegions();
            this.fixedSlots = new boolean[slots];
            if (donor != null && slots > 0) {
                RegionDonor.registerSparseTable(r.fd(), slots);
            }
            this.wakeTimer = new WakeTimer(arena, () -> liveHandles--);
            wakeTimer.attach(r.register(wakeTimer));
            liveHandles++;
        } catch (IOException | RuntimeException e) {
            if (r != null) {
                r.close();
            }
            arena.close();
            throw e;
        }
        CURRENT.set(this);
    }

    /** {@return the driver of the calling worker thread, or null (for diagnostics and tests)} */
    static UringWorkerIo current() {
        return CURRENT.get();
    }

    WorkerServices worker() {
        return worker;
    }

    /** {@return the runtime's feature set and sizes} */
    UringFeatures features() {
        return features;
    }

    /** {@return the provided buffer ring, or null when receives use per-connection buffers} */
    BufferRing bufferRing() {
        return bufferRing;
    }

    /** {@return this ring's fd (for diagnostics and tests)} */
    int ringFd() {
        return ring.fd();
    }

    /** {@return whether {@code slot} is in this ring's kernel fixed-buffer table} */
    boolean hasFixedSlot(int slot) {
        return slot < fixedSlots.length && fixedSlots[slot];
    }

    /** {@return the timer that ends a blocking wait when the worker's next timer is due (for tests)} */
    WakeTimer wakeTimer() {
        return wakeTimer;
    }

    /** Counts one submitted operation. */
    void submitted() {
        worker.stats().opsSubmitted(1);
        if (inRun) {
            submittedInRun = true;
        }
    }

    // ---------------------------------------------------------------- loop

    /**
     * {@inheritDoc}
     *
     * <p>A wait with a timeout is a wait without one, ended by the {@link WakeTimer} (armed or moved
     * only when the deadline is earlier than the one pending): Netty would add a timeout operation
     * and its completion to every wait.
     *
     * <p>Kernel entries counted: one per {@code run} (Netty always enters, to submit, wait or reap),
     * and one more when completion processing submitted operations (Netty submits them before it
     * returns). Not counted, because they cannot be seen from here: Netty 4.2.18 also re-enters
     * with {@code io_uring_enter(0, 0, GETEVENTS)} while the kernel flags pending task work
     * ({@code IORING_SQ_TASKRUN}) to reap more completions in the same run. strace/perf show
     * about two such reaps per blocking wait at 64 connections, so this is a lower bound there
     * (about a third of the real count); at one connection it is within 15%.
     */
    @Override
    public void poll(long timeoutNanos) {
        if (!starved.isEmpty() || !starvedUdp.isEmpty()) {
            timeoutNanos = 0;
        }
        if (timeoutNanos > 0) {
            long now = System.nanoTime();
            long deadline = now + timeoutNanos;
            if (deadline - now > 0) { // not beyond the nanoTime range
                wakeTimer.wakeAt(deadline);
            }
            timeoutNanos = -1;
        }
        IoStats stats = worker.stats();
        inRun = true;
        submittedInRun = false;
        try {
            ring.run(timeoutNanos);
        } finally {
            inRun = false;
        }
        stats.kernelEntered();
        if (submittedInRun) {
            stats.kernelEntered();
        }
        rearmStarved();
    }

    /**
     * Re-arms the receives that stopped for lack of buffers. Called after a batch of completions,
     * when the buffers of that batch are back in the ring, so it never spins on an empty ring.
     */
    private void rearmStarved() {
        for (int n = starved.size(); n > 0; n--) {
            UringConnection c = starved.pollFirst();
            c.starved = false;
            c.armRecv();
        }
        for (int n = starvedUdp.size(); n > 0; n--) {
            UringUdpSocket s = starvedUdp.pollFirst();
            s.starved = false;
            s.armRecv();
        }
    }

    /** Queues {@code s} for a receive re-arm after this batch of completions (its receive hit ENOBUFS). */
    void starved(UringUdpSocket s) {
        if (!s.starved) {
            s.starved = true;
            starvedUdp.addLast(s);
        }
    }

    void unstarve(UringUdpSocket s) {
        if (s.starved) {
            s.starved = false;
            starvedUdp.remove(s);
        }
    }

    void starved(UringConnection c) {
        if (!c.starved) {
            c.starved = true;
            starved.addLast(c);
        }
    }

    void unstarve(UringConnection c) {
        if (c.starved) {
            c.starved = false;
            starved.remove(c);
        }
    }

    @Override
    public void wakeup() {
        ring.wakeup();
    }

    // ---------------------------------------------------------------- connections

    @Override
    public void adopt(AcceptedSocket acceptedSocket) {
        int fd = ((UringAcceptedSocket) acceptedSocket).fd();
        try {
            open(fd, null);
        } catch (IOException | RuntimeException e) {
            log.warn("{}: cannot serve accepted connection: {}", worker, e.toString());
        }
    }

    /**
     * Serves a connected socket: registers it with the ring and the worker (which calls
     * {@code onOpen}), then starts receiving. On failure the socket is closed and the error thrown.
     *
     * @param connect the future of the connect that made {@code fd}, null if accepted
     */
    UringConnection open(int fd, java.util.concurrent.CompletableFuture<io.ringline.Connection> connect) throws IOException {
        Sys.setIntOption(fd, Sys.IPPROTO_TCP, Sys.TCP_NODELAY, 1);
        UringConnection c = new UringConnection(this, fd, Sys.address(fd, false), Sys.address(fd, true), connect);
        IoRegistration reg;
        try {
            reg = ring.register(c.handle());
        } catch (IOException e) {
            Sys.close(fd);
            throw e;
        }
        c.attach(reg);
        liveHandles++;
        boolean open;
        try {
            open = c.core().open();
        } catch (RuntimeException e) {
            c.core().failed(io.ringline.CloseReason.ERROR, e);
            throw e;
        }
        if (open) {
            c.armRecv();
        }
        return c;
    }

    void connectionGone(UringConnection c) {
        liveHandles--;
    }

    MemorySegment takeIovMemory() {
        MemorySegment m = iovPool.pollFirst();
        return m != null ? m : arena.allocate(KernelStructs.msghdrWithIovecs(features.maxIov()), 8);
    }

    void returnIovMemory(MemorySegment m) {
        iovPool.addFirst(m);
    }

    @Override
    public Runnable connect(SocketAddress remote, CompletableFuture<Connection> result) {
        if (!(remote instanceof InetSocketAddress address)) {
            result.completeExceptionally(new IllegalArgumentException("io_uring backend connects to InetSocketAddress only, got " + remote));
            return () -> { };
        }
        try {
            UringConnect attempt = new UringConnect(this, address, result);
            liveHandles++;
            attempt.start(ring.register(attempt));
            return attempt::abort;
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(e);
            return () -> { };
        }
    }

    void connectGone() {
        liveHandles--;
    }

    // ---------------------------------------------------------------- UDP

    /**
     * {@inheritDoc}
     *
     * <p>The socket gets a provided buffer ring of its own, in a buffer group distinct from the TCP
     * receives' and from every other open UDP socket's of this ring.
     */
    @Override
    public UdpTransport openUdp(UdpCore core, InetSocketAddress local, InetSocketAddress remote, boolean reusePort)
            throws IOException {
        short group = takeUdpGroup();
        UringUdpSocket s;
        try {
            s = new UringUdpSocket(this, core, local, remote, reusePort, group);
        } catch (IOException | RuntimeException e) {
            freeUdpGroups.addFirst(group);
            throw e;
        }
        try {
            s.attach(ring.register(s.handle()));
        } catch (IOException | RuntimeException e) {
            s.abandon();
            freeUdpGroups.addFirst(group);
            throw e;
        }
        liveHandles++;
        udpSockets++;
        return s;
    }

    private short takeUdpGroup() throws IOException {
        Short free = freeUdpGroups.pollFirst();
        if (free != null) {
            return free;
        }
        if (nextUdpGroup > 0xffff) {
            throw new IOException("no free io_uring buffer group id for another UDP socket (65,535 in use)");
        }
        return (short) nextUdpGroup++;
    }

    /** A UDP socket released everything: its buffer group id may be used again. */
    void udpGone(UringUdpSocket s) {
        freeUdpGroups.addFirst(s.groupId());
        udpSockets--;
        liveHandles--;
    }

    /** {@return the UDP sockets of this ring not yet fully released (for tests)} */
    int udpSockets() {
        return udpSockets;
    }

    // ---------------------------------------------------------------- regions

    @Override
    public void installRegion(int slot, MemoryRegion region) throws IOException {
        if (donor == null) {
            return; // fixed buffers off: region sends are plain sends from the region's memory
        }
        donor.install(ring.fd(), slot, region, fixedSlots);
        fixedSlots[slot] = true;
    }

    @Override
    public void removeRegion(int slot) throws IOException {
        if (donor == null || !fixedSlots[slot]) {
            return;
        }
        fixedSlots[slot] = false;
        donor.remove(ring.fd(), slot);
    }

    /** {@return every receive buffer: what multishot receives completed before a pause took effect may hold} */
    @Override
    public long bytesReceivedAfterPause() {
        return (long) worker.config().recvBufferCount() * worker.config().recvBufferSize();
    }

    // ---------------------------------------------------------------- close

    @Override
    public void close() {
        CURRENT.remove();
        wakeTimer.close();
        long deadline = System.nanoTime() + features.closeDrainNanos();
        while (liveHandles > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            ring.run(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
        boolean drained = liveHandles == 0;
        if (drained && bufferRing != null) {
            // Every connection is gone, and with it every send queue entry that borrowed a receive
            // buffer (released when its queue was discarded): all buffers are back.
            if (bufferRing.lent() > 0) {
                log.warn("{}: {} receive buffers still lent at close; later releases are ignored", worker, bufferRing.lent());
            }
            bufferRing.unregister();
        }
        ring.close();
        if (drained) {
            arena.close();
        } else {
            // The kernel may still reference this memory: leave it to the process rather than free it.
            log.warn("{}: {} connections still had operations in flight at close; their buffers are not freed",
                    worker, liveHandles);
        }
    }
}
