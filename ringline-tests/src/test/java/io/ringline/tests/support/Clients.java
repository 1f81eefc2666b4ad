package io.ringline.tests.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Random;

/** Blocking loopback clients for the tests (always with a read timeout, so a lost byte fails instead of hanging). */
public final class Clients {

    /** Read timeout of every client socket. */
    public static final int READ_TIMEOUT_MS = 20_000;

    private Clients() {
    }

    /** {@return a connected blocking socket with TCP_NODELAY and a read timeout} */
    public static Socket connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(READ_TIMEOUT_MS);
            s.connect(address, READ_TIMEOUT_MS);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** {@return a socket with a small receive buffer (set before connecting), so a peer's sends back up quickly} */
    public static Socket connectWithSmallReceiveBuffer(InetSocketAddress address, int bytes) throws IOException {
        Socket s = new Socket();
        try {
            s.setReceiveBufferSize(bytes);
            s.setTcpNoDelay(true);
            s.setSoTimeout(READ_TIMEOUT_MS);
            s.connect(address, READ_TIMEOUT_MS);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** {@return exactly {@code n} bytes from {@code in}} @throws EOFException if the stream ends first */
    public static byte[] readExactly(InputStream in, int n) throws IOException {
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
    public static byte[] readToEof(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[64 * 1024];
        int k;
        while ((k = in.read(b)) >= 0) {
            out.write(b, 0, k);
        }
        return out.toByteArray();
    }

    /** {@return {@code n} random bytes} */
    public static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /**
     * {@return the byte at {@code position} of an endless, position-dependent test stream} (a
     * hash of the position, so a lost, duplicated or reordered chunk shows up as a mismatch)
     */
    public static byte patternByte(long position) {
        long x = position * 0x9E3779B97F4A7C15L;
        x ^= x >>> 29;
        return (byte) (x ^ (x >>> 17));
    }

    /** Fills {@code dst} with the pattern stream from {@code position}. */
    public static void fillPattern(byte[] dst, long position) {
        for (int i = 0; i < dst.length; i++) {
            dst[i] = patternByte(position + i);
        }
    }

    /** Asserts that {@code got[0..n)} equals the pattern stream from {@code position}. */
    public static void checkPattern(byte[] got, int n, long position) {
        for (int i = 0; i < n; i++) {
            if (got[i] != patternByte(position + i)) {
                throw new AssertionError("stream byte " + (position + i) + " is " + got[i] + ", expected "
                        + patternByte(position + i) + " (bytes lost, duplicated or reordered)");
            }
        }
    }
}
