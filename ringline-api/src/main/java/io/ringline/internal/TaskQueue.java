package io.ringline.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The task queue of one worker: any thread adds, the worker polls. Tasks from
 * {@link io.ringline.WorkerContext#execute} ("user tasks") count against
 * {@link io.ringline.Config#taskQueueLimit()}; the runtime's own tasks ({@link Internal}) do not,
 * so a full user queue can never stall accepting, the region control plane or completions.
 *
 * <p>Every internal producer is bounded by something other than this queue:
 * <ul>
 *   <li>accepted-socket hand-offs: at most {@link io.ringline.Config#acceptHandoffLimit()} per worker;</li>
 *   <li>region control messages: at most one (plus one rollback) per worker and region operation in
 *       flight, and an operation holds its slot, so at most {@code 2 * maxRegions};</li>
 *   <li>the start of a shutdown: once per runtime;</li>
 *   <li>completions of {@code runBlocking}: one per accepted blocking task, which
 *       {@link io.ringline.Config#blockingQueueLimit()} and the pool size bound;</li>
 *   <li>completions of {@code timeout} and of region operations started on this worker, and the
 *       presentation task of {@code Connection.resumeReading}: each one is created by the worker's
 *       own code on its own thread, one per call, so the worker cannot outrun itself with them.</li>
 * </ul>
 *
 * <p>Thread-safe and lock-free: adding is one counter increment plus the queue's CAS.
 */
final class TaskQueue {

    /**
     * A task of the runtime itself, never counted against the user limit. Package-private, so no
     * user object can pass for one.
     */
    @FunctionalInterface
    interface Internal extends Runnable {
    }

    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    /** User tasks queued and not yet polled. */
    private final AtomicInteger userTasks = new AtomicInteger();
    private final int userLimit;

    /** @param userLimit most user tasks waiting at once */
    TaskQueue(int userLimit) {
        this.userLimit = userLimit;
    }

    /**
     * Adds a user task unless {@code userLimit} of them are already waiting.
     *
     * @return false if the queue is full (nothing was added)
     */
    boolean offerUser(Runnable task) {
        if (userTasks.incrementAndGet() > userLimit) {
            userTasks.decrementAndGet();
            return false;
        }
        queue.add(task);
        return true;
    }

    /** Adds a task of the runtime; never refused. */
    void addInternal(Internal task) {
        queue.add(task);
    }

    /** {@return the next task, or null if empty} Called by the worker only. */
    Runnable poll() {
        Runnable r = queue.poll();
        if (r != null && !(r instanceof Internal)) {
            userTasks.decrementAndGet();
        }
        return r;
    }

    /** {@return whether no task is waiting} */
    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Removes {@code task} if it is still queued (linear; for the rare termination race). */
    boolean remove(Runnable task) {
        if (!queue.remove(task)) {
            return false;
        }
        if (!(task instanceof Internal)) {
            userTasks.decrementAndGet();
        }
        return true;
    }

    /** {@return the user limit} */
    int userLimit() {
        return userLimit;
    }
}
