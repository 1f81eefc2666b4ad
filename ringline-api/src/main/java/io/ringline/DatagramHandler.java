package io.ringline;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Application logic for UDP sockets. For the sockets of {@link Config#udpBindings()}, the worker's
 * {@link Handler} (from {@link HandlerFactory}) must also implement this interface (the runtime
 * refuses to start otherwise); a socket opened with {@link WorkerContext#openUdp} gets its own.
 *
 * <p><b>Threading:</b> every callback runs on the socket's worker thread.
 *
 * <p><b>Failures:</b> anything a callback throws is logged with the socket and the sender, and the
 * socket stays open (one bad datagram must not stop a server); a {@link VirtualMachineError} stops
 * the worker as in {@link Handler}.
 */
public interface DatagramHandler {

    /**
     * A datagram arrived whole. {@code datagram} holds exactly its bytes, from its position (which
     * need not be 0) to its limit; it is read-only, direct, big-endian and valid only during the
     * call: copy what must outlive it. Sending it back ({@link UdpSocket#sendTo}) copies it into
     * the send queue, so echoing it is safe. The handler may move its position and limit.
     *
     * @param socket   the socket it arrived on
     * @param sender   the sender's address (may be a cached instance: compare with {@code equals})
     * @param datagram its bytes
     */
    void onDatagram(UdpSocket socket, InetSocketAddress sender, ByteBuffer datagram);

    /**
     * A datagram larger than {@link Config#maxDatagramSize()} arrived and was cut by the kernel:
     * {@code head} holds its first {@code maxDatagramSize} bytes (same rules as
     * {@link #onDatagram}). It is never passed to {@link #onDatagram}, so a handler cannot mistake
     * it for a whole one. Counted in {@link WorkerStats#datagramsTruncated()}. The default does nothing.
     *
     * @param socket the socket it arrived on
     * @param sender the sender's address
     * @param head   the bytes that were kept
     */
    default void onDatagramTruncated(UdpSocket socket, InetSocketAddress sender, ByteBuffer head) {
    }

    /**
     * The socket's send queue drained to half of {@link Config#udpSendQueueLimit()} after a send had
     * been refused ({@link UdpSocket#isWritable()} had turned false). Fires once per refusal episode.
     * The default does nothing.
     *
     * @param socket the socket
     */
    default void onUdpWritable(UdpSocket socket) {
    }

    /**
     * The kernel refused a queued datagram (for example {@code ECONNREFUSED} on a connected socket
     * after an ICMP port-unreachable, or {@code EMSGSIZE}); the datagram was dropped and counted in
     * {@link WorkerStats#datagramSendFailures()}, and the socket stays open. The default does nothing.
     *
     * @param socket the socket
     * @param target where it was to go (the connected peer on a connected socket)
     * @param cause  the kernel's error
     */
    default void onUdpSendFailed(UdpSocket socket, InetSocketAddress target, IOException cause) {
    }

    /**
     * The socket closed: by {@link UdpSocket#close()} (cause null), at runtime shutdown (cause null),
     * or because it failed (cause the error). Called once per socket. On {@code close()} or a
     * failure, queued datagrams not yet handed to the kernel were dropped and counted in
     * {@link WorkerStats#datagramSendFailures()}; at shutdown the socket stops receiving, then sends
     * what was queued (within {@link Config#shutdownGracePeriod()}) before it closes. The default
     * does nothing.
     *
     * @param socket the closed socket
     * @param cause  why, if it failed; else null
     */
    default void onUdpClosed(UdpSocket socket, Throwable cause) {
    }
}
