package io.ringline;

/**
 * A timer scheduled with {@link WorkerContext#schedule(java.time.Duration, Runnable)}.
 *
 * <p>Threading: call only on the worker thread that scheduled it.
 */
public interface TimerHandle {
    /**
     * Cancels the timer. Has no effect when the timer already ran or was cancelled.
     *
     * @return true if this call prevented the task from running
     */
    boolean cancel();

    /** {@return whether the timer was cancelled before it ran} */
    boolean isCancelled();

    /** {@return whether the timer has run or was cancelled} */
    boolean isDone();
}
