package io.ringline.internal;

import io.ringline.TlsConfig;
import io.ringline.spi.AcceptSink;
import io.ringline.spi.AcceptedSocket;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Spreads accepted sockets over the workers round-robin, through each worker's bounded hand-off.
 * A worker that is full (at {@code maxConnectionsPerWorker} or with {@code acceptHandoffLimit}
 * sockets not yet taken) is skipped; when every worker is full, {@link #dispatch} waits for
 * capacity instead of failing, which leaves further connections in the kernel's listen backlog.
 *
 * <p>Thread-safe; {@link #dispatch} is called by the listeners' accepting threads.
 */
final class AcceptDispatcher implements AcceptSink {

    private final AcceptInbox[] workers;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition capacity = lock.newCondition();
    /** Accepting threads inside {@link #dispatch}'s wait (one per listener at most); read without the lock. */
    private final AtomicInteger waiters = new AtomicInteger();
    private volatile boolean closed;
    private int next;

    AcceptDispatcher(AcceptInbox[] workers) {
        this.workers = workers;
    }

    /**
     * {@return this dispatcher as seen by a listener with {@code tls}: the sockets it hands over
     * run TLS with that configuration} Thread-safe.
     */
    AcceptSink forListener(TlsConfig tls) {
        Objects.requireNonNull(tls, "tls");
        return new AcceptSink() {
            @Override
            public boolean dispatch(AcceptedSocket socket) throws InterruptedException {
                return AcceptDispatcher.this.dispatch(socket, tls);
            }

            @Override
            public boolean tryDispatch(AcceptedSocket socket) {
                return AcceptDispatcher.this.tryDispatch(socket, tls);
            }

            @Override
            public boolean isClosed() {
                return closed;
            }

            @Override
            public String toString() {
                return "AcceptSink[" + tls + "]";
            }
        };
    }

    @Override
    public boolean dispatch(AcceptedSocket socket) throws InterruptedException {
        return dispatch(socket, null);
    }

    @Override
    public boolean tryDispatch(AcceptedSocket socket) {
        return tryDispatch(socket, null);
    }

    private boolean dispatch(AcceptedSocket socket, TlsConfig tls) throws InterruptedException {
        while (!closed) {
            if (tryDispatch(socket, tls)) {
                return true;
            }
            lock.lock();
            waiters.incrementAndGet();
            try {
                // Re-check under the lock: a worker may have freed capacity before we counted as a waiter.
                if (!closed && tryDispatch(socket, tls)) {
                    return true;
                }
                if (!closed) {
                    capacity.await(50, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                closeQuietly(socket);
                throw e;
            } finally {
                waiters.decrementAndGet();
                lock.unlock();
            }
        }
        closeQuietly(socket);
        return false;
    }

    private boolean tryDispatch(AcceptedSocket socket, TlsConfig tls) {
        if (closed) {
            return false;
        }
        int n = workers.length;
        int start;
        synchronized (this) {
            start = next;
            next = (next + 1) % n;
        }
        for (int i = 0; i < n; i++) {
            AcceptInbox w = workers[(start + i) % n];
            if (w.offer(socket, tls)) {
                return true;
            }
        }
        return false;
    }

    /** Called by workers when a connection slot or hand-off slot frees up. Cheap when nobody waits. */
    void capacityFreed() {
        if (waiters.get() > 0) {
            signalWaiters();
        }
    }

    /**
     * Stops dispatching: waiting and later calls return false (closing their socket). Wakes every
     * accepting thread waiting in {@link #dispatch} at once; one that is about to wait sees
     * {@code closed} under the lock and does not.
     */
    void close() {
        closed = true;
        signalWaiters();
    }

    private void signalWaiters() {
        lock.lock();
        try {
            capacity.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    private static void closeQuietly(AcceptedSocket s) {
        try {
            s.close();
        } catch (RuntimeException ignored) {
            // dropping the socket
        }
    }
}
