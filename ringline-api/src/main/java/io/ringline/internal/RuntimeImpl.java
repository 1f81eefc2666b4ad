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
import io.ringline.spi.Listener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** The {@link Runtime} implementation shared by every backend. */
public final class RuntimeImpl implements Runtime {

    private static final Logger log = LoggerFactory.getLogger(RuntimeImpl.class);
    private static final AtomicInteger RUNTIME_IDS = new AtomicInteger();

    private final Config config;
    private final String backendName;
    private final String selectionReason;
    private final Backend backend;
    private final Worker[] workers;
    private final AcceptDispatcher dispatcher;
    private final RegionRegistrar registrar;
    private final ThreadPoolExecutor blockingPool;
    private final List<Listener> listeners = new ArrayList<>();
    private final List<InetSocketAddress> boundAddresses = new ArrayList<>();
    private final Control control = new Control();
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final AtomicInteger liveWorkers;
    private final CompletableFuture<Void> termination = new CompletableFuture<>();
    private final AtomicInteger nextConnectWorker = new AtomicInteger();

    private RuntimeImpl(Config config, BackendSelector.Selection selection, Backend backend, HandlerFactory factory) {
        this.config = config;
        this.backendName = selection.provider().name();
        this.selectionReason = selection.reason();
        this.backend = backend;
        int runtimeId = RUNTIME_IDS.getAndIncrement();
        this.workers = new Worker[config.workers()];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i, this, config, backend, factory,
                    "ringline-" + runtimeId + "-" + backendName + "-worker-" + i);
        }
        this.liveWorkers = new AtomicInteger(workers.length);
        this.dispatcher = new AcceptDispatcher(workers);
        this.registrar = new RegionRegistrar(workers, config.maxRegions(), config.initialRegions());
        AtomicInteger blockingIds = new AtomicInteger();
        this.blockingPool = new ThreadPoolExecutor(config.blockingPoolSize(), config.blockingPoolSize(),
                10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "ringline-" + runtimeId + "-blocking-" + blockingIds.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        this.blockingPool.allowCoreThreadTimeOut(true);
    }

    /** See {@link Runtime#start(Config, HandlerFactory)}. */
    public static Runtime start(Config config, HandlerFactory factory) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(factory, "factory");
        BackendSelector.Selection selection = BackendSelector.select(config);
        log.info("ringline backend: {} ({})", selection.provider().name(), selection.reason());
        Backend backend;
        try {
            backend = selection.provider().open(config);
        } catch (Exception e) {
            throw new RinglineException("cannot open backend '" + selection.provider().name() + "': " + e.getMessage(), e);
        }
        RuntimeImpl rt;
        try {
            rt = new RuntimeImpl(config, selection, backend, factory); // throws if an initial region is closed
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        rt.startAll();
        return rt;
    }

    private void startAll() {
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
            for (InetSocketAddress address : config.bindAddresses()) {
                try {
                    Listener l = backend.listen(address, config.backlog(), dispatcher);
                    listeners.add(l);
                    boundAddresses.add(l.localAddress());
                } catch (Exception e) {
                    failure = new RinglineException("cannot listen on " + address + ": " + e.getMessage(), e);
                    break;
                }
            }
        }
        if (failure != null) {
            shutdownNow();
            throw failure;
        }
        log.info("ringline started: backend {}, {} workers, listening on {}", backendName, workers.length, boundAddresses);
    }

    /** Tears down a partially started runtime and waits for it. */
    private void shutdownNow() {
        control.shutdown();
        for (Worker w : workers) {
            try {
                w.thread().join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    void workerTerminated(Worker w, Throwable death) {
        if (death != null) {
            log.error("ringline worker {} terminated abnormally; shutting the runtime down", w.workerId());
            control.shutdown();
        }
        if (liveWorkers.decrementAndGet() == 0) {
            try {
                backend.close();
            } catch (RuntimeException e) {
                log.warn("ringline: closing backend {} failed", backendName, e);
            }
            blockingPool.shutdown();
            registrar.releaseAll(); // every worker removed its regions: runtime-owned region memory may be freed
            termination.complete(null);
        }
    }

    AcceptDispatcher dispatcher() {
        return dispatcher;
    }

    Executor blockingPool() {
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
            result.completeExceptionally(new IllegalStateException("runtime is shut down: cannot connect to " + remote, e));
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
            throw new IllegalStateException(e);
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
            throw new IllegalStateException(e);
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
                throw new IllegalStateException(e);
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

    @Override
    public String toString() {
        return "ringline Runtime[backend=" + backendName + ", workers=" + workers.length + ", bound=" + boundAddresses + "]";
    }

    /** The {@link ShutdownHandle} of this runtime. */
    private final class Control implements ShutdownHandle {

        @Override
        public void shutdown() {
            if (!shutdownStarted.compareAndSet(false, true)) {
                return;
            }
            log.info("ringline: shutting down (grace period {})", config.shutdownGracePeriod());
            registrar.close();
            dispatcher.close();
            for (Listener l : listeners) {
                try {
                    l.close();
                } catch (RuntimeException e) {
                    log.warn("ringline: closing listener {} failed", l, e);
                }
            }
            for (Worker w : workers) {
                try {
                    w.execute(w::beginShutdown);
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
            checkBlockingAllowed("registerRegion", "registerRegionAsync");
            return join(registrar.register(region));
        }

        @Override
        public CompletionStage<RegionId> registerRegionAsync(MemoryRegion region) {
            return onCallerSide(registrar.register(region));
        }

        @Override
        public void unregisterRegion(RegionId id) {
            checkBlockingAllowed("unregisterRegion", "unregisterRegionAsync");
            join(registrar.unregister(id));
        }

        @Override
        public CompletionStage<Void> unregisterRegionAsync(RegionId id) {
            return onCallerSide(registrar.unregister(id));
        }

        private void checkBlockingAllowed(String op, String async) {
            if (Worker.current() != null) {
                throw new IllegalStateException(op + " blocks until every worker acknowledged and would deadlock on worker thread '"
                        + Thread.currentThread().getName() + "'; use " + async + " there");
            }
        }

        /**
         * Completes the caller's stage on the caller's worker when called on a worker (so its
         * continuations run there), else on the blocking pool, never on another worker's thread.
         */
        private <T> CompletionStage<T> onCallerSide(CompletableFuture<T> f) {
            Worker caller = Worker.current();
            Executor executor = caller != null ? caller::execute : blockingPool;
            CompletableFuture<T> result = new CompletableFuture<>();
            f.whenComplete((v, t) -> {
                Runnable complete = () -> {
                    if (t == null) {
                        result.complete(v);
                    } else {
                        result.completeExceptionally(t);
                    }
                };
                try {
                    executor.execute(complete);
                } catch (RejectedExecutionException e) {
                    complete.run();
                }
            });
            return result;
        }

        private <T> T join(CompletableFuture<T> f) {
            try {
                return f.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw e;
            }
        }
    }
}
