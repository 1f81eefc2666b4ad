package io.ringline.nio;

import io.ringline.spi.DatagramQueue;
import io.ringline.spi.UdpCore;
import io.ringline.spi.UdpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;

/**
 * The transport of one UDP socket on a non-blocking {@link DatagramChannel}; {@link #core} is the
 * core's side. Runs on its worker's thread only.
 *
 * <p><b>Receive:</b> on readability, up to {@code nio.datagramsPerEvent} datagrams are received
 * into the worker's datagram buffer of {@code maxDatagramSize + 1} bytes: a datagram that fills it
 * was cut by the kernel and is reported truncated with its first {@code maxDatagramSize} bytes.
 * The core is shown the buffer's read-only twin; the sender is the JDK's own
 * {@link InetSocketAddress}, which {@code DatagramChannelImpl} caches for a repeating sender (one
 * entry: the sender of the previous datagram), so a steady stream from one peer allocates nothing.
 * A datagram from another sender than the previous one costs a new address (about 120 bytes,
 * measured on JDK 25 with two alternating senders): {@link DatagramChannel} offers no receive into
 * a caller's address.
 *
 * <p><b>Send:</b> {@link #flush()} sends the queue's head entries one by one ({@code send} to the
 * entry's target, {@code write} on a connected socket) until the socket buffer is full (the JDK
 * then sends 0 bytes), when it waits for {@code OP_WRITE}. Two limits of {@link DatagramChannel}:
 * an empty datagram on a connected socket cannot be sent (its {@code write} skips empty buffers
 * without a system call), so it is reported as a send failure; and an empty datagram on an
 * unconnected socket counts as sent even if the socket buffer was full (0 bytes sent either way).
 *
 * <p><b>Kernel drops</b> (Linux only, from {@link ProcNetUdp}; elsewhere none are reported): after
 * datagrams were received, the socket's drops count is read {@link #DROPS_REFRESH_NANOS} later (the
 * worker caps its select to that moment) and reported with {@link UdpCore#kernelDrops}. An idle
 * socket is never read.
 */
final class NioUdpSocket implements UdpTransport {

    private static final Logger log = LoggerFactory.getLogger(NioUdpSocket.class);

    /** Delay from a receive to the next read of the socket's kernel drops count: 150 ms. */
    static final long DROPS_REFRESH_NANOS = 150_000_000L;

    private final NioWorkerIo io;
    private final DatagramChannel ch;
    private final SelectionKey key;
    final UdpCore core;
    private final InetSocketAddress localAddress;
    private final InetSocketAddress remote;
    private final int maxDatagramSize;
    private final int datagramsPerEvent;
    /** The socket's table of kernel drops, or null when unknown (not Linux, or the inode was not found). */
    private final ProcNetUdp dropsTable;
    private final long inode;
    private boolean receiving;
    private boolean closed;
    /** Whether a drops refresh is scheduled, and when it is due ({@link System#nanoTime()}). */
    private boolean dropsRefreshScheduled;
    private long dropsRefreshDue;

    NioUdpSocket(NioWorkerIo io, DatagramChannel ch, SelectionKey key, UdpCore core, InetSocketAddress localAddress,
                 InetSocketAddress remote, ProcNetUdp dropsTable, long inode) {
        this.io = io;
        this.ch = ch;
        this.key = key;
        this.core = core;
        this.localAddress = localAddress;
        this.remote = remote;
        this.maxDatagramSize = io.services().config().maxDatagramSize();
        this.datagramsPerEvent = io.datagramsPerEvent();
        this.dropsTable = inode >= 0 ? dropsTable : null;
        this.inode = inode;
    }

    /** {@return the socket's inode in the kernel's UDP table, or -1 if unknown} */
    long inode() {
        return inode;
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public void startReceiving() {
        if (!closed && !receiving) {
            receiving = true;
            key.interestOps(key.interestOps() | SelectionKey.OP_READ);
        }
    }

    void ready(SelectionKey k) {
        if (!k.isValid()) {
            return;
        }
        int ops = k.readyOps();
        if ((ops & SelectionKey.OP_WRITE) != 0) {
            flush();
        }
        if ((ops & SelectionKey.OP_READ) != 0 && k.isValid() && !core.isClosed()) {
            receive();
        }
    }

    private void receive() {
        ByteBuffer buf = io.datagramBuffer();
        int received = 0;
        for (int i = 0; i < datagramsPerEvent && !core.isClosed(); i++) {
            buf.clear();
            SocketAddress sender;
            io.services().stats().opsSubmitted(1);
            try {
                sender = ch.receive(buf);
            } catch (PortUnreachableException e) {
                // A pending ECONNREFUSED on a connected socket (an ICMP port unreachable for an
                // earlier send): the kernel cleared it by reporting it; go on receiving.
                PortUnreachableException named = new PortUnreachableException(
                        "ICMP port unreachable from " + remote + " (connected UDP socket " + localAddress + ")");
                named.initCause(e);
                core.asyncError(named);
                continue;
            } catch (IOException e) {
                core.failed(e);
                return;
            }
            if (sender == null) {
                break; // drained
            }
            int n = buf.position();
            boolean truncated = n > maxDatagramSize;
            core.received((InetSocketAddress) sender, io.datagramReceived(truncated ? maxDatagramSize : n), truncated);
            received++;
        }
        if (received > 0 && dropsTable != null && !dropsRefreshScheduled && !core.isClosed()) {
            dropsRefreshScheduled = true;
            dropsRefreshDue = System.nanoTime() + DROPS_REFRESH_NANOS;
            io.scheduleDropsRefresh(this);
        }
    }

    /** {@return when the scheduled drops refresh is due ({@link System#nanoTime()})} */
    long dropsRefreshDue() {
        return dropsRefreshDue;
    }

    /** Reads the kernel's drops count for this socket and reports it (the scheduled refresh is due). */
    void refreshDrops() {
        dropsRefreshScheduled = false;
        if (closed || core.isClosed()) {
            return;
        }
        long drops;
        try {
            drops = dropsTable.drops(localAddress.getPort(), inode);
        } catch (IOException e) {
            log.debug("ringline: cannot read kernel drops of UDP socket {} from {}", localAddress, dropsTable, e);
            return;
        }
        if (drops >= 0) {
            core.kernelDrops(drops);
        }
    }

    @Override
    public void flush() {
        if (closed) {
            return;
        }
        DatagramQueue queue = core.outbound();
        int sent = 0; // head entries the kernel took, not reported yet
        boolean full = false;
        while (sent < queue.size()) {
            ByteBuffer b = queue.buffer(sent);
            int position = b.position();
            int bytes = b.remaining();
            InetSocketAddress target = queue.target(sent);
            int n;
            io.services().stats().opsSubmitted(1);
            try {
                n = send(b, target);
            } catch (IOException e) {
                b.position(position);
                if (sent > 0) {
                    core.sent(sent);
                    sent = 0;
                }
                core.sendFailed(e);
                if (closed || core.isClosed()) {
                    return;
                }
                continue;
            }
            b.position(position); // the queue keeps its buffers' positions
            if (n == 0 && bytes > 0) {
                full = true; // socket buffer full: continue on OP_WRITE
                break;
            }
            sent++;
        }
        if (sent > 0) {
            core.sent(sent);
        }
        if (closed || core.isClosed()) {
            return;
        }
        if (key.isValid()) {
            int ops = key.interestOps();
            int want = full ? ops | SelectionKey.OP_WRITE : ops & ~SelectionKey.OP_WRITE;
            if (want != ops) {
                key.interestOps(want);
            }
        }
        core.flushed();
    }

    private int send(ByteBuffer b, InetSocketAddress target) throws IOException {
        if (remote != null) { // the core queues only the connected peer (target null or equal) here
            if (!b.hasRemaining()) {
                throw new IOException("cannot send an empty datagram on the connected UDP socket " + localAddress
                        + " with java.nio (DatagramChannel.write skips empty buffers)");
            }
            return ch.write(b);
        }
        if (target == null) {
            throw new IOException("no target for a datagram on the unconnected UDP socket " + localAddress);
        }
        try {
            return ch.send(b, target);
        } catch (IllegalArgumentException e) {
            // UnsupportedAddressTypeException (an IPv6 target on an IPv4 socket), UnresolvedAddressException, ...
            throw new IOException("cannot send a datagram from " + localAddress + " to " + target + ": " + e, e);
        }
    }

    @Override
    public boolean segmentationOffload() {
        return false;
    }

    @Override
    public boolean receiveOffload() {
        return false;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        key.cancel();
        NioWorkerIo.closeQuietly(ch);
    }

    @Override
    public String toString() {
        return "NioUdpSocket[" + localAddress + (remote == null ? "" : " -> " + remote) + "]";
    }
}
