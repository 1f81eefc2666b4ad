package io.ringline.uring;

import io.ringline.spi.DatagramQueue;
import io.ringline.spi.UdpCore;
import io.ringline.spi.UdpTransport;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in for the UDP core, written against the SPI alone: records what the driver reports and
 * keeps a simple send queue (its own {@link DatagramQueue}). The test's thread plays the worker.
 * With {@link #record} false it only counts, allocating nothing per datagram.
 */
final class FakeUdpCore implements UdpCore, DatagramQueue {

    /** One queued datagram (or segmented batch). */
    record Entry(ByteBuffer bytes, InetSocketAddress target, int segmentSize) {
    }

    UdpTransport transport;
    boolean record = true;
    final List<byte[]> datagrams = new ArrayList<>();
    final List<InetSocketAddress> senders = new ArrayList<>();
    final List<Boolean> truncated = new ArrayList<>();
    long received;
    long receivedAfterClose;
    long drops;
    final List<IOException> asyncErrors = new ArrayList<>();
    final List<IOException> sendFailures = new ArrayList<>();
    Throwable failure;
    long sentEntries;
    int flushes;
    int retains;
    int releasedHeld;
    private final List<Entry> entries = new ArrayList<>();
    private final List<Entry> held = new ArrayList<>();
    private boolean closed;

    /** Queues {@code data} to {@code target} (null on a connected socket) and flushes. */
    void send(byte[] data, InetSocketAddress target, int segmentSize) {
        ByteBuffer b = ByteBuffer.allocateDirect(data.length).put(data).flip();
        entries.add(new Entry(b, target, segmentSize));
        transport.flush();
    }

    /** Closes the socket the way the core does: the transport, then the queue is dropped (held while retained). */
    void close() {
        closed = true;
        transport.close();
        if (retains > 0) {
            held.addAll(entries);
        }
        entries.clear();
    }

    // ---------------------------------------------------------------- UdpCore

    @Override
    public void received(InetSocketAddress sender, ByteBuffer datagram, boolean truncated) {
        if (!datagram.isReadOnly() || !datagram.isDirect()) {
            throw new IllegalArgumentException("datagram must be read-only and direct: " + datagram);
        }
        if (closed) {
            receivedAfterClose++;
            return;
        }
        received++;
        if (record) {
            byte[] copy = new byte[datagram.remaining()];
            datagram.get(copy);
            datagrams.add(copy);
            senders.add(sender);
            this.truncated.add(truncated);
        }
    }

    @Override
    public void kernelDrops(long total) {
        drops = Math.max(drops, total);
    }

    @Override
    public DatagramQueue outbound() {
        return this;
    }

    @Override
    public void sent(int n) {
        if (n > entries.size()) {
            throw new IllegalStateException("sent(" + n + ") with " + entries.size() + " queued");
        }
        for (int i = 0; i < n; i++) {
            entries.remove(0);
        }
        sentEntries += n;
    }

    @Override
    public void sendFailed(IOException cause) {
        entries.remove(0);
        sendFailures.add(cause);
    }

    @Override
    public void asyncError(IOException cause) {
        asyncErrors.add(cause);
    }

    @Override
    public void flushed() {
        flushes++;
    }

    @Override
    public void failed(Throwable cause) {
        failure = cause;
        if (!closed) {
            close();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- DatagramQueue

    @Override public int size() { return entries.size(); }
    @Override public boolean isEmpty() { return entries.isEmpty(); }

    @Override
    public long bytes() {
        long n = 0;
        for (Entry e : entries) {
            n += e.bytes.remaining();
        }
        return n;
    }

    @Override public ByteBuffer buffer(int index) { return entries.get(index).bytes; }
    @Override public long address(int index) { return MemorySegment.ofBuffer(entries.get(index).bytes).address(); }
    @Override public int regionSlot(int index) { return -1; }
    @Override public InetSocketAddress target(int index) { return entries.get(index).target; }
    @Override public int segmentSize(int index) { return entries.get(index).segmentSize; }

    @Override
    public int datagrams(int index) {
        Entry e = entries.get(index);
        return e.segmentSize == 0 ? 1 : (e.bytes.remaining() + e.segmentSize - 1) / e.segmentSize;
    }

    @Override
    public void retain() {
        retains++;
    }

    @Override
    public void release() {
        if (retains == 0) {
            throw new IllegalStateException("not retained");
        }
        if (--retains == 0) {
            releasedHeld += held.size();
            held.clear();
        }
    }
}
