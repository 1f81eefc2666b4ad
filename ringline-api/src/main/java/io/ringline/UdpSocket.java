package io.ringline;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * One UDP socket, owned by one worker for its whole life: a socket of {@link Config#udpBindings()}
 * or one opened with {@link WorkerContext#openUdp}.
 *
 * <p><b>Threading:</b> {@link #localAddress()}, {@link #remoteAddress()}, {@link #workerId()} and
 * {@link #isOpen()} may be called from any thread; every other method only on the socket's worker
 * thread ({@link IllegalStateException} otherwise).
 *
 * <p><b>Sends</b> never block the worker. Each send queues whole datagrams in the socket's bounded
 * send queue ({@link Config#udpSendQueueLimit()} bytes); when it would exceed the limit,
 * {@code send…} throws {@link SendQueueFullException} and {@code trySend…} returns false, queuing
 * nothing, and either way the refused datagrams are counted in
 * {@link WorkerStats#datagramSendsRefused()}. After a refusal {@link DatagramHandler#onUdpWritable}
 * fires once the queue drained to half the limit. Datagrams are handed to the kernel in the order
 * they were queued (UDP itself promises no order; on io_uring, a datagram that met a full socket
 * send buffer is retried when it drains, and datagrams queued after it may leave first).
 * A datagram larger than {@link #MAX_IPV4_PAYLOAD} (to an IPv4 address) or
 * {@link #MAX_IPV6_PAYLOAD} (IPv6) is refused with {@link IllegalArgumentException} naming its
 * size and the limit. A datagram the kernel refuses later is reported to
 * {@link DatagramHandler#onUdpSendFailed}.
 *
 * <p>On a connected socket ({@link #remoteAddress()} present) {@code target} must be the connected
 * peer, or use the target-less {@link #send}/{@link #trySend}.
 */
public interface UdpSocket {

    /** Largest UDP payload to an IPv4 address: 65,535 - 20 (IP header) - 8 (UDP header). */
    int MAX_IPV4_PAYLOAD = 65_507;
    /** Largest UDP payload to an IPv6 address (no jumbograms): 65,535 - 8 (UDP header). */
    int MAX_IPV6_PAYLOAD = 65_527;

    /** {@return the bound local address (with the real port when bound to port 0)} */
    InetSocketAddress localAddress();

    /** {@return the connected peer, if opened connected} */
    Optional<InetSocketAddress> remoteAddress();

    /** {@return the owning worker's index} */
    int workerId();

    /** {@return whether the socket is still open} */
    boolean isOpen();

    /**
     * Queues a copy of {@code datagram}'s remaining bytes as one datagram to {@code target}; the
     * buffer's position is advanced to its limit.
     *
     * @param target   where to send it
     * @param datagram its bytes (0 bytes: an empty datagram)
     * @throws SendQueueFullException   if the send queue limit would be exceeded (nothing queued)
     * @throws IllegalArgumentException if the datagram is larger than the payload limit of {@code target}'s family,
     *                                  or {@code target} is unresolved, or not the peer of a connected socket
     * @throws IllegalStateException    if the socket is closed, or called off the worker thread
     */
    void sendTo(InetSocketAddress target, ByteBuffer datagram);

    /**
     * Like {@link #sendTo} but returns false instead of throwing when the queue is full.
     *
     * @param target   where to send it
     * @param datagram its bytes; position advanced only when queued
     * @return true if queued
     * @throws IllegalArgumentException as {@link #sendTo}
     * @throws IllegalStateException    if the socket is closed, or called off the worker thread
     */
    boolean trySendTo(InetSocketAddress target, ByteBuffer datagram);

    /**
     * Queues one datagram whose bytes are {@code length} bytes of a registered region at
     * {@code offset}, sent from the region's memory without a copy into the queue. The region stays
     * referenced (unregistering it waits) until the datagram was handed to the kernel.
     *
     * @param target where to send it
     * @param region the region
     * @param offset byte offset in the region
     * @param length bytes, at most the payload limit of {@code target}'s family
     * @throws SendQueueFullException   if the send queue limit would be exceeded (nothing queued)
     * @throws RegionException          if the region is not registered or the range is outside it
     * @throws IllegalArgumentException as {@link #sendTo}
     * @throws IllegalStateException    if the socket is closed, or called off the worker thread
     */
    void sendRegionTo(InetSocketAddress target, RegionId region, long offset, int length);

    /**
     * Queues a copy of {@code data} as consecutive datagrams of {@code segmentSize} bytes each (the
     * last may be shorter) to {@code target}, in one queue operation: with UDP segmentation offload
     * ({@link #segmentationOffload()}) the kernel splits it (Linux {@code UDP_SEGMENT}, up to 64
     * segments per system call), otherwise the runtime does. All or nothing against the queue limit;
     * the datagrams count one by one in {@link WorkerStats#datagramsSent()}.
     *
     * @param target      where to send them
     * @param data        their bytes, back to back
     * @param segmentSize bytes per datagram, 1..the payload limit of {@code target}'s family
     * @throws SendQueueFullException   if the send queue limit would be exceeded (nothing queued)
     * @throws IllegalArgumentException if {@code segmentSize} is out of range, or as {@link #sendTo}
     * @throws IllegalStateException    if the socket is closed, or called off the worker thread
     */
    void sendSegmentsTo(InetSocketAddress target, ByteBuffer data, int segmentSize);

    /**
     * Like {@link #sendSegmentsTo} but returns false instead of throwing when the queue is full.
     *
     * @param target      where to send them
     * @param data        their bytes; position advanced only when queued
     * @param segmentSize bytes per datagram
     * @return true if queued
     * @throws IllegalArgumentException as {@link #sendSegmentsTo}
     * @throws IllegalStateException    if the socket is closed, or called off the worker thread
     */
    boolean trySendSegmentsTo(InetSocketAddress target, ByteBuffer data, int segmentSize);

    /**
     * {@link #sendTo} to the connected peer.
     *
     * @param datagram its bytes
     * @throws SendQueueFullException   if the send queue limit would be exceeded (nothing queued)
     * @throws IllegalArgumentException if the datagram is larger than the payload limit
     * @throws IllegalStateException    if the socket is not connected or closed, or called off the worker thread
     */
    void send(ByteBuffer datagram);

    /**
     * {@link #trySendTo} to the connected peer.
     *
     * @param datagram its bytes
     * @return true if queued
     * @throws IllegalArgumentException if the datagram is larger than the payload limit
     * @throws IllegalStateException    if the socket is not connected or closed, or called off the worker thread
     */
    boolean trySend(ByteBuffer datagram);

    /** {@return whether a send would be accepted now (false after a refusal until {@link DatagramHandler#onUdpWritable})} */
    boolean isWritable();

    /** {@return bytes queued and not yet handed to the kernel} */
    long pendingSendBytes();

    /** {@return whether the kernel splits {@link #sendSegmentsTo} (UDP GSO); false: the runtime splits} */
    boolean segmentationOffload();

    /**
     * {@return whether the kernel may coalesce received datagrams (UDP GRO), which the runtime
     * splits back before the handler sees them; the handler sees single datagrams either way}
     */
    boolean receiveOffload();

    /**
     * Closes the socket: datagrams not yet handed to the kernel are dropped (counted in
     * {@link WorkerStats#datagramSendFailures()}) and {@link DatagramHandler#onUdpClosed} follows.
     * Idempotent.
     *
     * @throws IllegalStateException if called off the worker thread
     */
    void close();
}
