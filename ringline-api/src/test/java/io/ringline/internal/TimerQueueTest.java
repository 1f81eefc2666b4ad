package io.ringline.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimerQueueTest {

    @Test
    void runsByDeadlineThenFifo() {
        TimerQueue q = new TimerQueue();
        List<String> ran = new ArrayList<>();
        q.schedule(200, () -> ran.add("c"));
        q.schedule(100, () -> ran.add("a"));
        q.schedule(100, () -> ran.add("b"));
        assertEquals(100, q.nanosUntilNext(0));
        assertNull(q.pollDue(99));
        TimerQueue.Timer t;
        while ((t = q.pollDue(1000)) != null) {
            t.run();
        }
        assertEquals(List.of("a", "b", "c"), ran);
        assertEquals(-1, q.nanosUntilNext(1000));
    }

    @Test
    void cancelledTimersNeverRun() {
        TimerQueue q = new TimerQueue();
        List<Integer> ran = new ArrayList<>();
        List<TimerQueue.Timer> timers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int k = i;
            timers.add(q.schedule(i, () -> ran.add(k)));
        }
        for (int i = 0; i < 200; i += 2) {
            assertTrue(timers.get(i).cancel());
            assertFalse(timers.get(i).cancel());
        }
        TimerQueue.Timer t;
        while ((t = q.pollDue(1000)) != null) {
            t.run();
        }
        assertEquals(100, ran.size());
        assertTrue(ran.stream().allMatch(i -> i % 2 == 1));
        assertFalse(timers.get(1).cancel(), "already ran");
        assertTrue(timers.get(1).isDone());
    }
}
