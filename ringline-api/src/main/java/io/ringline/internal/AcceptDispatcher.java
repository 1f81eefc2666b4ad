package io.ringline.internal;

import java.io.Closeable;
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
public final class AcceptDispatcher {

    private final Worker[] workers;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition capacity = lock.newCondition();
    /** Accepting threads inside {@link #dispatch}'s wait (one per listener at most); read without the lock. */
    private final AtomicInteger waiters = new AtomicInteger();
    private volatile boolean closed;
    private int next;

    AcceptDispatcher(Worker[] workers) {
        this.workers = workers;
    }

    /**
     * Hands {@code socket} to a worker, waiting while every worker is full.
     *
     * @param socket the accepted socket, as the backend's {@code WorkerIo.adopt} expects it
     * @param closer closes the socket if it cannot be served
     * @return true if handed off; false if the runtime is shutting down (the socket was closed)
     * @throws InterruptedException if interrupted while waiting (the socket was closed)
     */
    public boolean dispatch(Object socket, Closeable closer) throws InterruptedException {
        while (!closed) {
            if (tryDispatch(socket, closer)) {
                return true;
            }
            lock.lock();
            waiters.incrementAndGet();
            try {
                // Re-check under the lock: a worker may have freed capacity before we counted as a waiter.
                if (!closed && tryDispatch(socket, closer)) {
                    return true;
                }
                if (!closed) {
                    capacity.await(50, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                closeQuietly(closer);
                throw e;
            } finally {
                waiters.decrementAndGet();
                lock.unlock();
            }
        }
        closeQuietly(closer);
        return false;
    }

    /**
     * Hands {@code socket} to a worker with capacity, without waiting.
     *
     * @return false if every worker is full or the runtime is shutting down (the caller keeps the socket)
     */
    public boolean tryDispatch(Object socket, Closeable closer) {
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
            Worker w = workers[(start + i) % n];
            if (w.offerAccepted(socket, closer)) {
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

    /** {@return whether the runtime stopped accepting} */
    public boolean isClosed() {
        return closed;
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // dropping the socket
        }
    }
}
