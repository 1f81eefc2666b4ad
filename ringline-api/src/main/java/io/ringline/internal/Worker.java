package io.ringline.internal;

import io.ringline.CloseReason;
import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.DatagramHandler;
import io.ringline.Handler;
import io.ringline.HandlerFactory;
import io.ringline.MemoryRegion;
import io.ringline.ShutdownHandle;
import io.ringline.TimerHandle;
import io.ringline.UdpSocket;
import io.ringline.WorkerContext;
import io.ringline.spi.AcceptedSocket;
import io.ringline.spi.Backend;
import io.ringline.spi.BackendOptions;
import io.ringline.spi.WorkerIo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * One worker: a thread that pins itself to a CPU if configured ({@link CpuPinning}), opens its
 * backend driver, creates its handler and runs its {@link WorkerLoop} until shut down, then closes
 * what is left. It is the handler's {@link WorkerContext} and ties the parts together: the
 * {@link WorkerTasks} other threads queue on, its {@link WorkerConnections}, the
 * {@link AcceptInbox}, the {@link WorkerRegions}, the {@link OutboundConnects} and the
 * {@link WorkerServicesImpl services} its driver uses.
 *
 * <p>Methods documented by {@link WorkerContext} follow its threading contract; the package-private
 * ones run on the worker thread unless said otherwise.
 */
final class Worker implements WorkerContext {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final int id;
    private final WorkerHost host;
    private final Config config;
    private final Backend backend;
    private final HandlerFactory factory;
    private final WorkerThread thread;
    private final WorkerTasks tasks;
    private final TimerQueue timers = new TimerQueue();
    private final WorkerRegions regions;
    private final BufferPool sendChunks;
    /** UDP: the chunks datagrams are copied into for sending (64 KiB: one never spans chunks). */
    private final DatagramChunks datagramChunks = new DatagramChunks(32);
    private final InboundSpare inboundSpare = new InboundSpare();
    private final CurrentDelivery delivery = new CurrentDelivery();
    /** Views of lent receive memory for the send queues (a backend's receive buffers: bounded). */
    private final LentViews lentViews = new LentViews(16 * 1024);
    private final WorkerStatsImpl stats = new WorkerStatsImpl();
    /** TLS: ciphertext chunks (whole records, small ones share a chunk) and kept split records; made at the first TLS connection. */
    private BufferPool tlsChunks;
    /** TLS: where records are decrypted into, and its read-only twin shown to handlers. */
    private ByteBuffer tlsPlaintext;
    private ByteBuffer tlsPlaintextView;
    private final WorkerConnections connections;
    private final AcceptInbox inbox;
    private final OutboundConnects connects;
    private final WorkerLoop loop;
    private final WorkerServicesImpl services;
    private final WorkerUdpSockets udp;
    final CompletableFuture<Void> started = new CompletableFuture<>();
    final CompletableFuture<Void> terminated = new CompletableFuture<>();

    private volatile WorkerIo io;
    /** {@link WorkerIo#bytesReceivedAfterPause()} of {@link #io}, read once it is open. */
    private long bytesReceivedAfterPause;
    private Handler handler;
    private boolean shuttingDown;
    /** Made by {@link #detached}: never started, driven by the caller's thread. */
    private boolean detached;

    Worker(int id, WorkerHost host, Config config, Backend backend, BackendOptions options, HandlerFactory factory,
           String threadName) {
        this.id = id;
        this.host = host;
        this.config = config;
        this.backend = backend;
        this.factory = factory;
        this.tasks = new WorkerTasks(id, config.taskQueueLimit(), () -> io);
        this.regions = new WorkerRegions(id, config.maxRegions(), tasks::executeInternal, () -> io);
        this.sendChunks = new BufferPool(16 * 1024, 256);
        this.inbox = new AcceptInbox(id, config.maxConnectionsPerWorker(), config.acceptHandoffLimit(),
                tasks::executeInternal, () -> io, () -> shuttingDown, this::capacityFreed);
        this.connections = new WorkerConnections(id, config, inbox, stats, () -> handler); // validates the id
        this.connects = new OutboundConnects(() -> io, this::schedule);
        this.udp = new WorkerUdpSockets(this, () -> io, this::backendName);
        this.loop = new WorkerLoop(id, tasks, timers, stats, Idler.of(config.idleStrategy()), () -> io, this::tick,
                () -> shuttingDown && connections.count() == 0 && connects.isEmpty() && udp.isEmpty());
        this.services = new WorkerServicesImpl(this, options);
        this.thread = new WorkerThread(this, threadName);
    }

    /**
     * A worker that is never started, for micro-benchmarks and unit tests of connection logic:
     * its handler is {@code handler}, connection callbacks run on the caller's thread, and the
     * caller's thread counts as its thread for the thread checks of sends and other operations
     * (the single thread driving it stands in for the worker thread).
     */
    static Worker detached(Config config, Handler handler) {
        Worker w = new Worker(0, null, config, null, BackendOptions.defaults(List.of()), ignored -> handler,
                "ringline-detached");
        w.handler = handler;
        w.detached = true;
        return w;
    }

    /** Runs one pass of the loop (tasks, due timers, flushes) on a {@link #detached} worker; for tests. */
    int runOnce() {
        if (!detached) {
            throw new IllegalStateException("runOnce drives a detached worker only");
        }
        return loop.doWork();
    }

    /** {@return the worker owning the calling thread, or null if the caller is not a worker thread} */
    static Worker current() {
        return Thread.currentThread() instanceof WorkerThread t ? t.worker : null;
    }

    void start() {
        thread.start();
    }

    Thread thread() {
        return thread;
    }

    // ---------------------------------------------------------------- life

    private void run() {
        try {
            CpuPinning.pinCurrentThread(id, config); // first: the driver's memory is then allocated near its CPU
            io = backend.openWorker(services);
            bytesReceivedAfterPause = io.bytesReceivedAfterPause();
            List<MemoryRegion> initial = config.initialRegions();
            for (int slot = 0; slot < initial.size(); slot++) {
                regions.install(slot, initial.get(slot));
            }
            handler = Objects.requireNonNull(factory.create(this), "HandlerFactory.create returned null");
        } catch (Throwable t) {
            started.completeExceptionally(t);
            terminate(null);
            return;
        }
        started.complete(null);
        Throwable death = null;
        try {
            loop.run();
        } catch (Throwable t) {
            death = t;
            log.error("ringline worker {} died", id, t);
        }
        terminate(death);
    }

    private void tick() {
        Object stall = JfrEvents.stallBegin();
        try {
            handler.onTick(this);
        } catch (Throwable e) {
            Throwables.rethrowIfFatal(e);
            log.warn("ringline worker {}: Handler.onTick failed", id, e);
        }
        JfrEvents.stallEnd(stall, id, handler, "onTick");
    }

    private void terminate(Throwable death) {
        shuttingDown = true;
        CloseReason reason = death == null ? CloseReason.SHUTDOWN : CloseReason.ERROR;
        connections.forEach(c -> {
            try {
                c.finishClose(reason, death, death != null); // a dead worker's streams may be cut: reset
            } catch (Throwable t) {
                log.warn("ringline worker {}: closing {} failed", id, c, t);
            }
        });
        connects.abortAll();
        udp.closeAtTermination(death);
        inbox.close();
        tasks.terminate();
        // Tasks that raced with termination: abort control operations and hand-offs, run the rest
        // (e.g. completions of runBlocking) unless the worker died, so that no caller is left waiting.
        tasks.drainAtTermination(r -> regions.abortIfControl(r) || inbox.rejectIfAdopt(r) || death != null);
        WorkerIo driver = io;
        if (driver != null) {
            regions.removeAll(driver);
            try {
                driver.close();
            } catch (Throwable t) {
                log.warn("ringline worker {}: closing the I/O driver failed", id, t);
            }
        }
        sendChunks.clear();
        datagramChunks.clear();
        if (tlsChunks != null) {
            tlsChunks.clear();
        }
        inboundSpare.clear();
        terminated.complete(null);
        host.workerTerminated(this, death);
    }

    /** Starts this worker's part of a graceful shutdown. Runs on the worker thread. */
    void beginShutdown() {
        if (shuttingDown) {
            return;
        }
        shuttingDown = true;
        connects.abortAll();
        connections.forEach(ConnectionImpl::beginDrain);
        udp.beginDrain();
        schedule(config.shutdownGracePeriod(), () -> {
            // Whatever is still open did not finish in time: reset it, so that no peer takes a
            // truncated reply for a complete one; UDP sockets drop what they still hold.
            connections.forEach(c -> c.forceClose(CloseReason.SHUTDOWN));
            udp.closeAll();
            loop.requestExit();
        });
    }

    /** {@return whether this worker is shutting down (no new connections are accepted)} */
    boolean isShuttingDown() {
        return shuttingDown;
    }

    boolean isTerminated() {
        return tasks.isTerminated();
    }

    private void capacityFreed() {
        if (host != null) {
            host.capacityFreed();
        }
    }

    // ---------------------------------------------------------------- connections

    /** A connection the backend created opens ({@link io.ringline.spi.ConnectionCore#open()}); see {@link WorkerConnections#opened}. */
    void register(ConnectionImpl c) {
        checkThread("ConnectionCore.open");
        connections.opened(c);
    }

    /** {@return the runtime's backend name} */
    String backendName() {
        return host == null ? String.valueOf(backend) : host.backendName();
    }

    /** Called by {@link ConnectionImpl} once closed. */
    void closed(ConnectionImpl c, CloseReason reason, Throwable cause) {
        connections.closed(c, reason, cause);
    }

    /** {@return the accepted-socket hand-off of this worker} */
    AcceptInbox inbox() {
        return inbox;
    }

    /** {@return the region control of this worker} */
    WorkerRegions regions() {
        return regions;
    }

    /** {@return this worker's region table (worker thread only)} */
    RegionTable regionTable() {
        return regions.table();
    }

    void markDirty(FlushPoint c) {
        loop.markDirty(c);
    }

    // ---------------------------------------------------------------- WorkerContext

    @Override
    public Optional<Connection> connection(long token) {
        checkThread("WorkerContext.connection");
        return Optional.ofNullable(connections.find(token));
    }

    @Override
    public UdpSocket openUdp(InetSocketAddress local, DatagramHandler handler) {
        return openUdp(local, null, handler);
    }

    @Override
    public UdpSocket openUdp(InetSocketAddress local, InetSocketAddress remote, DatagramHandler handler) {
        WorkerUdpSockets.check(local, remote, handler);
        checkThread("WorkerContext.openUdp");
        if (shuttingDown) {
            throw new IllegalStateException("runtime is shutting down: cannot open a UDP socket on " + local);
        }
        return udp.open(local, remote, handler, false, false);
    }

    /**
     * Opens this worker's socket of a {@link Config#udpBindings() binding}, its datagrams going to
     * the worker's handler (a {@link DatagramHandler}, checked at start). Runs on the worker thread.
     *
     * @return the bound address
     */
    InetSocketAddress bindUdp(InetSocketAddress local, boolean reusePort) {
        checkThread("bindUdp");
        if (shuttingDown) {
            throw new IllegalStateException("runtime is shutting down: cannot bind UDP " + local);
        }
        return udp.open(local, null, (DatagramHandler) handler, reusePort, true).localAddress();
    }

    /** Called by {@link UdpSocketImpl} once closed. */
    void udpClosed(UdpSocketImpl s) {
        udp.closed(s);
    }

    @Override
    public List<UdpSocket> udpSockets() {
        checkThread("WorkerContext.udpSockets");
        return udp.list();
    }

    @Override
    public int connectionCount() {
        return connections.count();
    }

    @Override
    public int workerId() {
        return id;
    }

    @Override
    public boolean inWorkerThread() {
        return Thread.currentThread() == thread;
    }

    /** @throws IllegalStateException if the caller is not this worker's thread */
    void checkThread(String operation) {
        if (Thread.currentThread() != thread && !detached) {
            throw new IllegalStateException(operation + " must be called on worker thread '" + thread.getName()
                    + "', was called on '" + Thread.currentThread().getName() + "'");
        }
    }

    /** Schedules {@code task} at {@code deadlineNanos} ({@link System#nanoTime()} time); worker thread only. */
    TimerHandle scheduleAt(long deadlineNanos, Runnable task) {
        return timers.schedule(deadlineNanos, task);
    }

    @Override
    public TimerHandle schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(task, "task");
        checkThread("WorkerContext.schedule");
        long nanos = WorkerAsync.checkDelay("delay", delay);
        return timers.schedule(System.nanoTime() + nanos, task);
    }

    @Override
    public CompletionStage<Void> sleep(Duration delay) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        schedule(delay, () -> f.complete(null));
        return f;
    }

    @Override
    public <T> CompletionStage<T> timeout(CompletionStage<T> stage, Duration timeout) {
        Objects.requireNonNull(stage, "stage");
        checkThread("WorkerContext.timeout");
        return WorkerAsync.timeout(this, stage, timeout);
    }

    @Override
    public void execute(Runnable task) {
        tasks.execute(task);
    }

    /**
     * Queues a task of the runtime itself: like {@link #execute} but never refused because the
     * user queue is full (see {@link TaskQueue} for why each internal producer is bounded anyway).
     *
     * @throws RejectedExecutionException only if this worker has terminated
     */
    void executeInternal(TaskQueue.Internal task) {
        tasks.executeInternal(task);
    }

    @Override
    public <T> CompletionStage<T> runBlocking(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        checkThread("WorkerContext.runBlocking");
        return WorkerAsync.runBlocking(this, host.blockingPool(), task);
    }

    @Override
    public CompletionStage<Connection> connect(SocketAddress remote) {
        return connect(remote, null, false);
    }

    @Override
    public CompletionStage<Connection> connect(SocketAddress remote, Duration timeout) {
        return connect(remote, timeout, true);
    }

    @Override
    public CompletionStage<Connection> connect(SocketAddress remote, io.ringline.TlsConfig tls, Duration timeout) {
        Objects.requireNonNull(tls, "tls");
        if (tls.isServer()) {
            throw new IllegalArgumentException("connect to " + remote + " needs a client TlsConfig, got " + tls);
        }
        OutboundConnects.check(remote, timeout, true);
        checkThread("WorkerContext.connect");
        return shuttingDown ? CompletableFuture.failedFuture(new IllegalStateException(
                "runtime is shutting down: cannot connect to " + remote)) : connects.startTls(remote, tls, timeout);
    }

    private CompletionStage<Connection> connect(SocketAddress remote, Duration timeout, boolean timed) {
        OutboundConnects.check(remote, timeout, timed);
        checkThread("WorkerContext.connect");
        return shuttingDown ? CompletableFuture.failedFuture(new IllegalStateException(
                "runtime is shutting down: cannot connect to " + remote)) : connects.start(remote, timeout);
    }

    @Override
    public ShutdownHandle shutdownHandle() {
        return host.shutdownHandle();
    }

    /** {@inheritDoc} The core and (through {@link WorkerStatsImpl#io()}) the backend increment them on the worker thread. */
    @Override
    public WorkerStatsImpl stats() {
        return stats;
    }

    // ---------------------------------------------------------------- for the core's connections

    Handler handler() {
        return handler;
    }

    Config config() {
        return config;
    }

    BufferPool sendChunks() {
        return sendChunks;
    }

    /** {@return the chunks UDP send queues copy datagrams into} */
    DatagramChunks datagramChunks() {
        return datagramChunks;
    }

    /** {@return the TLS chunks of this worker: 64 KiB, more than one record of any engine} */
    BufferPool tlsChunks() {
        if (tlsChunks == null) {
            tlsChunks = new BufferPool(64 * 1024, 64);
        }
        return tlsChunks;
    }

    /** {@return the worker's TLS plaintext scratch (direct, 64 KiB): records are decrypted into it, then presented} */
    ByteBuffer tlsPlaintext() {
        if (tlsPlaintext == null) {
            tlsPlaintext = ByteBuffer.allocateDirect(64 * 1024);
            tlsPlaintextView = tlsPlaintext.asReadOnlyBuffer();
        }
        return tlsPlaintext;
    }

    /** {@return the read-only twin of {@link #tlsPlaintext()}, what handlers are shown} */
    ByteBuffer tlsPlaintextView() {
        tlsPlaintext();
        return tlsPlaintextView;
    }

    /** {@return this worker's outbound connects in progress} */
    OutboundConnects connects() {
        return connects;
    }

    /** {@return the views of lent receive memory, shared by this worker's send queues} */
    LentViews lentViews() {
        return lentViews;
    }

    /** {@return what the driver may still report for a connection after pausing it (0 before it is open)} */
    long bytesReceivedAfterPause() {
        return bytesReceivedAfterPause;
    }

    /** {@return what the handler's current onData call is shown (for sendReceived)} */
    CurrentDelivery delivery() {
        return delivery;
    }

    /** {@return the cache of one large receive-accumulation storage, shared by this worker's connections} */
    InboundSpare inboundSpare() {
        return inboundSpare;
    }

    @Override
    public String toString() {
        return "Worker[" + id + "]";
    }

    /** The thread of a worker; lets {@link #current()} find the worker cheaply. */
    private static final class WorkerThread extends Thread {
        final Worker worker;

        WorkerThread(Worker worker, String name) {
            super(name);
            this.worker = worker;
            setDaemon(false);
        }

        @Override
        public void run() {
            worker.run();
        }
    }
}
