package io.ringline;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdleStrategyTest {

    private static void rejected(String expected, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void blockingIsTheDefault() {
        assertEquals(IdleStrategy.BLOCKING, Config.builder().build().idleStrategy());
        assertEquals(IdleStrategy.BUSY_SPIN, Config.builder().idleStrategy(IdleStrategy.BUSY_SPIN).build().idleStrategy());
        assertThrows(NullPointerException.class, () -> Config.builder().idleStrategy(null));
    }

    @Test
    void backoffParametersAreKept() {
        IdleStrategy s = IdleStrategy.backoff(5, 6, Duration.ofNanos(7), Duration.ofMillis(8));
        assertEquals(IdleStrategy.Kind.BACKOFF, s.kind());
        assertEquals(5, s.maxSpins());
        assertEquals(6, s.maxYields());
        assertEquals(Duration.ofNanos(7), s.minParkPeriod());
        assertEquals(Duration.ofMillis(8), s.maxParkPeriod());
        assertEquals(s, IdleStrategy.backoff(5, 6, Duration.ofNanos(7), Duration.ofMillis(8)));
        assertEquals(IdleStrategy.Kind.BACKOFF, IdleStrategy.backoff().kind());
    }

    @Test
    void backoffParametersAreValidatedWithMessagesNamingTheValueAndTheLimit() {
        Duration us = Duration.ofNanos(1_000);
        rejected("maxSpins must be >= 0, was -1", () -> IdleStrategy.backoff(-1, 0, us, us));
        rejected("maxYields must be >= 0, was -2", () -> IdleStrategy.backoff(0, -2, us, us));
        rejected("minParkPeriod must be > 0, was PT0S", () -> IdleStrategy.backoff(0, 0, Duration.ZERO, us));
        rejected("minParkPeriod must be > 0, was PT-1S", () -> IdleStrategy.backoff(0, 0, Duration.ofSeconds(-1), us));
        rejected("maxParkPeriod must be >= minParkPeriod PT0.000001S, was PT0.0000005S",
                () -> IdleStrategy.backoff(0, 0, us, Duration.ofNanos(500)));
        rejected("maxParkPeriod must be <= PT1S, was PT2S", () -> IdleStrategy.backoff(0, 0, us, Duration.ofSeconds(2)));
        assertThrows(NullPointerException.class, () -> IdleStrategy.backoff(0, 0, null, us));
        assertThrows(NullPointerException.class, () -> IdleStrategy.backoff(0, 0, us, null));
    }
}
