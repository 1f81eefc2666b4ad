package io.ringline.internal;

import io.ringline.TimerHandle;

import java.util.PriorityQueue;

/**
 * The timers of one worker: a binary heap ordered by deadline, then by scheduling order, so timers
 * with equal deadlines run first-in first-out. Used only on the worker thread.
 */
final class TimerQueue {

    private final PriorityQueue<Timer> heap = new PriorityQueue<>();
    private long sequence;
    private int cancelled;

    /** Schedules {@code task} at {@code deadlineNanos} ({@link System#nanoTime()} scale). */
    Timer schedule(long deadlineNanos, Runnable task) {
        Timer t = new Timer(this, deadlineNanos, sequence++, task);
        heap.add(t);
        return t;
    }

    /** {@return nanos until the next deadline (0 if due), or -1 when there is no timer} */
    long nanosUntilNext(long now) {
        Timer next = heap.peek();
        return next == null ? -1 : Math.max(0, next.deadline - now);
    }

    /** {@return the next due timer (removed), or null} */
    Timer pollDue(long now) {
        Timer next = heap.peek();
        if (next == null || next.deadline - now > 0) {
            return null;
        }
        heap.poll();
        return next;
    }

    /** {@return the number of pending timers} */
    int size() {
        return heap.size();
    }

    private void onCancel(Timer t) {
        // Remove eagerly when the heap is small; otherwise purge in bulk to keep cancel O(1) amortised.
        if (heap.size() < 64) {
            heap.remove(t);
        } else if (++cancelled > heap.size() / 2) {
            heap.removeIf(x -> x.cancelled);
            cancelled = 0;
        }
    }

    /** A scheduled timer. */
    static final class Timer implements TimerHandle, Comparable<Timer> {
        private final TimerQueue queue;
        private final long deadline;
        private final long seq;
        private Runnable task;
        private boolean cancelled;
        private boolean ran;

        private Timer(TimerQueue queue, long deadline, long seq, Runnable task) {
            this.queue = queue;
            this.deadline = deadline;
            this.seq = seq;
            this.task = task;
        }

        /** Runs the task unless cancelled. */
        void run() {
            if (cancelled || ran) {
                return;
            }
            ran = true;
            Runnable r = task;
            task = null;
            r.run();
        }

        @Override
        public boolean cancel() {
            if (cancelled || ran) {
                return false;
            }
            cancelled = true;
            task = null;
            queue.onCancel(this);
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return cancelled || ran;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(deadline - o.deadline, 0);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
