package io.ringline.nio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reader of one of Linux's UDP socket tables, {@code /proc/net/udp} (IPv4 sockets) or
 * {@code /proc/net/udp6} (IPv6 sockets), for the {@code drops} column: the datagrams the kernel
 * dropped for a socket (its receive queue was full), since the socket was created. A socket is
 * found by its inode; {@link #newInode} learns a new socket's inode by comparing the table before
 * and after its bind, since {@link java.nio.channels.DatagramChannel} does not reveal its
 * descriptor.
 *
 * <p>The file stays open and is read again from offset 0 each time (procfs regenerates it), into
 * a buffer of this reader: a {@link #drops} lookup allocates nothing. Where the file does not
 * exist (not Linux), {@link #available()} is false and every lookup finds nothing.
 *
 * <p><b>Threading:</b> one worker thread only.
 */
final class ProcNetUdp implements AutoCloseable {

    /** Columns of a table line, 0-based, split at whitespace ({@code sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops}). */
    private static final int LOCAL = 1;
    private static final int INODE = 9;
    private static final int DROPS = 12;

    private final Path path;
    private final boolean available;
    private FileChannel file;
    private final ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
    private long filePosition;

    /** The fields of the line {@link #nextLine()} parsed last (-1: absent). */
    private int linePort;
    private long lineInode;
    private long lineDrops;

    /**
     * @param path {@code /proc/net/udp} or {@code /proc/net/udp6}
     */
    ProcNetUdp(Path path) {
        this.path = path;
        this.available = Files.isReadable(path);
    }

    /** {@return whether the table exists here (Linux)} */
    boolean available() {
        return available;
    }

    /**
     * {@return the inodes of the sockets bound to {@code port}, or of all sockets when {@code port}
     * is 0; empty where the table is unavailable} Allocates (called once per socket, when it opens).
     *
     * @param port a local port, or 0
     * @throws IOException if the table cannot be read
     */
    long[] inodes(int port) throws IOException {
        long[] found = new long[16];
        int n = 0;
        if (!rewind()) {
            return new long[0];
        }
        while (nextLine()) {
            if (lineInode >= 0 && (port == 0 || linePort == port)) {
                if (n == found.length) {
                    found = Arrays.copyOf(found, n * 2);
                }
                found[n++] = lineInode;
            }
        }
        return Arrays.copyOf(found, n);
    }

    /**
     * {@return the one inode bound to {@code port} now that is not in {@code before}, or -1 if there
     * is none or more than one}
     *
     * @param port   the socket's bound port
     * @param before {@link #inodes} before the socket was bound (of its port, or of all when it bound port 0)
     * @throws IOException if the table cannot be read
     */
    long newInode(int port, long[] before) throws IOException {
        long found = -1;
        for (long inode : inodes(port)) {
            if (!contains(before, inode)) {
                if (found >= 0) {
                    return -1; // two new sockets on the port: cannot tell which is ours
                }
                found = inode;
            }
        }
        return found;
    }

    private static boolean contains(long[] inodes, long inode) {
        for (long i : inodes) {
            if (i == inode) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@return the drops column of the socket with {@code inode} (bound to {@code port}), or -1 if
     * it is not in the table} Allocates nothing.
     *
     * @param port  the socket's bound port (a filter)
     * @param inode its inode
     * @throws IOException if the table cannot be read
     */
    long drops(int port, long inode) throws IOException {
        if (!rewind()) {
            return -1;
        }
        while (nextLine()) {
            if (linePort == port && lineInode == inode) {
                return lineDrops;
            }
        }
        return -1;
    }

    /** Starts reading at the top, past the header line; false if the table is unavailable. */
    private boolean rewind() throws IOException {
        if (!available) {
            return false;
        }
        if (file == null) {
            file = FileChannel.open(path, StandardOpenOption.READ);
        }
        filePosition = 0;
        buf.clear().limit(0);
        return nextLine(); // the header (its fields do not parse: no port, no inode)
    }

    /** Parses the next whole line into {@link #linePort}, {@link #lineInode} and {@link #lineDrops}; false at the end. */
    private boolean nextLine() throws IOException {
        int end = indexOfNewline();
        while (end < 0) {
            if (buf.position() == 0 && buf.limit() == buf.capacity()) {
                throw new IOException(path + ": a line longer than " + buf.capacity() + " bytes");
            }
            buf.compact();
            int n = file.read(buf, filePosition);
            buf.flip();
            if (n <= 0) {
                return false; // end (an unterminated last line is ignored)
            }
            filePosition += n;
            end = indexOfNewline();
        }
        parse(buf.position(), end);
        buf.position(end + 1);
        return true;
    }

    private int indexOfNewline() {
        byte[] a = buf.array();
        for (int i = buf.position(), lim = buf.limit(); i < lim; i++) {
            if (a[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void parse(int from, int to) {
        byte[] a = buf.array();
        linePort = -1;
        lineInode = -1;
        lineDrops = -1;
        int field = -1;
        int i = from;
        while (i < to) {
            while (i < to && isSpace(a[i])) {
                i++;
            }
            if (i == to) {
                break;
            }
            int start = i;
            while (i < to && !isSpace(a[i])) {
                i++;
            }
            field++;
            if (field == LOCAL) {
                int colon = lastIndexOf(a, start, i, (byte) ':');
                linePort = colon < 0 ? -1 : (int) parseNumber(a, colon + 1, i, 16);
            } else if (field == INODE) {
                lineInode = parseNumber(a, start, i, 10);
            } else if (field == DROPS) {
                lineDrops = parseNumber(a, start, i, 10);
            }
        }
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r';
    }

    private static int lastIndexOf(byte[] a, int from, int to, byte b) {
        for (int i = to - 1; i >= from; i--) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** {@return the number in {@code a[from, to)} in {@code radix}, or -1 if it is not one} */
    private static long parseNumber(byte[] a, int from, int to, int radix) {
        if (from >= to || to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(a[i], radix);
            if (d < 0) {
                return -1;
            }
            v = v * radix + d;
        }
        return v;
    }

    @Override
    public void close() {
        if (file != null) {
            NioWorkerIo.closeQuietly(file);
            file = null;
        }
    }

    @Override
    public String toString() {
        return "ProcNetUdp[" + path + "]";
    }
}
