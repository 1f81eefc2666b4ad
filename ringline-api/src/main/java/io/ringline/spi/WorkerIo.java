package io.ringline.spi;

import io.ringline.Connection;
import io.ringline.MemoryRegion;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * The I/O driver of one worker. Every method except {@link #wakeup()} is called on the worker's
 * own thread by {@link io.ringline.internal.Worker}.
 */
public interface WorkerIo {

    /**
     * Waits for I/O readiness or completions and dispatches them to the connections (which call the
     * handler). Returns early when {@link #wakeup()} is called.
     *
     * @param timeoutNanos 0: do not block; negative: block until an event or a wakeup; else the most to block
     * @throws IOException on a fatal error of the driver (the worker then terminates)
     */
    void poll(long timeoutNanos) throws IOException;

    /** Makes a blocked or the next {@link #poll} return promptly. Called from any thread. */
    void wakeup();

    /**
     * Starts serving a socket accepted by this backend's listener: create the connection,
     * register it with {@link io.ringline.internal.Worker#register}, then start receiving.
     * On failure the backend closes the socket itself.
     *
     * @param acceptedSocket the object the listener gave to the dispatcher
     */
    void adopt(Object acceptedSocket);

    /**
     * Starts a non-blocking connect; completes {@code result} (on this thread) with the registered,
     * opened connection, or fails it. The returned action, when run before completion, aborts the
     * attempt and releases the socket (the core runs it on timeout or shutdown).
     *
     * @param remote the address
     * @param result completed with the connection or failed
     * @return an action that aborts the attempt
     */
    Runnable connect(SocketAddress remote, CompletableFuture<Connection> result);

    /**
     * Installs {@code region} in {@code slot} of this worker's backend table (io_uring: the kernel's
     * registered-buffer table of this worker's ring).
     *
     * @param slot   the slot
     * @param region the region
     * @throws IOException if the backend refused (for example the locked-memory limit)
     */
    void installRegion(int slot, MemoryRegion region) throws IOException;

    /**
     * Removes the region in {@code slot}. Called only when no in-flight send references it.
     *
     * @param slot the slot
     * @throws IOException if the backend failed to remove it
     */
    void removeRegion(int slot) throws IOException;

    /** Releases the driver's resources; called last, on the worker's thread, after every connection closed. */
    void close();
}
