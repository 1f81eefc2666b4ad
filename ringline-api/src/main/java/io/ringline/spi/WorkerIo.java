package io.ringline.spi;

import io.ringline.Connection;
import io.ringline.MemoryRegion;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * The I/O driver of one worker, created by {@link Backend#openWorker}. Every method except
 * {@link #wakeup()} is called on the worker's own thread by the core's loop.
 */
public interface WorkerIo {

    /**
     * Waits for I/O readiness or completions and reports them to the connections' cores. Returns
     * early when {@link #wakeup()} is called.
     *
     * @param timeoutNanos 0: do not block; negative: block until an event or a wakeup; else the most to block
     * @throws IOException on a fatal error of the driver (the worker then terminates)
     */
    void poll(long timeoutNanos) throws IOException;

    /** Makes a blocked or the next {@link #poll} return promptly. Called from any thread; never blocks. */
    void wakeup();

    /**
     * Starts serving a socket this backend's listener accepted: set it up, create its core with
     * {@link WorkerServices#newConnection}, {@link ConnectionCore#open() open} it, then start
     * receiving. On failure the driver closes the socket itself and returns (or throws; the core
     * then logs it). The driver must call {@link WorkerServices#newConnection} (with a null
     * {@code connect}) inside this call, on this thread: that is how the core learns which
     * listener, and so which TLS configuration, the socket came from.
     *
     * @param socket the socket, as this backend's listener created it
     */
    void adopt(AcceptedSocket socket);

    /**
     * Starts a non-blocking connect; completes {@code result} (on this thread) with the opened
     * connection ({@link ConnectionCore#connection()}), or fails it. The returned action, when run
     * before completion, aborts the attempt and releases the socket (the core runs it on timeout
     * or shutdown). The driver passes {@code result} to
     * {@link WorkerServices#newConnection(Transport, SocketAddress, SocketAddress, CompletableFuture)}
     * for the connected socket (the core finds the connect's TLS configuration by it).
     *
     * @param remote the address
     * @param result completed with the connection or failed
     * @return an action that aborts the attempt
     */
    Runnable connect(SocketAddress remote, CompletableFuture<Connection> result);

    /**
     * Opens a UDP socket: binds it to {@code local} (with {@code SO_REUSEPORT} when {@code reusePort}),
     * connects it to {@code remote} when non-null, and returns its transport without receiving yet:
     * the core calls {@link UdpTransport#startReceiving()} once it is ready for
     * {@link UdpCore#received}. Datagrams larger than {@code config().maxDatagramSize()} are
     * reported truncated. Only for a backend with {@link Capability#UDP}.
     *
     * @param core      the socket's core, which the driver reports to
     * @param local     the address to bind (port 0: a free port)
     * @param remote    the peer to connect to, or null for an unconnected socket
     * @param reusePort whether to set {@code SO_REUSEPORT} before binding (one socket per worker)
     * @return the socket's transport
     * @throws IOException if the socket cannot be created, bound or connected (the message names the address)
     * @throws UnsupportedOperationException if this backend has no UDP
     */
    default UdpTransport openUdp(UdpCore core, java.net.InetSocketAddress local, java.net.InetSocketAddress remote,
                                 boolean reusePort) throws IOException {
        throw new UnsupportedOperationException("backend driver " + getClass().getName() + " has no UDP");
    }

    /**
     * Installs {@code region} in {@code slot} of this worker's backend table (io_uring: the kernel's
     * registered-buffer table of this worker's ring). A backend without such a table does nothing:
     * the core's region table already serves region sends from the region's memory.
     *
     * @param slot   the slot
     * @param region the region
     * @throws IOException if the backend refused (for example the locked-memory limit)
     */
    void installRegion(int slot, MemoryRegion region) throws IOException;

    /**
     * Removes the region in {@code slot}. Called only when no queued or in-flight send references
     * it any more (the core waits for every {@link OutboundQueue#release()}).
     *
     * @param slot the slot
     * @throws IOException if the backend failed to remove it
     */
    void removeRegion(int slot) throws IOException;

    /**
     * {@return the most bytes this driver may still report with {@link ConnectionCore#received}
     * after {@link Transport#readingPausedChanged readingPausedChanged(true)}} for one connection
     * (receives already completed when the pause took effect). The core keeps them beyond
     * {@link io.ringline.Config#inboundLimit()} by at most this much. 0 if it stops at once.
     */
    long bytesReceivedAfterPause();

    /** Releases the driver's resources; called last, on the worker's thread, after every connection closed. */
    void close();
}
