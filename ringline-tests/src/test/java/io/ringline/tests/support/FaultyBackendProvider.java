package io.ringline.tests.support;

import io.ringline.Connection;
import io.ringline.MemoryRegion;
import io.ringline.spi.AcceptSink;
import io.ringline.spi.AcceptedSocket;
import io.ringline.spi.Availability;
import io.ringline.spi.Backend;
import io.ringline.spi.BackendContext;
import io.ringline.spi.BackendOptions;
import io.ringline.spi.BackendProvider;
import io.ringline.spi.Capability;
import io.ringline.spi.Listener;
import io.ringline.spi.WorkerIo;
import io.ringline.spi.WorkerServices;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A fault-injecting test backend named {@value #NAME}: it wraps the real backend named by
 * {@link Faults#delegate} (the backend under test) and decorates each worker's {@link WorkerIo}
 * so that tests can make region installation fail, or a worker die, on a chosen worker, or hold a
 * listener's accepting thread (see {@link Faults#holdAcceptor}). Everything
 * else is delegated unchanged, so tests using it still exercise the real backend.
 *
 * <p>Unavailable (and with a negative priority) unless a test armed it, so auto-selection never
 * picks it.
 */
public final class FaultyBackendProvider implements BackendProvider {

    /** Backend name. */
    public static final String NAME = "faulty";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return -1000;
    }

    @Override
    public Availability availability() {
        String d = Faults.delegate;
        if (d == null) {
            return Availability.unavailable("test-only fault injector, not armed (Faults.delegate is null)");
        }
        Optional<BackendProvider> p = Backends.provider(d);
        if (p.isEmpty()) {
            return Availability.unavailable("delegate backend '" + d + "' is not on the class path");
        }
        Availability a = p.get().availability();
        return a.available() ? Availability.available("fault injector wrapping " + d)
                : Availability.unavailable("delegate backend '" + d + "' unavailable: " + a.reason());
    }

    /** {@return the delegate's capabilities (none while unarmed)} */
    @Override
    public Set<Capability> capabilities() {
        String d = Faults.delegate;
        return d == null ? Set.of() : Backends.provider(d).map(BackendProvider::capabilities).orElse(Set.of());
    }

    /** Opens the delegate with its own options from the configuration (validated by the core as another present backend's). */
    @Override
    public Backend open(BackendContext context) throws IOException {
        String d = Faults.delegate;
        BackendProvider p = Backends.provider(d).orElseThrow(() -> new IOException("no delegate backend " + d));
        Map<String, Object> own = new LinkedHashMap<>();
        context.config().options().forEach((name, value) -> {
            if (name.startsWith(p.name() + ".")) {
                own.put(name, value);
            }
        });
        BackendOptions options = BackendOptions.resolve(p.name(), p.options(), own);
        return new FaultyBackend(p.open(new BackendContext(context.config(), options)), options);
    }

    private static final class FaultyBackend implements Backend {
        private final Backend delegate;
        private final BackendOptions delegateOptions;

        FaultyBackend(Backend delegate, BackendOptions delegateOptions) {
            this.delegate = delegate;
            this.delegateOptions = delegateOptions;
        }

        @Override
        public WorkerIo openWorker(WorkerServices worker) throws IOException {
            FaultyWorkerIo io = new FaultyWorkerIo(worker.workerId(), delegate.openWorker(new DelegateServices(worker, delegateOptions)));
            Faults.workerIos.put(worker.workerId(), io);
            return io;
        }

        @Override
        public Listener listen(InetSocketAddress address, int backlog, AcceptSink sink) throws IOException {
            return delegate.listen(address, backlog, sink);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** The core's services of one worker, with the delegate's own options instead of the wrapper's (none). */
    private record DelegateServices(WorkerServices core, BackendOptions options) implements WorkerServices {
        @Override
        public int workerId() {
            return core.workerId();
        }

        @Override
        public io.ringline.Config config() {
            return core.config();
        }

        @Override
        public io.ringline.spi.IoStats stats() {
            return core.stats();
        }

        @Override
        public io.ringline.spi.ConnectionCore newConnection(io.ringline.spi.Transport transport, SocketAddress localAddress,
                                                            SocketAddress remoteAddress,
                                                            java.util.concurrent.CompletableFuture<io.ringline.Connection> connect) {
            return core.newConnection(transport, localAddress, remoteAddress, connect);
        }

        @Override
        public void executeBackendTask(Runnable task) {
            core.executeBackendTask(task);
        }

        @Override
        public boolean isShuttingDown() {
            return core.isShuttingDown();
        }

        @Override
        public String toString() {
            return core.toString();
        }
    }

    /** The decorated driver of one worker. */
    public static final class FaultyWorkerIo implements WorkerIo {
        private final int workerId;
        private final WorkerIo delegate;
        private volatile boolean inPoll;
        private volatile boolean wokenWhileArmed;

        FaultyWorkerIo(int workerId, WorkerIo delegate) {
            this.workerId = workerId;
            this.delegate = delegate;
        }

        /** {@return whether the worker is inside {@link #poll} right now} */
        public boolean inPoll() {
            return inPoll;
        }

        @Override
        public void poll(long timeoutNanos) throws IOException {
            inPoll = true;
            try {
                delegate.poll(timeoutNanos);
            } finally {
                inPoll = false;
            }
            if (Faults.dieOnWakeup == workerId && wokenWhileArmed) {
                Faults.died.add(workerId);
                throw new Error("injected death of worker " + workerId + " (woken while armed)");
            }
        }

        @Override
        public void wakeup() {
            if (Faults.dieOnWakeup == workerId) {
                wokenWhileArmed = true;
            }
            delegate.wakeup(); // first, so that only the acceptor is held, not the worker
            holdAcceptor();
        }

        /** Holds an accepting thread (the only non-worker caller naming itself "acceptor") while armed. */
        private static void holdAcceptor() {
            java.util.concurrent.CountDownLatch hold = Faults.holdAcceptor;
            if (hold == null || !Thread.currentThread().getName().contains("acceptor")) {
                return;
            }
            Faults.acceptorHeld = true;
            boolean interrupted = false;
            while (hold.getCount() > 0) {
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    interrupted = true; // stay held: the test decides when the acceptor goes on
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void adopt(AcceptedSocket socket) {
            delegate.adopt(socket);
        }

        @Override
        public long bytesReceivedAfterPause() {
            return delegate.bytesReceivedAfterPause();
        }

        @Override
        public Runnable connect(SocketAddress remote, CompletableFuture<Connection> result) {
            return delegate.connect(remote, result);
        }

        @Override
        public void installRegion(int slot, MemoryRegion region) throws IOException {
            int f = Faults.failInstallOnWorker;
            if (f == workerId || f == Faults.ALL_WORKERS) {
                Faults.installFailures.incrementAndGet();
                throw new IOException("injected install failure on worker " + workerId + " for slot " + slot);
            }
            delegate.installRegion(slot, region);
            Faults.installed(workerId).add(slot);
            Faults.installs.incrementAndGet();
        }

        @Override
        public void removeRegion(int slot) throws IOException {
            delegate.removeRegion(slot);
            Faults.installed(workerId).remove(slot);
            Faults.removes.incrementAndGet();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
