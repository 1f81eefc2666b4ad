package io.ringline.spi;

/**
 * A socket a backend's {@link Listener} accepted, on its way to a worker's {@link WorkerIo#adopt}.
 * Each backend has its own implementation (its adopt casts to it); the core only moves it and
 * closes it when it cannot be served. {@link #close()} may be called from any thread, once.
 */
public interface AcceptedSocket extends AutoCloseable {

    /** Closes the socket without serving it (the runtime is full or shutting down). Never throws. */
    @Override
    void close();
}
