package io.ringline.examples;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline instead of sleeping for a guessed time (as ringline-tests' Await). */
final class Await {

    /** Generous for a loaded 2-core machine. */
    static final Duration LONG = Duration.ofSeconds(20);

    private Await() {
    }

    /** Polls {@code condition} until it holds; {@link AssertionError} naming {@code what} after {@link #LONG}. */
    static void until(BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + LONG.toNanos();
        long pauseNanos = 100_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + LONG + " waiting for: " + what.get());
            }
            LockSupport.parkNanos(pauseNanos); // a poll interval, not a guess of when the event happens
            pauseNanos = Math.min(pauseNanos * 2, 10_000_000);
        }
    }
}
