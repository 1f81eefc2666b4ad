package io.ringline.nio;

import io.ringline.spi.DatagramQueue;
import io.ringline.spi.UdpCore;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link UdpCore} for driving {@link NioUdpSocket} without the runtime: it records what the
 * driver reports, and its send queue is a list the test fills with {@link #queue}. With
 * {@link #keep} false it only counts received datagrams (allocating nothing), for the allocation test.
 */
final class FakeUdpCore implements UdpCore {

    /** A received datagram, copied. */
    record Received(InetSocketAddress sender, byte[] bytes, boolean truncated) {
    }

    final List<Received> received = new ArrayList<>();
    final List<IOException> sendFailures = new ArrayList<>();
    final List<IOException> asyncErrors = new ArrayList<>();
    final List<Long> kernelDrops = new ArrayList<>();
    /** The send reports in order: "sent N", "failed", "flushed". */
    final List<String> sendEvents = new ArrayList<>();
    boolean keep = true;
    long receivedCount;
    long sentEntries;
    int flushes;
    Throwable failure;
    boolean closed;
    /** Set by the test after the socket is opened; {@link #failed} closes it, as the real core does. */
    NioUdpSocket transport;

    private final Queue queue = new Queue();

    /** Queues a datagram (a direct copy of {@code bytes}) to {@code target} (null: the connected peer). */
    void queue(InetSocketAddress target, byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length + 8);
        b.position(3).limit(3 + bytes.length); // not at 0: the driver must keep position and limit
        b.duplicate().put(bytes);
        queue.entries.add(new Entry(b, target));
    }

    int queued() {
        return queue.size();
    }

    @Override
    public void received(InetSocketAddress sender, ByteBuffer datagram, boolean truncated) {
        if (!datagram.isReadOnly() || !datagram.isDirect()) {
            throw new IllegalArgumentException("datagram must be read-only and direct: " + datagram);
        }
        receivedCount++;
        if (keep) {
            byte[] bytes = new byte[datagram.remaining()];
            datagram.get(bytes);
            received.add(new Received(sender, bytes, truncated));
        }
    }

    @Override
    public void kernelDrops(long total) {
        kernelDrops.add(total);
    }

    @Override
    public DatagramQueue outbound() {
        return queue;
    }

    @Override
    public void sent(int entries) {
        if (entries <= 0 || entries > queue.size()) {
            throw new IllegalArgumentException("sent(" + entries + ") with " + queue.size() + " queued");
        }
        for (int i = 0; i < entries; i++) {
            Entry e = queue.entries.removeFirst();
            if (e.buffer.position() != 3 || e.buffer.limit() != 3 + e.length) {
                throw new AssertionError("the driver moved a queued buffer: " + e.buffer);
            }
        }
        sentEntries += entries;
        sendEvents.add("sent " + entries);
    }

    @Override
    public void sendFailed(IOException cause) {
        queue.entries.removeFirst();
        sendFailures.add(cause);
        sendEvents.add("failed");
    }

    @Override
    public void asyncError(IOException cause) {
        asyncErrors.add(cause);
    }

    @Override
    public void flushed() {
        flushes++;
        sendEvents.add("flushed");
    }

    @Override
    public void failed(Throwable cause) {
        failure = cause;
        closed = true;
        if (transport != null) {
            transport.close();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    private static final class Entry {
        final ByteBuffer buffer;
        final InetSocketAddress target;
        final int length;

        Entry(ByteBuffer buffer, InetSocketAddress target) {
            this.buffer = buffer;
            this.target = target;
            this.length = buffer.remaining();
        }
    }

    private static final class Queue implements DatagramQueue {
        final ArrayList<Entry> entries = new ArrayList<>();

        @Override
        public int size() {
            return entries.size();
        }

        @Override
        public boolean isEmpty() {
            return entries.isEmpty();
        }

        @Override
        public long bytes() {
            long n = 0;
            for (Entry e : entries) {
                n += e.length;
            }
            return n;
        }

        @Override
        public ByteBuffer buffer(int index) {
            return entries.get(index).buffer;
        }

        @Override
        public long address(int index) {
            throw new UnsupportedOperationException("not used by the NIO driver");
        }

        @Override
        public int regionSlot(int index) {
            return -1;
        }

        @Override
        public InetSocketAddress target(int index) {
            return entries.get(index).target;
        }

        @Override
        public int segmentSize(int index) {
            return 0;
        }

        @Override
        public int datagrams(int index) {
            return 1;
        }

        @Override
        public void retain() {
        }

        @Override
        public void release() {
        }
    }
}
