package io.ringline.tests.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/** A {@link Client} over a blocking {@link Socket} with TCP_NODELAY and a read timeout. */
public final class SocketClient implements Client {

    private final Socket socket;

    private SocketClient(Socket socket) {
        this.socket = socket;
    }

    /** {@return a client connected to {@code address}} */
    public static SocketClient connect(InetSocketAddress address) throws IOException {
        return connect(address, 0);
    }

    /**
     * {@return a client with a receive buffer of {@code receiveBufferBytes} (set before connecting,
     * so a peer's sends back up quickly); 0: the system default}
     */
    public static SocketClient connect(InetSocketAddress address, int receiveBufferBytes) throws IOException {
        Socket s = new Socket();
        try {
            if (receiveBufferBytes > 0) {
                s.setReceiveBufferSize(receiveBufferBytes);
            }
            s.setTcpNoDelay(true);
            s.setSoTimeout(READ_TIMEOUT_MS);
            s.connect(address, READ_TIMEOUT_MS);
            return new SocketClient(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** {@return the socket, for tests of socket details (addresses, options)} */
    public Socket socket() {
        return socket;
    }

    @Override
    public InputStream input() throws IOException {
        return socket.getInputStream();
    }

    @Override
    public OutputStream output() throws IOException {
        return socket.getOutputStream();
    }

    @Override
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** SO_LINGER 0, then close: the kernel sends a RST. */
    @Override
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public String toString() {
        return "SocketClient" + socket;
    }
}
