package io.ringline.spi;

import java.net.InetSocketAddress;

/**
 * The socket operations of one UDP socket, implemented by the backend ({@link WorkerIo#openUdp})
 * and called by the core (its {@link UdpCore}) on the worker thread. None of them throws: a
 * failing operation reports with {@link UdpCore#failed} or {@link UdpCore#sendFailed}.
 */
public interface UdpTransport {

    /** {@return the bound address (the real port when bound to port 0)} */
    InetSocketAddress localAddress();

    /**
     * Starts receiving: from now on the driver reports datagrams with {@link UdpCore#received}.
     * Called once, after {@link WorkerIo#openUdp} returned.
     */
    void startReceiving();

    /**
     * Sends as much of {@link UdpCore#outbound()} as the socket takes now (or starts asynchronous
     * sends of it), reporting in queue order with {@link UdpCore#sent} and {@link UdpCore#sendFailed},
     * then {@link UdpCore#flushed()}. Called only while datagrams are queued; a backend with sends
     * in flight may ignore the call and flush again when they complete.
     */
    void flush();

    /**
     * {@return whether the driver sends an entry with {@link DatagramQueue#segmentSize} {@code > 0}
     * as one segmented send (Linux {@code UDP_SEGMENT}); false: the core queues only single datagrams}
     * Constant for the socket's life.
     */
    boolean segmentationOffload();

    /**
     * {@return whether the kernel may coalesce received datagrams (Linux {@code UDP_GRO}); the
     * driver splits them and reports each with {@link UdpCore#received} either way}
     */
    boolean receiveOffload();

    /**
     * Closes the socket and stops its I/O. Called once; the core ignores later reports. Memory the
     * kernel still reads stays valid: queue entries are released only when
     * {@link DatagramQueue#release()} balanced every {@link DatagramQueue#retain()}.
     */
    void close();
}
