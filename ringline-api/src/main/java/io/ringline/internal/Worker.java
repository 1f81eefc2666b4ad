package io.ringline.internal;

import io.ringline.CloseReason;
import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.HandlerFactory;
import io.ringline.MemoryRegion;
import io.ringline.RegionException;
import io.ringline.RinglineException;
import io.ringline.ShutdownHandle;
import io.ringline.TimerHandle;
import io.ringline.WorkerContext;
import io.ringline.spi.AcceptedSocket;
import io.ringline.spi.Backend;
import io.ringline.spi.BackendOptions;
import io.ringline.spi.ConnectionCore;
import io.ringline.spi.IoStats;
import io.ringline.spi.Transport;
import io.ringline.spi.WorkerIo;
import io.ringline.spi.WorkerServices;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One worker: a thread running an event loop that drains its task queue (which also carries the
 * region control messages and accepted connections), runs due timers, flushes connections with
 * pending sends, calls the handler's tick, and then polls the backend's {@link WorkerIo}.
 *
 * <p>Methods documented by {@link WorkerContext} follow its threading contract; the others are
 * for backends and run on the worker thread.
 */
public final class Worker implements WorkerContext {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private static final int STARTING = 0;
    private static final int RUNNING = 1;
    private static final int TERMINATED = 2;
    private static final int SLOT_BITS = 20;
    private static final int WORKER_BITS = 12;

    private final int id;
    private final RuntimeImpl runtime;
    private final Config config;
    private final Backend backend;
    private final BackendOptions options;
    private final HandlerFactory factory;
    private final Services services = new Services();
    private final WorkerThread thread;
    /** Tasks for this worker from any thread; user tasks are bounded by {@link Config#taskQueueLimit()}. */
    private final TaskQueue tasks;
    /** True while the worker may block in {@link WorkerIo#poll}: only then does {@link #execute} wake it. */
    private final AtomicBoolean wakeupArmed = new AtomicBoolean();
    private final TimerQueue timers = new TimerQueue();
    private final RegionTable regions;
    private final BufferPool sendChunks;
    private final InboundSpare inboundSpare = new InboundSpare();
    private final WorkerStatsImpl stats = new WorkerStatsImpl();
    private final ArrayDeque<ConnectionImpl> dirty = new ArrayDeque<>();
    private final Set<Runnable> pendingConnects = new HashSet<>();
    final CompletableFuture<Void> started = new CompletableFuture<>();
    final CompletableFuture<Void> terminated = new CompletableFuture<>();
    /** Live connections plus accepted sockets handed to this worker and not yet adopted. */
    final AtomicInteger load = new AtomicInteger();
    final AtomicInteger pendingHandoffs = new AtomicInteger();

    private volatile int state = STARTING;
    private volatile WorkerIo io;
    /** {@link WorkerIo#bytesReceivedAfterPause()} of {@link #io}, read once it is open. */
    private long bytesReceivedAfterPause;
    private Handler handler;
    private ConnectionImpl[] connections = new ConnectionImpl[64];
    private int[] generations = new int[64];
    private int[] freeSlots = new int[0];
    private int freeCount;
    private int nextFreshSlot;
    private int connectionCount;
    private boolean shuttingDown;
    private boolean exitRequested;

    Worker(int id, RuntimeImpl runtime, Config config, Backend backend, BackendOptions options, HandlerFactory factory,
           String threadName) {
        if (id >= (1 << WORKER_BITS)) {
            throw new IllegalArgumentException("worker id " + id + " exceeds " + ((1 << WORKER_BITS) - 1));
        }
        this.id = id;
        this.runtime = runtime;
        this.config = config;
        this.backend = backend;
        this.options = options;
        this.factory = factory;
        this.tasks = new TaskQueue(config.taskQueueLimit());
        this.regions = new RegionTable(config.maxRegions());
        this.sendChunks = new BufferPool(16 * 1024, 256);
        this.thread = new WorkerThread(this, threadName);
    }

    /**
     * A worker that is never started, for micro-benchmarks and unit tests of connection logic:
     * its handler is {@code handler}, and connection callbacks run on the caller's thread.
     */
    static Worker detached(Config config, Handler handler) {
        Worker w = new Worker(0, null, config, null, BackendOptions.defaults(List.of()), ignored -> handler,
                "ringline-detached");
        w.handler = handler;
        return w;
    }

    /** {@return the worker owning the calling thread, or null if the caller is not a worker thread} */
    public static Worker current() {
        return Thread.currentThread() instanceof WorkerThread t ? t.worker : null;
    }

    void start() {
        thread.start();
    }

    Thread thread() {
        return thread;
    }

    // ---------------------------------------------------------------- the loop

    private void run() {
        try {
            io = backend.openWorker(services);
            bytesReceivedAfterPause = io.bytesReceivedAfterPause();
            List<MemoryRegion> initial = config.initialRegions();
            for (int slot = 0; slot < initial.size(); slot++) {
                installRegion(slot, initial.get(slot));
            }
            handler = Objects.requireNonNull(factory.create(this), "HandlerFactory.create returned null");
            state = RUNNING;
        } catch (Throwable t) {
            started.completeExceptionally(t);
            terminate(null);
            return;
        }
        started.complete(null);
        Throwable death = null;
        try {
            loop();
        } catch (Throwable t) {
            death = t;
            log.error("ringline worker {} died", id, t);
        }
        terminate(death);
    }

    private void loop() throws IOException {
        while (!exitRequested) {
            stats.loopIterations++;
            runTasks();
            runTimers();
            flushDirty();
            tick();
            flushDirty();
            if (shuttingDown && connectionCount == 0 && pendingConnects.isEmpty()) {
                break;
            }
            if (exitRequested) {
                break;
            }
            long timeout = tasks.isEmpty() ? timers.nanosUntilNext(System.nanoTime()) : 0;
            if (timeout != 0) {
                wakeupArmed.set(true);
                if (!tasks.isEmpty()) {
                    timeout = 0;
                }
            }
            io.poll(timeout);
            wakeupArmed.set(false);
            flushDirty();
        }
    }

    private void tick() {
        try {
            handler.onTick(this);
        } catch (Throwable e) {
            Throwables.rethrowIfFatal(e);
            log.warn("ringline worker {}: Handler.onTick failed", id, e);
        }
    }

    private void runTasks() {
        // Bounded so a flood of tasks cannot starve I/O.
        for (int i = 0; i < 1024; i++) {
            Runnable r = tasks.poll();
            if (r == null) {
                return;
            }
            try {
                r.run();
            } catch (Throwable e) {
                Throwables.rethrowIfFatal(e);
                log.warn("ringline worker {}: task {} failed", id, r, e);
            }
        }
    }

    private void runTimers() {
        long now = System.nanoTime();
        TimerQueue.Timer t;
        while ((t = timers.pollDue(now)) != null) {
            try {
                t.run();
            } catch (Throwable e) {
                Throwables.rethrowIfFatal(e);
                log.warn("ringline worker {}: timer task failed", id, e);
            }
        }
    }

    private void flushDirty() {
        ConnectionImpl c;
        while ((c = dirty.pollFirst()) != null) {
            c.flushNow();
        }
    }

    void markDirty(ConnectionImpl c) {
        dirty.addLast(c);
    }

    private void terminate(Throwable death) {
        shuttingDown = true;
        CloseReason reason = death == null ? CloseReason.SHUTDOWN : CloseReason.ERROR;
        for (ConnectionImpl c : connections) {
            if (c != null) {
                try {
                    c.finishClose(reason, death, death != null); // a dead worker's streams may be cut: reset
                } catch (Throwable t) {
                    log.warn("ringline worker {}: closing {} failed", id, c, t);
                }
            }
        }
        for (Runnable abort : List.copyOf(pendingConnects)) {
            abort.run();
        }
        state = TERMINATED;
        RegionException gone = new RegionException("worker " + id + " terminated before acknowledging region update");
        // Tasks that raced with termination: abort control operations and hand-offs, run the rest
        // (e.g. completions of runBlocking) so that no caller is left waiting.
        Runnable r;
        while ((r = tasks.poll()) != null) {
            if (r instanceof ControlTask c) {
                c.abort(gone);
            } else if (r instanceof AdoptTask a) {
                a.reject();
            } else if (death == null) {
                try {
                    r.run();
                } catch (Throwable e) {
                    Throwables.rethrowIfFatal(e);
                    log.warn("ringline worker {}: task {} failed during termination", id, r, e);
                }
            }
        }
        WorkerIo driver = io;
        if (driver != null) {
            for (int slot = 0; slot < regions.capacity(); slot++) {
                if (regions.get(slot) != null) {
                    try {
                        driver.removeRegion(slot);
                    } catch (Throwable t) {
                        log.debug("ringline worker {}: removing region {} at exit failed", id, slot, t);
                    }
                    regions.clear(slot);
                }
            }
            try {
                driver.close();
            } catch (Throwable t) {
                log.warn("ringline worker {}: closing the I/O driver failed", id, t);
            }
        }
        sendChunks.clear();
        inboundSpare.clear();
        terminated.complete(null);
        runtime.workerTerminated(this, death);
    }

    // ---------------------------------------------------------------- shutdown

    /** Starts this worker's part of a graceful shutdown. Runs on the worker thread. */
    void beginShutdown() {
        if (shuttingDown) {
            return;
        }
        shuttingDown = true;
        for (Runnable abort : List.copyOf(pendingConnects)) {
            abort.run();
        }
        for (ConnectionImpl c : connections) {
            if (c != null) {
                c.beginDrain();
            }
        }
        Duration grace = config.shutdownGracePeriod();
        schedule(grace, () -> {
            // Whatever is still open did not finish in time: reset it, so that no peer takes a
            // truncated reply for a complete one.
            for (ConnectionImpl c : connections) {
                if (c != null) {
                    c.forceClose(CloseReason.SHUTDOWN);
                }
            }
            exitRequested = true;
        });
    }

    /** {@return whether this worker is shutting down (no new connections are accepted)} */
    public boolean isShuttingDown() {
        return shuttingDown;
    }

    boolean isTerminated() {
        return state == TERMINATED;
    }

    // ---------------------------------------------------------------- connections (for backends)

    /**
     * Registers a connection the backend created (accepted or connected), from
     * {@link ConnectionCore#open()}: gives it a slot and token, takes a unit of load, then calls
     * {@link Handler#onOpen}. Check {@link ConnectionImpl#isOpen()} afterwards: the handler may have
     * closed it.
     *
     * @throws RinglineException if this worker already serves {@link Config#maxConnectionsPerWorker()}
     */
    void register(ConnectionImpl c) {
        checkThread("Worker.register");
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            if (nextFreshSlot >= config.maxConnectionsPerWorker()) {
                throw new RinglineException("worker " + id + " serves maxConnectionsPerWorker "
                        + config.maxConnectionsPerWorker() + " connections already");
            }
            slot = nextFreshSlot++;
            if (slot >= connections.length) {
                int n = Math.min(connections.length * 2, config.maxConnectionsPerWorker());
                connections = Arrays.copyOf(connections, n);
                generations = Arrays.copyOf(generations, n);
            }
        }
        int gen = ++generations[slot];
        long token = ((long) gen << 32) | ((long) id << SLOT_BITS) | slot;
        c.bind(slot, token);
        connections[slot] = c;
        connectionCount++;
        load.incrementAndGet();
        stats.connectionsOpened++;
        c.setIdleTimeout(config.idleTimeout());
        try {
            handler.onOpen(c);
        } catch (Throwable e) {
            Throwables.rethrowIfFatal(e);
            c.failed(CloseReason.ERROR, e);
        }
    }

    /** Called by {@link ConnectionImpl} once closed. */
    void closed(ConnectionImpl c, CloseReason reason, Throwable cause) {
        int slot = c.slot();
        if (slot >= 0 && connections[slot] == c) {
            connections[slot] = null;
            if (freeCount == freeSlots.length) {
                freeSlots = Arrays.copyOf(freeSlots, Math.max(16, freeSlots.length * 2));
            }
            freeSlots[freeCount++] = slot;
            connectionCount--;
            load.decrementAndGet();
            stats.connectionsClosed++;
            runtime.dispatcher().capacityFreed();
            if (cause != null && reason == CloseReason.ERROR) {
                log.debug("ringline worker {}: {} closed with error", id, c, cause);
            }
            try {
                handler.onClose(c, reason, cause);
            } catch (Throwable e) {
                Throwables.rethrowIfFatal(e);
                log.warn("ringline worker {}: Handler.onClose failed for {}", id, c, e);
            }
        }
    }

    @Override
    public Optional<Connection> connection(long token) {
        checkThread("WorkerContext.connection");
        int slot = (int) (token & ((1 << SLOT_BITS) - 1));
        int worker = (int) ((token >>> SLOT_BITS) & ((1 << WORKER_BITS) - 1));
        int gen = (int) (token >>> 32);
        if (worker != id || slot >= connections.length || generations[slot] != gen) {
            return Optional.empty();
        }
        ConnectionImpl c = connections[slot];
        return c != null && c.isOpen() ? Optional.of(c) : Optional.empty();
    }

    @Override
    public int connectionCount() {
        return connectionCount;
    }

    // ---------------------------------------------------------------- accepted-socket hand-off

    /**
     * Hands an accepted socket to this worker if it has capacity (called by the dispatcher on the
     * accepting thread).
     *
     * @return false if full or terminated (the caller keeps the socket)
     */
    boolean offerAccepted(AcceptedSocket socket) {
        if (state == TERMINATED || load.get() >= config.maxConnectionsPerWorker()
                || pendingHandoffs.get() >= config.acceptHandoffLimit()) {
            return false;
        }
        load.incrementAndGet();
        pendingHandoffs.incrementAndGet();
        try {
            executeInternal(new AdoptTask(socket));
            return true;
        } catch (RejectedExecutionException e) {
            load.decrementAndGet();
            pendingHandoffs.decrementAndGet();
            return false;
        }
    }

    /**
     * Bounded by {@link Config#acceptHandoffLimit()} per worker ({@link #pendingHandoffs}). The load
     * unit taken at hand-off is released only after {@link WorkerIo#adopt} returned, by which time
     * the connection (if the backend opened it) holds its own: releasing it first would let the
     * dispatcher overfill this worker meanwhile.
     */
    private final class AdoptTask implements TaskQueue.Internal {
        private final AcceptedSocket socket;

        AdoptTask(AcceptedSocket socket) {
            this.socket = socket;
        }

        @Override
        public void run() {
            pendingHandoffs.decrementAndGet();
            if (shuttingDown) {
                load.decrementAndGet();
                runtime.dispatcher().capacityFreed();
                closeQuietly(socket);
                return;
            }
            try {
                io.adopt(socket); // on failure the driver closed the socket itself
            } catch (RuntimeException e) {
                log.warn("ringline worker {}: adopting an accepted connection failed", id, e);
            } finally {
                load.decrementAndGet();
                runtime.dispatcher().capacityFreed();
            }
        }

        void reject() {
            pendingHandoffs.decrementAndGet();
            load.decrementAndGet();
            closeQuietly(socket);
        }
    }

    private static void closeQuietly(AcceptedSocket socket) {
        try {
            socket.close();
        } catch (RuntimeException ignored) {
            // the socket is being dropped anyway
        }
    }

    // ---------------------------------------------------------------- regions

    /** A control-plane task: runs on the worker, or is aborted if the worker terminates first. */
    private abstract static class ControlTask implements TaskQueue.Internal {
        final CompletableFuture<Void> ack = new CompletableFuture<>();

        void abort(Throwable why) {
            ack.completeExceptionally(why);
        }
    }

    /** Queues the installation of {@code region} in {@code slot}; the future is this worker's acknowledgement. */
    CompletableFuture<Void> controlRegister(int slot, MemoryRegion region) {
        return submitControl(new ControlTask() {
            @Override
            public void run() {
                try {
                    installRegion(slot, region);
                    ack.complete(null);
                } catch (Throwable t) {
                    ack.completeExceptionally(t);
                }
            }
        });
    }

    /**
     * Queues the removal of {@code slot}; acknowledged when no in-flight send references it any more.
     * Removing an empty slot succeeds (used for rollback).
     */
    CompletableFuture<Void> controlUnregister(int slot) {
        return submitControl(new ControlTask() {
            @Override
            public void run() {
                if (regions.get(slot) == null) {
                    ack.complete(null);
                    return;
                }
                regions.beginRemove(slot, () -> {
                    try {
                        io.removeRegion(slot);
                        ack.complete(null);
                    } catch (Throwable t) {
                        ack.completeExceptionally(t);
                    } finally {
                        regions.clear(slot);
                    }
                });
            }
        });
    }

    private CompletableFuture<Void> submitControl(ControlTask task) {
        try {
            executeInternal(task);
        } catch (RejectedExecutionException e) {
            task.abort(new RegionException("worker " + id + " terminated before acknowledging region update"));
        }
        return task.ack;
    }

    private void installRegion(int slot, MemoryRegion region) throws IOException {
        regions.install(slot, region);
        try {
            io.installRegion(slot, region);
        } catch (IOException | RuntimeException e) {
            regions.clear(slot);
            throw e;
        }
    }

    /** {@return this worker's region table (worker thread only)} */
    public RegionTable regionTable() {
        return regions;
    }

    // ---------------------------------------------------------------- WorkerContext

    @Override
    public int workerId() {
        return id;
    }

    @Override
    public boolean inWorkerThread() {
        return Thread.currentThread() == thread;
    }

    /**
     * @throws IllegalStateException if the caller is not this worker's thread
     */
    public void checkThread(String operation) {
        if (Thread.currentThread() != thread) {
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
        long nanos = checkDelay("delay", delay);
        return timers.schedule(System.nanoTime() + nanos, task);
    }

    private static long checkDelay(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + d);
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
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
        checkDelay("timeout", timeout);
        CompletableFuture<T> result = new CompletableFuture<>();
        TimerHandle timer = schedule(timeout, () -> result.completeExceptionally(
                new TimeoutException("timed out after " + timeout)));
        stage.whenComplete((v, t) -> {
            TaskQueue.Internal complete = () -> {
                timer.cancel();
                if (t == null) {
                    result.complete(v);
                } else {
                    result.completeExceptionally(t);
                }
            };
            if (inWorkerThread()) {
                complete.run();
            } else {
                try {
                    executeInternal(complete); // one per timeout() call of this worker: bounded by its own calls
                } catch (RejectedExecutionException e) {
                    result.completeExceptionally(e);
                }
            }
        });
        return result;
    }

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        rejectIfTerminated();
        if (!tasks.offerUser(task)) {
            throw new RejectedExecutionException("ringline worker " + id + ": task queue is full, "
                    + tasks.userLimit() + " tasks are waiting already (Config.taskQueueLimit = " + tasks.userLimit()
                    + "; raise it with Config.Builder.taskQueueLimit or let the worker catch up)");
        }
        enqueued(task);
    }

    /**
     * Queues a task of the runtime itself: like {@link #execute} but never refused because the
     * user queue is full (see {@link TaskQueue} for why each internal producer is bounded anyway).
     *
     * @throws RejectedExecutionException only if this worker has terminated
     */
    void executeInternal(TaskQueue.Internal task) {
        rejectIfTerminated();
        tasks.addInternal(task);
        enqueued(task);
    }

    private void rejectIfTerminated() {
        if (state == TERMINATED) {
            throw new RejectedExecutionException("ringline worker " + id + " has terminated");
        }
    }

    /** Undoes an add that raced with termination, else wakes the worker if it may be blocked in poll. */
    private void enqueued(Runnable task) {
        if (state == TERMINATED && tasks.remove(task)) {
            throw new RejectedExecutionException("ringline worker " + id + " has terminated");
        }
        if (wakeupArmed.get() && wakeupArmed.compareAndSet(true, false)) {
            WorkerIo driver = io;
            if (driver != null) {
                driver.wakeup();
            }
        }
    }

    @Override
    public <T> CompletionStage<T> runBlocking(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        checkThread("WorkerContext.runBlocking");
        CompletableFuture<T> result = new CompletableFuture<>();
        BlockingPool pool = runtime.blockingPool();
        try {
            pool.submit(() -> {
                T value = null;
                Throwable error = null;
                try {
                    value = task.call();
                } catch (Throwable t) {
                    error = t;
                }
                T v = value;
                Throwable e = error;
                // One per accepted blocking task: bounded by Config.blockingQueueLimit plus the pool size.
                TaskQueue.Internal complete = () -> {
                    if (e == null) {
                        result.complete(v);
                    } else {
                        result.completeExceptionally(e);
                    }
                };
                try {
                    executeInternal(complete);
                } catch (RejectedExecutionException gone) {
                    complete.run(); // the worker is gone: complete here rather than never
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(pool.isShutdown()
                    ? new IllegalStateException("runtime is shut down: blocking pool closed", e) : e);
        }
        return result;
    }

    @Override
    public CompletionStage<Connection> connect(SocketAddress remote) {
        return connect0(remote, null);
    }

    @Override
    public CompletionStage<Connection> connect(SocketAddress remote, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("connect timeout must be > 0, was " + timeout);
        }
        return connect0(remote, timeout);
    }

    private CompletionStage<Connection> connect0(SocketAddress remote, Duration timeout) {
        Objects.requireNonNull(remote, "remote");
        checkThread("WorkerContext.connect");
        CompletableFuture<Connection> result = new CompletableFuture<>();
        if (shuttingDown) {
            result.completeExceptionally(new IllegalStateException("runtime is shutting down: cannot connect to " + remote));
            return result;
        }
        Runnable abort = io.connect(remote, result);
        Runnable abortAndFail = () -> {
            if (!result.isDone()) {
                abort.run();
                result.completeExceptionally(new java.net.ConnectException("connect to " + remote + " aborted: runtime is shutting down"));
            }
        };
        if (result.isDone()) {
            return result;
        }
        pendingConnects.add(abortAndFail);
        TimerHandle timer = timeout == null ? null : schedule(timeout, () -> {
            if (!result.isDone()) {
                abort.run();
                result.completeExceptionally(new SocketTimeoutException("connect to " + remote + " timed out after " + timeout));
            }
        });
        result.whenComplete((c, e) -> {
            pendingConnects.remove(abortAndFail);
            if (timer != null) {
                timer.cancel();
            }
        });
        return result;
    }

    @Override
    public ShutdownHandle shutdownHandle() {
        return runtime.shutdownHandle();
    }

    /** {@inheritDoc} The core and (through {@link IoStats}) the backend increment them on the worker thread. */
    @Override
    public WorkerStatsImpl stats() {
        return stats;
    }

    // ---------------------------------------------------------------- for the core's connections

    /** {@return the handler of this worker} */
    Handler handler() {
        return handler;
    }

    /** {@return the configuration} */
    Config config() {
        return config;
    }

    /** {@return the pool of send chunks} */
    BufferPool sendChunks() {
        return sendChunks;
    }

    /** {@return what the driver may still report for a connection after pausing it (0 before it is open)} */
    long bytesReceivedAfterPause() {
        return bytesReceivedAfterPause;
    }

    /** {@return what the backend's driver of this worker gets from the core} */
    WorkerServices services() {
        return services;
    }

    /** What the core offers this worker's I/O driver. */
    private final class Services implements WorkerServices {

        @Override
        public int workerId() {
            return id;
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
            return stats;
        }

        @Override
        public ConnectionCore newConnection(Transport transport, SocketAddress localAddress, SocketAddress remoteAddress) {
            checkThread("WorkerServices.newConnection");
            return new ConnectionImpl(Worker.this, transport, localAddress, remoteAddress);
        }

        @Override
        public void executeBackendTask(Runnable task) {
            Objects.requireNonNull(task, "task");
            executeInternal(task::run);
        }

        @Override
        public boolean isShuttingDown() {
            return shuttingDown;
        }

        @Override
        public String toString() {
            return Worker.this.toString();
        }
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
