package io.ringline.internal;

import io.ringline.TlsConfig;
import io.ringline.spi.AcceptedSocket;
import io.ringline.spi.WorkerIo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One worker's bounded hand-off of accepted sockets, and its load: live connections plus sockets
 * handed over and not yet adopted. {@link #offer} runs on an accepting thread and takes one unit of
 * load and one hand-off place; the adopt task it queues runs on the worker, gives the socket to the
 * driver's {@link WorkerIo#adopt} and only then releases the unit (a connection the driver opened
 * holds its own, taken by {@link #connectionOpened()}), so the dispatcher never overfills the
 * worker meanwhile.
 *
 * <p>Thread-safe: {@link #offer} and {@link #load()} from any thread, the rest on the worker thread.
 */
final class AcceptInbox {

    private static final Logger log = LoggerFactory.getLogger(AcceptInbox.class);

    private final int workerId;
    private final int maxConnections;
    private final int handoffLimit;
    private final Consumer<TaskQueue.Internal> queue;
    private final Supplier<WorkerIo> io;
    private final BooleanSupplier refusing;
    private final Runnable capacityFreed;
    private final AtomicInteger load = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean closed;
    /** The TLS configuration of the socket inside {@link WorkerIo#adopt} now (worker thread only). */
    private TlsConfig adopting;

    /**
     * @param workerId       for log messages
     * @param maxConnections the most load accepted ({@code Config.maxConnectionsPerWorker})
     * @param handoffLimit   the most sockets handed over and not yet adopted ({@code Config.acceptHandoffLimit})
     * @param queue          queues an internal task on the worker (throws {@link RejectedExecutionException} once terminated)
     * @param io             the worker's driver (open by the time a task runs)
     * @param refusing       true while the worker refuses accepted sockets (shutting down)
     * @param capacityFreed  told whenever load or a hand-off place was released
     */
    AcceptInbox(int workerId, int maxConnections, int handoffLimit, Consumer<TaskQueue.Internal> queue,
                Supplier<WorkerIo> io, BooleanSupplier refusing, Runnable capacityFreed) {
        this.workerId = workerId;
        this.maxConnections = maxConnections;
        this.handoffLimit = handoffLimit;
        this.queue = queue;
        this.io = io;
        this.refusing = refusing;
        this.capacityFreed = capacityFreed;
    }

    /**
     * Hands {@code socket} to the worker if it has capacity (called on an accepting thread).
     *
     * @return false if full or closed (the caller keeps the socket)
     */
    boolean offer(AcceptedSocket socket) {
        return offer(socket, null);
    }

    /**
     * Hands {@code socket}, accepted by a listener with {@code tls} (null: plaintext), to the worker
     * if it has capacity (called on an accepting thread).
     *
     * @return false if full or closed (the caller keeps the socket)
     */
    boolean offer(AcceptedSocket socket, TlsConfig tls) {
        if (closed || load.get() >= maxConnections || pending.get() >= handoffLimit) {
            return false;
        }
        load.incrementAndGet();
        pending.incrementAndGet();
        try {
            queue.accept(new AdoptTask(socket, tls));
            return true;
        } catch (RejectedExecutionException e) {
            load.decrementAndGet();
            pending.decrementAndGet();
            return false;
        }
    }

    /**
     * {@return the TLS configuration of the socket being adopted now, null if plaintext or outside
     * an adopt (worker thread)} {@link io.ringline.spi.WorkerServices#newConnection} reads it: the
     * driver creates the connection inside {@link WorkerIo#adopt}.
     */
    TlsConfig adoptingTls() {
        return adopting;
    }

    /** Refuses every later {@link #offer} (the worker terminates). */
    void close() {
        closed = true;
    }

    /** A connection took a slot: one unit of load. */
    void connectionOpened() {
        load.incrementAndGet();
    }

    /** A connection freed its slot. */
    void connectionClosed() {
        load.decrementAndGet();
        capacityFreed.run();
    }

    /** {@return live connections plus sockets handed over and not yet adopted} */
    int load() {
        return load.get();
    }

    /** {@return sockets handed over and not yet adopted (or rejected)} */
    int pending() {
        return pending.get();
    }

    /**
     * If {@code task} is an adopt task of this inbox that the worker will not run (it terminated),
     * closes its socket and releases its unit and place.
     *
     * @return whether it was one
     */
    boolean rejectIfAdopt(Runnable task) {
        if (task instanceof AdoptTask a && a.inbox() == this) {
            a.reject();
            return true;
        }
        return false;
    }

    private static void closeQuietly(AcceptedSocket socket) {
        try {
            socket.close();
        } catch (RuntimeException ignored) {
            // the socket is being dropped anyway
        }
    }

    /** Gives one socket to the driver, on the worker thread. */
    private final class AdoptTask implements TaskQueue.Internal {
        private final AcceptedSocket socket;
        private final TlsConfig tls;

        AdoptTask(AcceptedSocket socket, TlsConfig tls) {
            this.socket = socket;
            this.tls = tls;
        }

        AcceptInbox inbox() {
            return AcceptInbox.this;
        }

        @Override
        public void run() {
            pending.decrementAndGet();
            if (refusing.getAsBoolean()) {
                load.decrementAndGet();
                capacityFreed.run();
                closeQuietly(socket);
                return;
            }
            adopting = tls;
            try {
                io.get().adopt(socket); // on failure the driver closed the socket itself
            } catch (RuntimeException e) {
                log.warn("ringline worker {}: adopting an accepted connection failed", workerId, e);
            } finally {
                adopting = null;
                load.decrementAndGet();
                capacityFreed.run();
            }
        }

        void reject() {
            pending.decrementAndGet();
            load.decrementAndGet();
            closeQuietly(socket);
        }
    }
}
