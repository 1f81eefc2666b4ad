package io.ringline.examples;

import io.ringline.Connection;
import io.ringline.DatagramHandler;
import io.ringline.Handler;
import io.ringline.HandlerFactory;
import io.ringline.UdpSocket;
import io.ringline.WorkerStats;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Sends every datagram back to its sender, byte for byte, from the socket it arrived on.
 *
 * <p>The echo is queued with {@link UdpSocket#trySendTo}, which copies the datagram into the
 * socket's send queue (the received buffer is only lent for the call). When the queue is full
 * ({@link io.ringline.Config#udpSendQueueLimit()}) the echo is refused and dropped: the runtime counts
 * it in {@link WorkerStats#datagramSendsRefused()}. UDP has no flow control to slow the sender
 * down, and a client must cope with lost datagrams anyway; dropping keeps memory bounded and the
 * worker never waits. A datagram cut because it exceeded {@link io.ringline.Config#maxDatagramSize()}
 * is not echoed (the default {@code onDatagramTruncated} ignores it).
 *
 * <p>The runtime needs a {@link Handler} per worker, and the sockets of {@code bindUdp} deliver to
 * that handler, which must therefore also be a {@link DatagramHandler}. The udp-echo server binds no
 * TCP listener and opens no connection, so the TCP callbacks are never called; {@link #onData}
 * consumes whatever it is given so that it would be total anyway.
 *
 * <p>One instance per worker; every callback runs on that worker's thread. It keeps no state.
 */
public final class UdpEchoHandler implements Handler, DatagramHandler {

    /** {@return a factory giving each worker its own handler} */
    public static HandlerFactory factory() {
        return worker -> new UdpEchoHandler();
    }

    @Override
    public void onDatagram(UdpSocket socket, InetSocketAddress sender, ByteBuffer datagram) {
        socket.trySendTo(sender, datagram); // false: queue full, the echo is dropped and counted by the runtime
    }

    /** Never called: no TCP listener, no connection. Consumes everything. */
    @Override
    public int onData(Connection connection, ByteBuffer data) {
        return data.remaining();
    }
}
