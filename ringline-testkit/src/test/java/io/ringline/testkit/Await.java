package io.ringline.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline instead of sleeping for a guessed time. */
final class Await {

    static final Duration LONG = Duration.ofSeconds(20);

    private Await() {
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} after {@link #LONG}. */
    static void until(BooleanSupplier condition, String what) {
        until(condition, () -> what);
    }

    /** Like {@link #until(BooleanSupplier, String)} with a message built on failure. */
    static void until(BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + LONG.toNanos();
        long pause = 100_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + LONG + " waiting for: " + what.get());
            }
            LockSupport.parkNanos(pause); // a poll interval, not a guess of when the event happens
            pause = Math.min(pause * 2, 10_000_000);
        }
    }
}
