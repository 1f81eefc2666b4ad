package io.ringline.examples;

import io.ringline.Connection;
import io.ringline.TimerHandle;

import java.time.Duration;

/**
 * Closes a connection whose request stays incomplete for longer than a timeout (slowloris, a
 * multibulk command that is never finished), while a connection idle between requests is left
 * alone. One per connection; every method runs on the connection's worker thread.
 *
 * <p>Cheap in steady state: the handler reports at the end of each {@code onData} call whether a
 * partial request is held and how many requests have completed so far (its progress counter). A
 * timer is armed only when a partial request is held and none is armed yet; when it fires it
 * compares the progress counter with the one recorded when the current partial request was first
 * seen, and re-arms for the time left if a newer partial request is held. So a stream of complete
 * pipelined commands never schedules a timer, and a connection that keeps splitting requests
 * across reads schedules at most one per timeout period.
 */
final class RequestTimer {

    private final Connection connection;
    private final Duration timeout;
    private final long timeoutNanos;
    private final Runnable onTimeout;
    private final Runnable fire = this::fire;
    private TimerHandle timer;
    /** A partial request was held at the end of the last {@code onData} call. */
    private boolean holding;
    /** The progress counter when the partial request now held was first seen. */
    private long mark;
    /** {@link System#nanoTime()} when it was first seen. */
    private long since;

    /**
     * @param connection the connection
     * @param timeout    longest time a request may stay incomplete; zero disables the timer
     * @param onTimeout  run on the worker thread when it did (answer and close the connection)
     */
    RequestTimer(Connection connection, Duration timeout, Runnable onTimeout) {
        this.connection = connection;
        this.timeout = timeout;
        this.timeoutNanos = timeout.toNanos();
        this.onTimeout = onTimeout;
    }

    /**
     * Reports the state at the end of an {@code onData} call.
     *
     * @param partial  whether part of a request is held (parsed state or unconsumed bytes)
     * @param progress the number of requests completed on this connection so far
     */
    void afterData(boolean partial, long progress) {
        if (!partial || timeoutNanos == 0) {
            holding = false; // an armed timer finds nothing to do and lapses
            return;
        }
        if (!holding || progress != mark) {
            holding = true;
            mark = progress;
            since = System.nanoTime();
        }
        if (timer == null) {
            timer = connection.worker().schedule(timeout, fire);
        }
    }

    /** Stops watching (the connection closes or stops reading requests). */
    void cancel() {
        holding = false;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private void fire() {
        timer = null;
        if (!holding || !connection.isOpen()) {
            return;
        }
        long left = since + timeoutNanos - System.nanoTime();
        if (left > 0) {
            timer = connection.worker().schedule(Duration.ofNanos(left), fire); // a newer partial request
            return;
        }
        holding = false;
        onTimeout.run();
    }
}
