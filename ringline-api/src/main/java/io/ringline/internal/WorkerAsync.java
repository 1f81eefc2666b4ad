package io.ringline.internal;

import io.ringline.TimerHandle;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The asynchronous utilities of {@link io.ringline.WorkerContext} that complete on the worker:
 * {@code timeout} and {@code runBlocking}. Each completion from another thread goes back to the
 * worker as one internal task, bounded by the caller's own calls.
 */
final class WorkerAsync {

    private WorkerAsync() {
    }

    /** {@return {@code d} in nanoseconds (saturated far in the future)} @throws IllegalArgumentException if negative */
    static long checkDelay(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + d);
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    /** See {@link io.ringline.WorkerContext#timeout}; on the worker thread. */
    static <T> CompletionStage<T> timeout(Worker worker, CompletionStage<T> stage, Duration timeout) {
        checkDelay("timeout", timeout);
        CompletableFuture<T> result = new CompletableFuture<>();
        TimerHandle timer = worker.schedule(timeout, () -> result.completeExceptionally(
                new TimeoutException("timed out after " + timeout)));
        stage.whenComplete((v, t) -> {
            TaskQueue.Internal complete = () -> {
                timer.cancel();
                if (t == null) {
                    result.complete(v);
                } else {
                    result.completeExceptionally(t);
                }
            };
            if (worker.inWorkerThread()) {
                complete.run();
            } else {
                try {
                    worker.executeInternal(complete); // one per timeout() call of this worker: bounded by its own calls
                } catch (RejectedExecutionException e) {
                    result.completeExceptionally(e);
                }
            }
        });
        return result;
    }

    /** See {@link io.ringline.WorkerContext#runBlocking}; on the worker thread. */
    static <T> CompletionStage<T> runBlocking(Worker worker, BlockingPool pool, Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            pool.submit(() -> {
                T value = null;
                Throwable error = null;
                try {
                    value = task.call();
                } catch (Throwable t) {
                    error = t;
                }
                T v = value;
                Throwable e = error;
                // One per accepted blocking task: bounded by Config.blockingQueueLimit plus the pool size.
                TaskQueue.Internal complete = () -> {
                    if (e == null) {
                        result.complete(v);
                    } else {
                        result.completeExceptionally(e);
                    }
                };
                try {
                    worker.executeInternal(complete);
                } catch (RejectedExecutionException gone) {
                    complete.run(); // the worker is gone: complete here rather than never
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(pool.isShutdown()
                    ? new IllegalStateException("runtime is shut down: blocking pool closed", e) : e);
        }
        return result;
    }
}
