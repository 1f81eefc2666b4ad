package io.ringline.tests.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A blocking test client of a runtime's listener, whatever the transport ({@link SocketClient}
 * over {@link java.net.Socket} for backends with OS sockets). Every read has a deadline
 * ({@link #READ_TIMEOUT_MS}): a lost byte fails the test instead of hanging it. Used by one test
 * thread at a time.
 */
public interface Client extends AutoCloseable {

    /** Connects a client to a listen address. */
    @FunctionalInterface
    interface Connector {
        /** {@return a client connected to {@code address}} */
        Client connect(InetSocketAddress address) throws IOException;
    }

    /** Read timeout of every client: the deadline of each blocking read. */
    int READ_TIMEOUT_MS = 20_000;

    /** {@return the stream of bytes from the server} */
    InputStream input() throws IOException;

    /** {@return the stream of bytes to the server} */
    OutputStream output() throws IOException;

    /** Half-closes: the server sees end of stream, this client still reads. */
    void shutdownOutput() throws IOException;

    /** Closes gracefully (the server sees end of stream). Idempotent. */
    @Override
    void close() throws IOException;

    /** Closes abortively: the server sees a reset. */
    void reset() throws IOException;

    /** Writes {@code bytes}. */
    default void write(byte[] bytes) throws IOException {
        output().write(bytes);
    }

    /** Writes one byte. */
    default void write(int b) throws IOException {
        output().write(b);
    }

    /** {@return the next byte, or -1 at end of stream} */
    default int read() throws IOException {
        return input().read();
    }

    /** {@return exactly {@code n} bytes} @throws EOFException if the stream ends first */
    default byte[] readExactly(int n) throws IOException {
        InputStream in = input();
        byte[] b = new byte[n];
        int off = 0;
        while (off < n) {
            int k = in.read(b, off, n - off);
            if (k < 0) {
                throw new EOFException("end of stream after " + off + " of " + n + " bytes");
            }
            off += k;
        }
        return b;
    }

    /** {@return every byte until end of stream} */
    default byte[] readToEof() throws IOException {
        InputStream in = input();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[64 * 1024];
        int k;
        while ((k = in.read(b)) >= 0) {
            out.write(b, 0, k);
        }
        return out.toByteArray();
    }

    /**
     * Reads until the stream ends, discarding the bytes: it must end with a reset, never with a clean
     * end of stream.
     */
    default void expectReset() throws IOException {
        byte[] b = new byte[64 * 1024];
        long n = 0;
        try {
            int k;
            while ((k = input().read(b)) >= 0) {
                n += k;
            }
        } catch (SocketException reset) {
            assertTrue(String.valueOf(reset.getMessage()).toLowerCase().contains("reset"), reset.toString());
            return;
        }
        fail("clean end of stream after " + n + " bytes where a reset was expected");
    }

    /**
     * Reads until the server closed the connection, discarding what it still sent: end of stream or
     * a reset (a read timeout fails).
     */
    default void expectClosed() throws IOException {
        byte[] b = new byte[64 * 1024];
        try {
            while (input().read(b) >= 0) {
                // discard what was queued before the close
            }
        } catch (SocketException reset) {
            // a reset is a close too
        }
    }

    /** Expects the server closed the connection with nothing more to read: end of stream or a reset. */
    default void expectClosedWithoutData() throws IOException {
        try {
            assertEquals(-1, input().read(), "no data after the server closed the connection");
        } catch (SocketException reset) {
            // a reset is a close too
        }
    }
}
