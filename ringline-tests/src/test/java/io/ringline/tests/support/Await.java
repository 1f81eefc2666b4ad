package io.ringline.tests.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline instead of sleeping for a guessed time. */
public final class Await {

    private Await() {
    }

    /**
     * Polls {@code condition} until it holds or {@code timeout} elapses.
     *
     * @throws AssertionError naming {@code what} if the deadline passes
     */
    public static void until(Duration timeout, BooleanSupplier condition, String what) {
        until(timeout, condition, () -> what);
    }

    /** Like {@link #until(Duration, BooleanSupplier, String)} with a lazily built message (evaluated on failure). */
    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseNanos = 100_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what.get());
            }
            // Back off from 0.1 ms to 10 ms between polls (a poll interval, not a guess of when the event happens).
            java.util.concurrent.locks.LockSupport.parkNanos(pauseNanos);
            pauseNanos = Math.min(pauseNanos * 2, 10_000_000);
        }
    }

    /** The default deadline of the suite's waits: generous for a loaded 2-core CI machine. */
    public static final Duration LONG = Duration.ofSeconds(20);

    /** {@link #until(Duration, BooleanSupplier, String)} with {@link #LONG}. */
    public static void until(BooleanSupplier condition, String what) {
        until(LONG, condition, what);
    }

    /** {@link #until(Duration, BooleanSupplier, Supplier)} with {@link #LONG}. */
    public static void until(BooleanSupplier condition, Supplier<String> what) {
        until(LONG, condition, what);
    }
}
