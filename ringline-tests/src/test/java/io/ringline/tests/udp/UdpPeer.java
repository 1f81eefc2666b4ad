package io.ringline.tests.udp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

/**
 * A plain JDK UDP socket for the tests' side of an exchange: bound to a loopback address, with a
 * large receive buffer (so that the test, not the kernel, decides what is lost) and receives that
 * wait at most a deadline.
 */
final class UdpPeer implements AutoCloseable {

    /** Receive buffer asked for (the kernel doubles it, capped by {@code net.core.rmem_max}). */
    static final int RECEIVE_BUFFER = 1 << 20;
    /** How long a receive waits by default. */
    static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(10);

    private final DatagramSocket socket;
    private final byte[] buffer = new byte[65_536];

    private UdpPeer(DatagramSocket socket) {
        this.socket = socket;
    }

    /** {@return a peer bound to {@code local} (port 0: a free port)} */
    static UdpPeer bind(InetSocketAddress local) throws IOException {
        DatagramSocket s = new DatagramSocket(null);
        try {
            s.setReceiveBufferSize(RECEIVE_BUFFER);
            s.bind(local);
            s.setSoTimeout((int) RECEIVE_TIMEOUT.toMillis());
            return new UdpPeer(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** {@return the bound address, with its real port} */
    InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** Sends {@code bytes} as one datagram to {@code target}. */
    void send(InetSocketAddress target, byte[] bytes) throws IOException {
        socket.send(new DatagramPacket(bytes, bytes.length, target));
    }

    /** {@return the next datagram's bytes}; fails if none arrives within {@link #RECEIVE_TIMEOUT} */
    byte[] receive(String what) throws IOException {
        byte[] b = tryReceive(RECEIVE_TIMEOUT);
        if (b == null) {
            throw new AssertionError("no datagram within " + RECEIVE_TIMEOUT + ": " + what);
        }
        return b;
    }

    /** {@return the next datagram's bytes, or null if none arrives within {@code timeout}} */
    byte[] tryReceive(Duration timeout) throws IOException {
        return tryReceiveFrom(timeout, null);
    }

    /**
     * {@return the next datagram's bytes, or null if none arrives within {@code timeout}}; its
     * sender is stored in {@code from[0]} when {@code from} is given
     */
    byte[] tryReceiveFrom(Duration timeout, InetSocketAddress[] from) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        if (from != null) {
            from[0] = (InetSocketAddress) p.getSocketAddress();
        }
        return Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
    }

    @Override
    public void close() {
        socket.close();
    }
}
