package io.ringline.internal;

import io.ringline.Config;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The runtime's pool behind {@link io.ringline.WorkerContext#runBlocking}: at most
 * {@link Config#blockingPoolSize()} daemon threads (idle ones time out), and at most
 * {@link Config#blockingQueueLimit()} user tasks waiting for a thread. Past that bound
 * {@link #submit} refuses at once instead of blocking the worker that called it.
 *
 * <p>The runtime's own tasks ({@link #executeInternal}: completing region operations for callers
 * that are not workers, one per operation) do not count against the bound.
 *
 * <p>Thread-safe.
 */
final class BlockingPool {

    private final ThreadPoolExecutor pool;
    /** User tasks submitted and not yet started on a pool thread. */
    private final AtomicInteger waiting = new AtomicInteger();
    private final int limit;
    private final int threads;

    BlockingPool(int runtimeId, Config config) {
        this.limit = config.blockingQueueLimit();
        this.threads = config.blockingPoolSize();
        AtomicInteger ids = new AtomicInteger();
        // The executor's own queue is unbounded: the user bound is `waiting`, so internal tasks always fit.
        this.pool = new ThreadPoolExecutor(threads, threads, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "ringline-" + runtimeId + "-blocking-" + ids.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        this.pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Runs a user task on a pool thread. Never blocks.
     *
     * @throws RejectedExecutionException if {@link Config#blockingQueueLimit()} tasks are waiting
     *                                    already (the message names the limit), or after {@link #shutdown()}
     */
    void submit(Runnable task) {
        if (waiting.incrementAndGet() > limit) {
            waiting.decrementAndGet();
            throw new RejectedExecutionException("ringline blocking pool is full: " + limit
                    + " runBlocking tasks are waiting for one of its " + threads + " threads already (Config.blockingQueueLimit = "
                    + limit + "; raise it with Config.Builder.blockingQueueLimit, or blockingPoolSize)");
        }
        try {
            pool.execute(() -> {
                waiting.decrementAndGet();
                task.run();
            });
        } catch (RejectedExecutionException e) {
            waiting.decrementAndGet();
            throw e;
        }
    }

    /**
     * Runs a task of the runtime itself; not counted against the bound.
     *
     * @throws RejectedExecutionException only after {@link #shutdown()}
     */
    void executeInternal(Runnable task) {
        pool.execute(task);
    }

    /** {@return whether {@link #shutdown()} was called} */
    boolean isShutdown() {
        return pool.isShutdown();
    }

    /** Lets queued tasks finish and refuses new ones. */
    void shutdown() {
        pool.shutdown();
    }

    /**
     * Waits for queued and running tasks after {@link #shutdown()}.
     *
     * @return true if every task finished in time
     */
    boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return pool.awaitTermination(timeout, unit);
    }
}
