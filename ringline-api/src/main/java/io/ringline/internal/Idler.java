package io.ringline.internal;

import io.ringline.IdleStrategy;

import java.io.IOException;

/**
 * One worker's instance of an {@link IdleStrategy}: after each pass of the loop it decides how to
 * poll the backend, given how much work the pass did. Stateful; worker thread only.
 */
abstract class Idler {

    /** What an idler polls: the worker loop. */
    interface Poller {
        /**
         * Polls the backend; with a timeout other than 0 the worker may be woken by a task.
         *
         * @param timeoutNanos 0: do not block; negative: until an event, a timer or a task; else the most to wait
         * @return whether the poll did work (I/O moved, connections opened or closed)
         */
        boolean poll(long timeoutNanos) throws IOException;

        /** {@return nanos until the next timer is due (0 if due, or a task is queued), or -1 if none} */
        long nanosUntilDue();
    }

    /**
     * Polls after one pass of the loop.
     *
     * @param workCount what the pass did (tasks, timers, flushes); 0 if nothing
     */
    abstract void idle(int workCount, Poller poller) throws IOException;

    /** {@return a fresh idler for {@code strategy}} */
    static Idler of(IdleStrategy strategy) {
        return switch (strategy.kind()) {
            case BLOCKING -> new Blocking();
            case BUSY_SPIN -> new BusySpin();
            case BACKOFF -> new Backoff(strategy.maxSpins(), strategy.maxYields(),
                    strategy.minParkPeriod().toNanos(), strategy.maxParkPeriod().toNanos());
        };
    }

    /** Blocks in poll until an event, the next timer or a task. */
    static final class Blocking extends Idler {
        @Override
        void idle(int workCount, Poller poller) throws IOException {
            poller.poll(poller.nanosUntilDue());
        }
    }

    /** Never blocks. */
    static final class BusySpin extends Idler {
        @Override
        void idle(int workCount, Poller poller) throws IOException {
            poller.poll(0);
            Thread.onSpinWait();
        }
    }

    /** Spins, then yields, then polls with a timeout doubling from the minimum to the maximum park period. */
    static final class Backoff extends Idler {
        enum State { SPINNING, YIELDING, PARKING }

        private final int maxSpins;
        private final int maxYields;
        private final long minParkNanos;
        private final long maxParkNanos;
        private State state = State.SPINNING;
        private int spins;
        private int yields;
        private long parkNanos;

        Backoff(int maxSpins, int maxYields, long minParkNanos, long maxParkNanos) {
            this.maxSpins = maxSpins;
            this.maxYields = maxYields;
            this.minParkNanos = minParkNanos;
            this.maxParkNanos = maxParkNanos;
        }

        @Override
        void idle(int workCount, Poller poller) throws IOException {
            if (workCount > 0) {
                reset();
            }
            boolean worked;
            switch (state) {
                case SPINNING -> {
                    worked = poller.poll(0);
                    Thread.onSpinWait();
                    if (++spins > maxSpins) {
                        state = State.YIELDING;
                    }
                }
                case YIELDING -> {
                    worked = poller.poll(0);
                    Thread.yield();
                    if (++yields > maxYields) {
                        state = State.PARKING;
                        parkNanos = minParkNanos;
                    }
                }
                default -> {
                    long due = poller.nanosUntilDue();
                    worked = poller.poll(due < 0 ? parkNanos : Math.min(due, parkNanos));
                    parkNanos = Math.min(parkNanos * 2, maxParkNanos);
                }
            }
            if (worked) {
                reset();
            }
        }

        private void reset() {
            state = State.SPINNING;
            spins = 0;
            yields = 0;
        }

        /** {@return the current state (for tests)} */
        State state() {
            return state;
        }

        /** {@return the timeout of the next park (for tests)} */
        long parkNanos() {
            return parkNanos;
        }
    }
}
