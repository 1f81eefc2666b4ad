package io.ringline.internal;

import io.ringline.IdleStrategy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What each idle strategy asks of the poll, pass after pass. */
class IdlerTest {

    /** Records the timeouts polled with; reports work on the polls the test chooses. */
    static final class Recorder implements Idler.Poller {
        final List<Long> timeouts = new ArrayList<>();
        long due = -1;
        boolean workOnNextPoll;

        @Override
        public boolean poll(long timeoutNanos) {
            timeouts.add(timeoutNanos);
            boolean w = workOnNextPoll;
            workOnNextPoll = false;
            return w;
        }

        @Override
        public long nanosUntilDue() {
            return due;
        }
    }

    @Test
    void blockingWaitsUntilTheNextTimerOrForEver() throws Exception {
        Idler idler = Idler.of(IdleStrategy.BLOCKING);
        Recorder p = new Recorder();
        idler.idle(0, p);
        p.due = 5_000;
        idler.idle(3, p);
        p.due = 0;
        idler.idle(0, p);
        assertEquals(List.of(-1L, 5_000L, 0L), p.timeouts);
    }

    @Test
    void busySpinNeverBlocks() throws Exception {
        Idler idler = Idler.of(IdleStrategy.BUSY_SPIN);
        Recorder p = new Recorder();
        for (int i = 0; i < 5; i++) {
            idler.idle(0, p);
        }
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L), p.timeouts);
    }

    @Test
    void backoffSpinsThenYieldsThenParksWithADoublingTimeoutUpToTheMaximum() throws Exception {
        Idler.Backoff idler = (Idler.Backoff) Idler.of(IdleStrategy.backoff(2, 1, Duration.ofNanos(100), Duration.ofNanos(350)));
        Recorder p = new Recorder();
        for (int i = 0; i < 9; i++) {
            idler.idle(0, p);
        }
        // 3 spins (the third moves on), 2 yields (the second moves on), then parks: 100, 200, 350, 350
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L, 100L, 200L, 350L, 350L), p.timeouts);
        assertEquals(Idler.Backoff.State.PARKING, idler.state());
    }

    @Test
    void backoffParksNoLongerThanTheNextTimer() throws Exception {
        Idler.Backoff idler = (Idler.Backoff) Idler.of(IdleStrategy.backoff(0, 0, Duration.ofNanos(1_000), Duration.ofNanos(1_000)));
        Recorder p = new Recorder();
        idler.idle(0, p); // spin
        idler.idle(0, p); // yield
        p.due = 300;
        idler.idle(0, p);
        assertEquals(300L, p.timeouts.getLast());
    }

    @Test
    void workResetsTheBackoffWhetherThePassOrThePollDidIt() throws Exception {
        Idler.Backoff idler = (Idler.Backoff) Idler.of(IdleStrategy.backoff(0, 0, Duration.ofNanos(100), Duration.ofNanos(800)));
        Recorder p = new Recorder();
        for (int i = 0; i < 4; i++) {
            idler.idle(0, p);
        }
        assertEquals(Idler.Backoff.State.PARKING, idler.state());
        idler.idle(1, p); // the loop pass did work: spin again
        assertEquals(0L, p.timeouts.getLast());
        for (int i = 0; i < 3; i++) {
            idler.idle(0, p);
        }
        assertEquals(Idler.Backoff.State.PARKING, idler.state());
        p.workOnNextPoll = true;
        idler.idle(0, p); // a park that found I/O
        assertEquals(Idler.Backoff.State.SPINNING, idler.state());
        idler.idle(0, p);
        idler.idle(0, p);
        idler.idle(0, p);
        assertEquals(100L, p.timeouts.getLast(), "the park period starts over from the minimum");
    }
}
