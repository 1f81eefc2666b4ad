package io.ringline.internal;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.HandlerFactory;
import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import io.ringline.RinglineException;
import io.ringline.Runtime;
import io.ringline.ShutdownHandle;
import io.ringline.WorkerContext;
import io.ringline.spi.Backend;
import io.ringline.spi.BackendContext;
import io.ringline.spi.BackendOptions;
import io.ringline.spi.Capability;
import io.ringline.spi.AcceptSink;
import io.ringline.spi.Listener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** The {@link Runtime} implementation shared by every backend. */
final class RuntimeImpl implements Runtime, WorkerHost {

    private static final Logger log = LoggerFactory.getLogger(RuntimeImpl.class);
    private static final AtomicInteger RUNTIME_IDS = new AtomicInteger();

    private final Config config;
    private final String backendName;
    private final String selectionReason;
    private final Backend backend;
    private final Worker[] workers;
    private final AcceptDispatcher dispatcher;
    private final RegionRegistrar registrar;
    private final RegionOperations regionOps;
    private final BlockingPool blockingPool;
    /** Added to only by {@link #startAll}; read by {@link Control#shutdown()} on any thread. */
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /**
     * Completed once every listener's accepting thread ended and its socket is closed (see
     * {@link #watchListeners}); {@link #workerTerminated} completes {@link #termination} only after
     * it, so a terminated runtime holds no listening socket.
     */
    private final CompletableFuture<Void> listenersClosed = new CompletableFuture<>();
    private final List<InetSocketAddress> boundAddresses = new ArrayList<>();
    /** What {@link #udpAddresses()} returns; set once by {@link #startAll}. */
    private volatile List<InetSocketAddress> udpAddresses = List.of();
    private final Set<Capability> capabilities;
    private final Control control = new Control();
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final AtomicInteger liveWorkers;
    private final CompletableFuture<Void> termination = new CompletableFuture<>();
    /** The failure of the first worker that died, or null. */
    private final AtomicReference<RinglineException> firstDeath = new AtomicReference<>();
    private final AtomicInteger nextConnectWorker = new AtomicInteger();
    /** The periodic {@code ringline.WorkerStatistics} sampling, from the start until the last worker terminated. */
    private volatile Object statisticsHook;
    /** The startup line (see {@link #toString()}); set once by {@link #startAll}. */
    private volatile String description = "starting";

    private RuntimeImpl(Config config, BackendSelector.Selection selection, Backend backend, BackendOptions options,
                        HandlerFactory factory) {
        this.config = config;
        this.backendName = selection.provider().name();
        this.selectionReason = selection.reason();
        this.capabilities = selection.provider().capabilities();
        this.backend = backend;
        int runtimeId = RUNTIME_IDS.getAndIncrement();
        this.workers = new Worker[config.workers()];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i, this, config, backend, options, factory,
                    "ringline-" + runtimeId + "-" + backendName + "-worker-" + i);
        }
        this.liveWorkers = new AtomicInteger(workers.length);
        AcceptInbox[] inboxes = new AcceptInbox[workers.length];
        RegionControl[] regionControls = new RegionControl[workers.length];
        for (int i = 0; i < workers.length; i++) {
            inboxes[i] = workers[i].inbox();
            regionControls[i] = workers[i].regions();
        }
        this.dispatcher = new AcceptDispatcher(inboxes);
        this.registrar = new RegionRegistrar(regionControls, config.maxRegions(), config.initialRegions());
        this.blockingPool = new BlockingPool(runtimeId, config);
        this.regionOps = new RegionOperations(registrar, blockingPool);
    }

    /** See {@link Runtime#start(Config, HandlerFactory)}. */
    static Runtime start(Config config, HandlerFactory factory) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(factory, "factory");
        BackendSelector.Selection selection = BackendSelector.select(config);
        BackendOptions options = BackendOptionsResolver.resolve(selection.provider(), selection.present(), config.options());
        Backend backend;
        try {
            backend = selection.provider().open(new BackendContext(config, options));
        } catch (Exception e) {
            throw new RinglineException("cannot open backend '" + selection.provider().name() + "': " + e.getMessage(), e);
        }
        RuntimeImpl rt;
        try {
            rt = new RuntimeImpl(config, selection, backend, options, factory); // throws if an initial region is closed
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        rt.startAll();
        return rt;
    }

    private void startAll() {
        statisticsHook = JfrEvents.addStatistics(backendName, workers);
        for (Worker w : workers) {
            w.start();
        }
        RuntimeException failure = null;
        for (Worker w : workers) {
            try {
                w.started.join();
            } catch (CompletionException e) {
                if (failure == null) {
                    Throwable c = e.getCause();
                    failure = new RinglineException("worker " + w.workerId() + " failed to start: " + c.getMessage(), c);
                }
            }
        }
        if (failure == null) {
            for (Config.Binding binding : config.bindings()) {
                InetSocketAddress address = binding.address();
                try {
                    // each TLS listener hands its sockets over with its own configuration
                    AcceptSink sink = binding.tls().map(dispatcher::forListener).orElse(dispatcher);
                    Listener l = backend.listen(address, config.backlog(), sink);
                    listeners.add(l);
                    boundAddresses.add(l.localAddress());
                    if (shutdownStarted.get()) {
                        l.close(); // a worker died meanwhile and its shutdown() may not have seen this one
                    }
                } catch (Exception e) {
                    failure = new RinglineException("cannot listen on " + address + ": " + e.getMessage(), e);
                    break;
                }
            }
        }
        if (failure == null) {
            try {
                udpAddresses = UdpBinder.bindAll(config, backendName, capabilities, workers);
            } catch (RinglineException e) {
                failure = e; // the shutdown below closes the sockets already bound
            }
        }
        watchListeners();
        if (failure != null) {
            shutdownNow();
            throw failure;
        }
        description = describe(backendName, selectionReason, workers.length, boundAddresses, udpAddresses,
                backend.describeFeatures());
        log.info("ringline started: {}", description);
    }

    /**
     * {@return the startup line after its "ringline started: " prefix, e.g. "backend nio (reason),
     * 2 workers, listening on [/127.0.0.1:7000]; nio: EPollSelectorProvider; reads per event 16, ..."}
     */
    static String describe(String backendName, String selectionReason, int workers, List<InetSocketAddress> tcp,
                           List<InetSocketAddress> udp, String features) {
        return "backend " + backendName + " (" + selectionReason + "), " + workers + (workers == 1 ? " worker" : " workers")
                + (tcp.isEmpty() ? "" : ", listening on " + tcp) + (udp.isEmpty() ? "" : ", UDP on " + udp)
                + (features.isEmpty() ? "" : "; " + backendName + ": " + features);
    }

    /**
     * {@return what the runtime logged when it started: the backend, why it was chosen, the worker
     * count, the bound addresses and the backend's {@linkplain Backend#describeFeatures() features}}
     */
    @Override
    public String toString() {
        return "ringline runtime: " + description;
    }

    /** Completes {@link #listenersClosed} once every bound listener reported {@link Listener#closed()}. */
    private void watchListeners() {
        CompletableFuture<?>[] closed = listeners.stream().map(l -> l.closed().toCompletableFuture())
                .toArray(CompletableFuture<?>[]::new);
        CompletableFuture.allOf(closed).whenComplete((v, e) -> listenersClosed.complete(null));
    }

    /** Tears down a partially started runtime and waits (boundedly) for its workers and listeners. */
    private void shutdownNow() {
        control.shutdown();
        try {
            for (Worker w : workers) {
                w.thread().join(TimeUnit.SECONDS.toMillis(30));
            }
            listenersClosed.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("ringline: a listener of the failed start did not stop within 30 s", e);
        }
    }

    /**
     * A worker's thread is about to end. A worker that died ({@code death} non-null) takes the runtime
     * down: the others shut down gracefully within the grace period, and the first death becomes the
     * failure that {@link #awaitTermination()} reports once every worker has stopped.
     */
    @Override
    public void workerTerminated(Worker w, Throwable death) {
        if (death != null) {
            log.error("ringline worker {} terminated abnormally; shutting the runtime down", w.workerId());
            firstDeath.compareAndSet(null, new RinglineException("ringline runtime stopped because worker "
                    + w.workerId() + " died: " + death, death));
            control.shutdown();
        }
        if (liveWorkers.decrementAndGet() == 0) {
            JfrEvents.removeStatistics(statisticsHook);
            try {
                backend.close();
            } catch (RuntimeException e) {
                log.warn("ringline: closing backend {} failed", backendName, e);
            }
            blockingPool.shutdown();
            registrar.releaseAll(); // every worker removed its regions: runtime-owned region memory may be freed
            RinglineException failure = firstDeath.get();
            // terminated = workers AND acceptors
            listenersClosed.whenComplete((v, e) -> {
                if (failure == null) {
                    termination.complete(null);
                } else {
                    termination.completeExceptionally(failure);
                }
            });
        }
    }

    /** Rethrows the failure a terminated runtime ended with, as a new exception thrown in the caller's stack. */
    private static void reportFailure(ExecutionException e) {
        if (e.getCause() instanceof RinglineException failure) {
            throw new RinglineException(failure.getMessage(), failure.getCause());
        }
        throw new IllegalStateException(e.getCause());
    }

    @Override
    public void capacityFreed() {
        dispatcher.capacityFreed();
    }

    @Override
    public BlockingPool blockingPool() {
        return blockingPool;
    }

    // ---------------------------------------------------------------- Runtime

    @Override
    public String backendName() {
        return backendName;
    }

    @Override
    public String backendSelectionReason() {
        return selectionReason;
    }

    @Override
    public List<InetSocketAddress> boundAddresses() {
        return List.copyOf(boundAddresses);
    }

    @Override
    public List<InetSocketAddress> udpAddresses() {
        return udpAddresses;
    }

    @Override
    public int workerCount() {
        return workers.length;
    }

    @Override
    public WorkerContext worker(int workerId) {
        return workers[Objects.checkIndex(workerId, workers.length)];
    }

    @Override
    public CompletionStage<Connection> connect(SocketAddress remote, Duration timeout) {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(timeout, "timeout");
        Worker w = workers[Math.floorMod(nextConnectWorker.getAndIncrement(), workers.length)];
        CompletableFuture<Connection> result = new CompletableFuture<>();
        try {
            w.execute(() -> w.connect(remote, timeout).whenComplete((c, e) -> {
                if (e == null) {
                    result.complete(c);
                } else {
                    result.completeExceptionally(e);
                }
            }));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(w.isTerminated()
                    ? new IllegalStateException("runtime is shut down: cannot connect to " + remote, e)
                    : e); // the worker's task queue is full (Config.taskQueueLimit)
        }
        return result;
    }

    @Override
    public ShutdownHandle shutdownHandle() {
        return control;
    }

    @Override
    public void awaitTermination() throws InterruptedException {
        checkNotWorker("awaitTermination");
        try {
            termination.get();
        } catch (ExecutionException e) {
            reportFailure(e);
        }
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        checkNotWorker("awaitTermination");
        try {
            termination.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            reportFailure(e);
            return true;
        }
    }

    @Override
    public boolean isTerminated() {
        return termination.isDone();
    }

    @Override
    public void close() {
        checkNotWorker("Runtime.close");
        control.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                termination.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                break; // a worker died: logged when it happened, reported by awaitTermination
            }
        }
        try {
            blockingPool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void checkNotWorker(String op) {
        if (Worker.current() != null) {
            throw new IllegalStateException(op + " must not be called on a worker thread ("
                    + Thread.currentThread().getName() + "): it would wait for the worker itself");
        }
    }

    /** The {@link ShutdownHandle} of this runtime. */
    private final class Control implements ShutdownHandle {

        @Override
        public int regionsInUse() {
            return registrar.regionsInUse();
        }

        @Override
        public long regionBytesInUse() {
            return registrar.regionBytesInUse();
        }

        @Override
        public void shutdown() {
            if (!shutdownStarted.compareAndSet(false, true)) {
                return;
            }
            log.info("ringline: shutting down (grace period {})", config.shutdownGracePeriod());
            registrar.close();
            dispatcher.close(); // first: an acceptor waiting in dispatch() returns, closing its socket
            for (Listener l : listeners) { // signals only: awaitTermination waits for the acceptors
                try {
                    l.close();
                } catch (RuntimeException e) {
                    log.warn("ringline: closing listener {} failed", l, e);
                }
            }
            for (Worker w : workers) {
                try {
                    w.executeInternal(w::beginShutdown); // once per runtime: never refused for a full queue
                } catch (RejectedExecutionException ignored) {
                    // already terminated
                }
            }
        }

        @Override
        public boolean isShutdown() {
            return shutdownStarted.get();
        }

        @Override
        public RegionId registerRegion(MemoryRegion region) {
            return regionOps.register(region);
        }

        @Override
        public CompletionStage<RegionId> registerRegionAsync(MemoryRegion region) {
            return regionOps.registerAsync(region);
        }

        @Override
        public void unregisterRegion(RegionId id) {
            regionOps.unregister(id);
        }

        @Override
        public CompletionStage<Void> unregisterRegionAsync(RegionId id) {
            return regionOps.unregisterAsync(id);
        }
    }
}
