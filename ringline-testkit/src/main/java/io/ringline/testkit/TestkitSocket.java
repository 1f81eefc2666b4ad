package io.ringline.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOptions;

/**
 * A {@link java.net.Socket} whose connection is a {@link TestPeer}: for client code (or tests)
 * written against {@code Socket} that should talk to a testkit listener unchanged.
 *
 * <pre>{@code
 * Socket s = new TestkitSocket();
 * s.setSoTimeout(5_000);
 * s.connect(runtime.boundAddresses().get(0));
 * }</pre>
 *
 * <p>What it supports: {@code connect} (the timeout is ignored: an in-memory connect is refused or
 * succeeds at once), its streams, {@code setSoTimeout}, {@code shutdownOutput},
 * {@code shutdownInput} (reads then return -1), {@code close}, and {@code setSoLinger(true, 0)}
 * followed by {@code close}, which resets ({@link TestPeer#reset()}). {@code TCP_NODELAY} and the
 * buffer sizes are accepted and have no effect (the listener's {@link TestkitOptions#WINDOW} is the
 * buffer); {@code bind}, urgent data and server sockets are not supported.
 *
 * <p>Threading: as a {@code Socket}.
 */
public final class TestkitSocket extends Socket {

    /** An unconnected socket; {@link #connect(SocketAddress)} reaches a testkit listener. @throws SocketException never in practice */
    public TestkitSocket() throws SocketException {
        super(new PeerSocketImpl());
    }

    /** The {@link SocketImpl} over a {@link TestPeer}. */
    private static final class PeerSocketImpl extends SocketImpl {

        private TestPeer peer;
        private int timeoutMillis;
        /** {@code SO_LINGER} in seconds, -1 when off. */
        private int lingerSeconds = -1;
        private volatile boolean inputShutdown;

        @Override
        protected void create(boolean stream) throws IOException {
            if (!stream) {
                throw new SocketException("a testkit socket is a stream socket");
            }
        }

        @Override
        protected void connect(String host, int port) throws IOException {
            connect(new InetSocketAddress(host, port), 0);
        }

        @Override
        protected void connect(InetAddress address, int port) throws IOException {
            connect(new InetSocketAddress(address, port), 0);
        }

        @Override
        protected void connect(SocketAddress remote, int timeout) throws IOException {
            if (!(remote instanceof InetSocketAddress inet)) {
                throw new IllegalArgumentException("unsupported address type " + remote);
            }
            peer = TestPeer.connect(inet);
            peer.setSoTimeout(timeoutMillis);
            address = peer.remoteAddress().getAddress();
            port = peer.remoteAddress().getPort();
            localport = peer.localAddress().getPort();
        }

        @Override
        protected void bind(InetAddress host, int port) throws IOException {
            throw new SocketException("a testkit socket cannot bind: its local address is given at connect");
        }

        @Override
        protected void listen(int backlog) throws IOException {
            throw new SocketException("a testkit socket cannot listen: start a runtime on the testkit backend");
        }

        @Override
        protected void accept(SocketImpl s) throws IOException {
            throw new SocketException("a testkit socket cannot accept");
        }

        @Override
        protected InputStream getInputStream() throws IOException {
            InputStream in = connected().input();
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    return inputShutdown ? -1 : in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return inputShutdown ? -1 : in.read(b, off, len);
                }

                @Override
                public int available() throws IOException {
                    return inputShutdown ? 0 : in.available();
                }

                @Override
                public void close() throws IOException {
                    in.close();
                }
            };
        }

        @Override
        protected OutputStream getOutputStream() throws IOException {
            return connected().output();
        }

        @Override
        protected int available() throws IOException {
            return inputShutdown ? 0 : connected().input().available();
        }

        @Override
        protected void close() {
            if (peer != null) {
                if (lingerSeconds == 0) {
                    peer.reset();
                } else {
                    peer.close();
                }
            }
        }

        @Override
        protected void shutdownInput() {
            inputShutdown = true;
        }

        @Override
        protected void shutdownOutput() throws IOException {
            connected().shutdownOutput();
        }

        @Override
        protected void sendUrgentData(int data) throws IOException {
            throw new SocketException("a testkit socket has no urgent data");
        }

        private TestPeer connected() throws SocketException {
            if (peer == null) {
                throw new SocketException("Socket is not connected");
            }
            return peer;
        }

        @Override
        public void setOption(int id, Object value) throws SocketException {
            switch (id) {
                case SocketOptions.SO_TIMEOUT -> {
                    timeoutMillis = (Integer) value;
                    if (peer != null) {
                        peer.setSoTimeout(timeoutMillis);
                    }
                }
                case SocketOptions.SO_LINGER -> lingerSeconds = value instanceof Integer seconds ? seconds : -1;
                case SocketOptions.TCP_NODELAY, SocketOptions.SO_RCVBUF, SocketOptions.SO_SNDBUF,
                     SocketOptions.SO_KEEPALIVE, SocketOptions.SO_REUSEADDR, SocketOptions.IP_TOS,
                     SocketOptions.SO_OOBINLINE -> {
                    // accepted, no effect in memory
                }
                default -> throw new SocketException("option " + id + " is not supported by a testkit socket");
            }
        }

        @Override
        public Object getOption(int id) throws SocketException {
            return switch (id) {
                case SocketOptions.SO_TIMEOUT -> timeoutMillis;
                case SocketOptions.SO_LINGER -> lingerSeconds < 0 ? Boolean.FALSE : (Object) lingerSeconds;
                case SocketOptions.SO_BINDADDR -> peer == null ? TestkitNetwork.HOST : peer.localAddress().getAddress();
                case SocketOptions.TCP_NODELAY, SocketOptions.SO_KEEPALIVE -> Boolean.TRUE;
                case SocketOptions.SO_REUSEADDR, SocketOptions.SO_OOBINLINE -> Boolean.FALSE;
                case SocketOptions.SO_RCVBUF, SocketOptions.SO_SNDBUF -> 65536;
                case SocketOptions.IP_TOS -> 0;
                default -> throw new SocketException("option " + id + " is not supported by a testkit socket");
            };
        }
    }
}
