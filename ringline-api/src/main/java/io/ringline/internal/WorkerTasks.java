package io.ringline.internal;

import io.ringline.spi.WorkerIo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The tasks queued for one worker from any thread: user tasks bounded by
 * {@code Config.taskQueueLimit}, internal ones never refused for a full queue (see
 * {@link TaskQueue}). Queuing a task wakes the worker if it may be blocked in its poll (the loop
 * {@linkplain #armWakeup() arms} the wake-up before blocking). Once {@linkplain #terminate()
 * terminated} every queuing is refused.
 *
 * <p>Thread-safe, except {@link #runBatch}, {@link #poll()} and the arming, which run on the worker.
 */
final class WorkerTasks {

    private static final Logger log = LoggerFactory.getLogger(WorkerTasks.class);
    /** Tasks per loop pass at most, so that a flood of tasks cannot starve I/O. */
    static final int BATCH = 1024;

    private final int workerId;
    private final TaskQueue queue;
    private final Supplier<WorkerIo> io;
    /** True while the worker may block in {@link WorkerIo#poll}: only then does queuing wake it. */
    private final AtomicBoolean wakeupArmed = new AtomicBoolean();
    private volatile boolean terminated;

    WorkerTasks(int workerId, int userLimit, Supplier<WorkerIo> io) {
        this.workerId = workerId;
        this.queue = new TaskQueue(userLimit);
        this.io = io;
    }

    /**
     * Queues a user task.
     *
     * @throws RejectedExecutionException if the user queue is full or the worker terminated
     */
    void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        rejectIfTerminated();
        if (!queue.offerUser(task)) {
            throw new RejectedExecutionException("ringline worker " + workerId + ": task queue is full, "
                    + queue.userLimit() + " tasks are waiting already (Config.taskQueueLimit = " + queue.userLimit()
                    + "; raise it with Config.Builder.taskQueueLimit or let the worker catch up)");
        }
        enqueued(task);
    }

    /**
     * Queues a task of the runtime itself.
     *
     * @throws RejectedExecutionException only if the worker terminated
     */
    void executeInternal(TaskQueue.Internal task) {
        rejectIfTerminated();
        queue.addInternal(task);
        enqueued(task);
    }

    private void rejectIfTerminated() {
        if (terminated) {
            throw new RejectedExecutionException("ringline worker " + workerId + " has terminated");
        }
    }

    /** Undoes an add that raced with termination, else wakes the worker if it may be blocked in poll. */
    private void enqueued(Runnable task) {
        if (terminated && queue.remove(task)) {
            throw new RejectedExecutionException("ringline worker " + workerId + " has terminated");
        }
        if (wakeupArmed.get() && wakeupArmed.compareAndSet(true, false)) {
            WorkerIo driver = io.get();
            if (driver != null) {
                driver.wakeup();
            }
        }
    }

    /** {@return how many tasks ran} Runs up to {@value #BATCH} queued tasks; a failing task is logged. */
    int runBatch() {
        int n = 0;
        for (; n < BATCH; n++) {
            Runnable r = queue.poll();
            if (r == null) {
                break;
            }
            try {
                r.run();
            } catch (Throwable e) {
                Throwables.rethrowIfFatal(e);
                log.warn("ringline worker {}: task {} failed", workerId, r, e);
            }
        }
        return n;
    }

    /** {@return whether no task is queued} */
    boolean isEmpty() {
        return queue.isEmpty();
    }

    /**
     * After {@link #terminate()}: takes every task left; those {@code handled} (aborted or
     * rejected by their owner) are dropped, the others run.
     */
    void drainAtTermination(java.util.function.Predicate<Runnable> handled) {
        Runnable r;
        while ((r = queue.poll()) != null) {
            if (handled.test(r)) {
                continue;
            }
            try {
                r.run();
            } catch (Throwable e) {
                Throwables.rethrowIfFatal(e);
                log.warn("ringline worker {}: task {} failed during termination", workerId, r, e);
            }
        }
    }

    /** From now on a queued task wakes the worker (it is about to block). */
    void armWakeup() {
        wakeupArmed.set(true);
    }

    /** The worker is awake again. */
    void disarmWakeup() {
        wakeupArmed.set(false);
    }

    /** Refuses every later task. */
    void terminate() {
        terminated = true;
    }

    /** {@return whether the worker terminated} */
    boolean isTerminated() {
        return terminated;
    }
}
