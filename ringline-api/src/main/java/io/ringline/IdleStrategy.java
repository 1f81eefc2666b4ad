package io.ringline;

import java.time.Duration;
import java.util.Objects;

/**
 * How a worker waits when its loop found nothing to do (Agrona's idle-strategy idea, applied to
 * the backend's poll): set per runtime with {@link Config.Builder#idleStrategy(IdleStrategy)}.
 *
 * <ul>
 *   <li>{@link #BLOCKING} (the default): block in the backend's poll until an I/O event, the next
 *       timer or a task from another thread. No CPU while idle; a wake-up costs a system call.</li>
 *   <li>{@link #BUSY_SPIN}: poll without blocking, for ever. The lowest latency; one core per
 *       worker at 100% even when idle.</li>
 *   <li>{@link #backoff(int, int, Duration, Duration) BACKOFF}: after work, poll without blocking
 *       {@code maxSpins} times, then {@code maxYields} times yielding the CPU in between, then poll
 *       with a timeout that starts at {@code minParkPeriod} and doubles up to
 *       {@code maxParkPeriod}; any work resets it. Low latency under load, little CPU when idle.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe: one value configures every worker, each keeps its own state.
 */
public final class IdleStrategy {

    /** The kinds of strategy. */
    public enum Kind {
        /** Block in poll until something happens. */
        BLOCKING,
        /** Poll without blocking, for ever. */
        BUSY_SPIN,
        /** Spin, then yield, then poll with a growing timeout. */
        BACKOFF
    }

    /** The longest {@code maxParkPeriod} of {@link #backoff}: 1 second. */
    public static final Duration MAX_PARK_PERIOD_LIMIT = Duration.ofSeconds(1);

    /** Block in the backend's poll until an I/O event, a timer or a task (the default). */
    public static final IdleStrategy BLOCKING = new IdleStrategy(Kind.BLOCKING, 0, 0, Duration.ZERO, Duration.ZERO);

    /** Poll without blocking, for ever. */
    public static final IdleStrategy BUSY_SPIN = new IdleStrategy(Kind.BUSY_SPIN, 0, 0, Duration.ZERO, Duration.ZERO);

    private final Kind kind;
    private final int maxSpins;
    private final int maxYields;
    private final Duration minParkPeriod;
    private final Duration maxParkPeriod;

    private IdleStrategy(Kind kind, int maxSpins, int maxYields, Duration minParkPeriod, Duration maxParkPeriod) {
        this.kind = kind;
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.minParkPeriod = minParkPeriod;
        this.maxParkPeriod = maxParkPeriod;
    }

    /**
     * A backoff strategy: spin, then yield, then poll with a timeout growing from
     * {@code minParkPeriod} to {@code maxParkPeriod}.
     *
     * @param maxSpins      non-blocking polls after work before yielding, {@code >= 0}
     * @param maxYields     non-blocking polls with a {@link Thread#yield()} each before parking, {@code >= 0}
     * @param minParkPeriod the first poll timeout, {@code > 0}
     * @param maxParkPeriod the largest poll timeout, in {@code [minParkPeriod, }{@link #MAX_PARK_PERIOD_LIMIT}{@code ]}
     * @return the strategy
     * @throws IllegalArgumentException naming the parameter, its value and the limit, if out of range
     * @throws NullPointerException     if a period is null
     */
    public static IdleStrategy backoff(int maxSpins, int maxYields, Duration minParkPeriod, Duration maxParkPeriod) {
        Objects.requireNonNull(minParkPeriod, "minParkPeriod");
        Objects.requireNonNull(maxParkPeriod, "maxParkPeriod");
        if (maxSpins < 0) {
            throw new IllegalArgumentException("backoff maxSpins must be >= 0, was " + maxSpins);
        }
        if (maxYields < 0) {
            throw new IllegalArgumentException("backoff maxYields must be >= 0, was " + maxYields);
        }
        if (minParkPeriod.isNegative() || minParkPeriod.isZero()) {
            throw new IllegalArgumentException("backoff minParkPeriod must be > 0, was " + minParkPeriod);
        }
        if (maxParkPeriod.compareTo(minParkPeriod) < 0) {
            throw new IllegalArgumentException("backoff maxParkPeriod must be >= minParkPeriod " + minParkPeriod
                    + ", was " + maxParkPeriod);
        }
        if (maxParkPeriod.compareTo(MAX_PARK_PERIOD_LIMIT) > 0) {
            throw new IllegalArgumentException("backoff maxParkPeriod must be <= " + MAX_PARK_PERIOD_LIMIT
                    + ", was " + maxParkPeriod);
        }
        return new IdleStrategy(Kind.BACKOFF, maxSpins, maxYields, minParkPeriod, maxParkPeriod);
    }

    /** {@return a backoff strategy with defaults: 100 spins, 10 yields, parking from 1 microsecond up to 1 millisecond} */
    public static IdleStrategy backoff() {
        return backoff(100, 10, Duration.ofNanos(1_000), Duration.ofMillis(1));
    }

    /** {@return the kind} */
    public Kind kind() {
        return kind;
    }

    /** {@return non-blocking polls before yielding (backoff only, else 0)} */
    public int maxSpins() {
        return maxSpins;
    }

    /** {@return yielding polls before parking (backoff only, else 0)} */
    public int maxYields() {
        return maxYields;
    }

    /** {@return the first park timeout (backoff only, else zero)} */
    public Duration minParkPeriod() {
        return minParkPeriod;
    }

    /** {@return the largest park timeout (backoff only, else zero)} */
    public Duration maxParkPeriod() {
        return maxParkPeriod;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdleStrategy s && kind == s.kind && maxSpins == s.maxSpins && maxYields == s.maxYields
                && minParkPeriod.equals(s.minParkPeriod) && maxParkPeriod.equals(s.maxParkPeriod);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, maxSpins, maxYields, minParkPeriod, maxParkPeriod);
    }

    @Override
    public String toString() {
        return kind == Kind.BACKOFF ? "BACKOFF[spins=" + maxSpins + ", yields=" + maxYields + ", park="
                + minParkPeriod + ".." + maxParkPeriod + "]" : kind.name();
    }
}
