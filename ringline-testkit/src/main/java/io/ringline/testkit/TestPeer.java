package io.ringline.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The client end of an in-memory connection to a testkit listener, for tests: it behaves like a
 * connected {@link java.net.Socket} in blocking mode, without a socket.
 *
 * <pre>{@code
 * try (TestPeer peer = TestPeer.connect(runtime.boundAddresses().get(0))) {
 *     peer.output().write("ping".getBytes(US_ASCII));
 *     byte[] reply = peer.input().readNBytes(4);
 * }
 * }</pre>
 *
 * <p>Flow control is TCP's: the server's flushes take at most the listener's
 * {@link TestkitOptions#WINDOW} of unread bytes, and {@link #output()}'s writes block while the
 * server has that many unread (it paused reading, or does not keep up). Closing follows a
 * kernel's rules: {@link #close()} is an orderly close (the server reads the end of stream) unless
 * bytes the server sent are still unread, which makes it a reset, as with a real socket.
 *
 * <p><b>Threading:</b> thread-safe like a socket: one thread may read while another writes;
 * {@link #close()} and {@link #reset()} from any thread wake blocked readers and writers (they then
 * throw {@link SocketException} "Socket closed").
 */
public final class TestPeer implements AutoCloseable {

    private final Endpoint end;
    private final InputStream input = new PeerInput();
    private final OutputStream output = new PeerOutput();
    private volatile boolean closed;
    private volatile boolean outputShutdown;
    private volatile int soTimeoutMillis;

    private TestPeer(Endpoint end) {
        this.end = end;
    }

    /**
     * Connects to the testkit listener at {@code address} ({@code 127.0.0.1}, {@code localhost} or
     * the wildcard address, and its port); returns once the connection waits in the listener's
     * backlog, as a TCP connect does (the server's {@code onOpen} may come later).
     *
     * @param address the listener's address, e.g. {@code runtime.boundAddresses().get(0)}
     * @return the connected peer
     * @throws ConnectException     "Connection refused" naming {@code address} if no testkit
     *                              listener is bound there (or its backlog is full)
     * @throws NullPointerException if {@code address} is null
     */
    public static TestPeer connect(InetSocketAddress address) throws ConnectException {
        Objects.requireNonNull(address, "address");
        return new TestPeer(TestkitNetwork.connect(address, null));
    }

    /**
     * {@return the stream of the bytes the server sent} Reads block until at least one byte is
     * there; they return -1 after the server shut its output down or closed, throw
     * {@link java.net.SocketTimeoutException} "Read timed out" after {@link #setSoTimeout} (the
     * peer stays usable), {@link SocketException} "Connection reset" after the server reset the
     * connection (once the bytes it had written before are read, as with a kernel; a reset after
     * the server's end of stream leaves the end of stream), and "Socket closed" once this peer
     * closed. Closing the stream closes the peer.
     */
    public InputStream input() {
        return input;
    }

    /**
     * {@return the stream to the server} Writes return once every byte is in the connection,
     * blocking while the window is full; they throw {@link SocketException} after the server reset
     * the connection ("Connection reset by peer"), on the second write after the server closed
     * ("Broken pipe"; the first one is dropped, as by a kernel), after {@link #shutdownOutput()}
     * and once this peer closed. Closing the stream closes the peer; {@code flush} does nothing.
     */
    public OutputStream output() {
        return output;
    }

    /**
     * Shuts the output down (FIN): the server reads what was written, then the end of stream; this
     * peer can still read. Idempotent.
     *
     * @throws SocketException "Socket is closed" if this peer closed
     */
    public void shutdownOutput() throws SocketException {
        checkOpen();
        if (!outputShutdown) {
            outputShutdown = true;
            end.shutdownOutput();
        }
    }

    /**
     * Closes the connection: an orderly close (the server reads the end of stream; its later sends
     * fail), or a reset if bytes the server sent are still unread (as a kernel does). Idempotent.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            end.close();
        }
    }

    /**
     * Resets the connection (a close with {@code SO_LINGER} 0): the bytes the server sent and this
     * peer did not read are dropped; the server still receives what this peer wrote before, then
     * its connection closes with {@code CloseReason.RESET}. Idempotent; does nothing after
     * {@link #close()}.
     */
    public void reset() {
        if (!closed) {
            closed = true;
            end.reset();
        }
    }

    /**
     * Sets how long a read of {@link #input()} waits before it throws
     * {@link java.net.SocketTimeoutException}.
     *
     * @param millis the timeout, 0: none (the default)
     * @throws IllegalArgumentException if negative
     */
    public void setSoTimeout(int millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("timeout must be >= 0 ms (0: none), was " + millis);
        }
        this.soTimeoutMillis = millis;
    }

    /** {@return the read timeout in milliseconds, 0: none} */
    public int getSoTimeout() {
        return soTimeoutMillis;
    }

    /** {@return true from the connect until this peer is closed or reset (unlike {@link java.net.Socket#isConnected()}, false after a close)} */
    public boolean isConnected() {
        return !closed;
    }

    /** {@return this peer's address ({@code 127.0.0.1} and a port of its own), as the server's {@code remoteAddress()} shows it} */
    public InetSocketAddress localAddress() {
        return end.local();
    }

    /** {@return the listener's address} */
    public InetSocketAddress remoteAddress() {
        return end.remote();
    }

    private void checkOpen() throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
    }

    @Override
    public String toString() {
        return "TestPeer[" + end.local() + " -> " + end.remote() + (closed ? ", closed" : "") + "]";
    }

    private final class PeerInput extends InputStream {

        private final byte[] one = new byte[1];

        @Override
        public int read() throws IOException {
            synchronized (one) {
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (closed) {
                throw new SocketException("Socket closed");
            }
            if (len == 0) {
                return 0;
            }
            try {
                return end.in().read(ByteBuffer.wrap(b, off, len), soTimeoutMillis);
            } catch (SocketException e) {
                throw closed ? new SocketException("Socket closed") : e;
            }
        }

        @Override
        public int available() throws IOException {
            if (closed) {
                throw new SocketException("Socket closed");
            }
            return end.in().available();
        }

        @Override
        public void close() {
            TestPeer.this.close();
        }
    }

    private final class PeerOutput extends OutputStream {

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (closed) {
                throw new SocketException("Socket closed");
            }
            if (outputShutdown) {
                throw new SocketException("Socket output is shutdown");
            }
            try {
                end.out().write(ByteBuffer.wrap(b, off, len));
            } catch (SocketException e) {
                throw closed ? new SocketException("Socket closed") : e;
            }
        }

        @Override
        public void close() {
            TestPeer.this.close();
        }
    }
}
