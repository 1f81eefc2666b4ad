package io.ringline.testkit;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a worker's {@link TestkitWorkerIo#poll} waits on: connections with news from their peers
 * (bytes, an end of stream, a reset, room to write), each queued once until the worker takes it,
 * and the wakeup flag of {@link TestkitWorkerIo#wakeup()}.
 *
 * <p>Thread-safe: any thread signals, the worker's thread drains and waits.
 */
final class WorkerSignal {

    /** Waits this long or longer are waits without a limit (their deadline could overflow). */
    private static final long FOREVER = java.util.concurrent.TimeUnit.DAYS.toNanos(36_500);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<TestkitConnection> ready = new ArrayDeque<>();
    private boolean woken;

    /** Queues {@code c} for the worker (once until taken) and wakes it. Any thread. */
    void ready(TestkitConnection c) {
        lock.lock();
        try {
            if (!c.queued) {
                c.queued = true;
                ready.addLast(c);
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Makes the current or next {@link #await} return. Any thread; never blocks for long. */
    void wakeup() {
        lock.lock();
        try {
            woken = true;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Moves the queued connections to {@code into}, in order. Worker thread. */
    void drainTo(List<TestkitConnection> into) {
        lock.lock();
        try {
            TestkitConnection c;
            while ((c = ready.pollFirst()) != null) {
                c.queued = false;
                into.add(c);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a connection is queued, {@link #wakeup()} was called (since the last wait) or
     * {@code nanos} passed; clears the wakeup flag. An interrupt ends the wait and stays set.
     *
     * @param nanos the most to wait, negative (or beyond a century): no limit
     */
    void await(long nanos) {
        boolean timed = nanos >= 0 && nanos < FOREVER;
        long deadline = timed ? System.nanoTime() + nanos : 0;
        lock.lock();
        try {
            while (ready.isEmpty() && !woken) {
                if (!timed) {
                    changed.await();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    changed.awaitNanos(left);
                }
            }
            woken = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }
}
