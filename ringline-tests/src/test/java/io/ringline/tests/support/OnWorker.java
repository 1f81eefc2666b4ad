package io.ringline.tests.support;

import io.ringline.WorkerContext;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs code on a worker thread (through {@link WorkerContext#execute}) and waits for its result. */
public final class OnWorker {

    /** Code that may throw anything. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    private OnWorker() {
    }

    /**
     * Runs {@code task} on {@code worker}'s thread and returns its result; an exception thrown by
     * the task is rethrown here unchanged (unchecked ones) or wrapped in an {@link AssertionError}.
     */
    public static <T> T call(WorkerContext worker, Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        worker.execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return Stages.await(f);
    }

    /** Runs {@code action} on {@code worker}'s thread and waits for it; see {@link #call}. */
    public static void run(WorkerContext worker, Action action) {
        call(worker, () -> {
            action.run();
            return null;
        });
    }

    /** Stage helpers with deadlines. */
    public static final class Stages {
        private Stages() {
        }

        /** Waits for the stage ({@link Await#LONG} at most) and returns its value, rethrowing its failure. */
        public static <T> T await(CompletionStage<T> stage) {
            try {
                return stage.toCompletableFuture().get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
                    c = c.getCause();
                }
                if (c instanceof RuntimeException re) {
                    throw re;
                }
                if (c instanceof Error err) {
                    throw err;
                }
                throw new AssertionError("stage failed with " + c, c);
            } catch (TimeoutException e) {
                throw new AssertionError("stage did not complete within " + Await.LONG, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        /** Waits for the stage to fail and returns the failure (unwrapped); fails if it completes normally. */
        public static Throwable failure(CompletionStage<?> stage) {
            try {
                Object v = stage.toCompletableFuture().get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);
                throw new AssertionError("expected the stage to fail, but it completed with " + v);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
                    c = c.getCause();
                }
                return c;
            } catch (TimeoutException e) {
                throw new AssertionError("stage did not complete within " + Await.LONG, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
