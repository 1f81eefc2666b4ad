package io.ringline;

/**
 * Creates one {@link Handler} per worker. Called once for each worker, on that worker's thread,
 * before the worker serves any connection.
 */
@FunctionalInterface
public interface HandlerFactory {
    /**
     * Creates the handler of one worker.
     *
     * @param worker the worker the handler will serve; {@link WorkerContext#workerId()} is its index
     * @return the handler of that worker, never null
     */
    Handler create(WorkerContext worker);
}
