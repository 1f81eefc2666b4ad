package io.ringline.internal;

import io.ringline.TimerHandle;

import java.time.Duration;

/**
 * A connection's idle timeout: one timer per timeout period, however many bytes move in between
 * (each report only records the time; when the timer fires it closes the connection if nothing
 * moved for the whole timeout, else waits for the rest of it). Worker thread only.
 */
final class IdleTimer {

    private final Worker worker;
    private final ConnectionImpl owner;
    private final Runnable check = this::check;
    /** The timeout in nanoseconds, 0 when off. */
    private long timeoutNanos;
    /** {@link System#nanoTime()} of the last byte received or written (kept only while the timeout is on). */
    private long lastActivityNanos;
    private TimerHandle timer;

    IdleTimer(Worker worker, ConnectionImpl owner) {
        this.worker = worker;
        this.owner = owner;
    }

    /**
     * Sets the timeout (0: off) and restarts the period.
     *
     * @param arm whether to start the timer (not on a closed connection)
     * @throws IllegalArgumentException if negative
     */
    void set(Duration timeout, boolean arm) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("idle timeout must be >= 0 (0: off), was " + timeout);
        }
        cancel();
        timeoutNanos = saturatedNanos(timeout);
        if (timeoutNanos != 0 && arm) {
            lastActivityNanos = System.nanoTime();
            timer = worker.scheduleAt(lastActivityNanos + timeoutNanos, check);
        }
    }

    Duration timeout() {
        return Duration.ofNanos(timeoutNanos);
    }

    /** Bytes moved. */
    void activity() {
        if (timeoutNanos != 0) {
            lastActivityNanos = System.nanoTime();
        }
    }

    void cancel() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private void check() {
        timer = null;
        if (owner.isClosed() || timeoutNanos == 0) {
            return;
        }
        long due = lastActivityNanos + timeoutNanos;
        if (System.nanoTime() - due >= 0) {
            owner.idleTimedOut();
        } else {
            timer = worker.scheduleAt(due, check);
        }
    }

    /** {@return {@code d} in nanoseconds, saturated at a far-future value instead of overflowing} */
    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }
}
