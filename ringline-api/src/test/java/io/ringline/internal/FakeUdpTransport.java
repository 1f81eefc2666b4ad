package io.ringline.internal;

import io.ringline.spi.DatagramQueue;
import io.ringline.spi.UdpCore;
import io.ringline.spi.UdpTransport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A UDP transport in memory, for core tests: a flush takes up to {@link #takePerFlush} queue
 * entries (recording them in {@link #sent} unless {@link #record} is off, which allocates nothing),
 * reports them with {@link UdpCore#sent} and ends with {@link UdpCore#flushed()}. {@link #receive}
 * delivers a datagram to the core as a driver would: read-only, direct.
 */
final class FakeUdpTransport implements UdpTransport {

    /** One queue entry the fake "kernel" took. */
    record Sent(InetSocketAddress target, byte[] bytes, int segmentSize, int datagrams, int regionSlot) {
    }

    final InetSocketAddress local;
    final boolean segmentationOffload;
    UdpCore core;
    int takePerFlush = Integer.MAX_VALUE;
    boolean record = true;
    final List<Sent> sent = new ArrayList<>();
    int flushes;
    int closes;
    boolean receiving;
    private final ByteBuffer receiveMemory = ByteBuffer.allocateDirect(64 * 1024);
    private final ByteBuffer receiveView = receiveMemory.asReadOnlyBuffer();

    FakeUdpTransport(InetSocketAddress local, boolean segmentationOffload) {
        this.local = local;
        this.segmentationOffload = segmentationOffload;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public void startReceiving() {
        receiving = true;
    }

    @Override
    public void flush() {
        flushes++;
        DatagramQueue q = core.outbound();
        int n = Math.min(takePerFlush, q.size());
        if (record) {
            for (int i = 0; i < n; i++) {
                ByteBuffer b = q.buffer(i);
                byte[] bytes = new byte[b.remaining()];
                b.get(b.position(), bytes);
                sent.add(new Sent(q.target(i), bytes, q.segmentSize(i), q.datagrams(i), q.regionSlot(i)));
            }
        }
        if (n > 0) {
            core.sent(n);
        }
        core.flushed();
    }

    @Override
    public boolean segmentationOffload() {
        return segmentationOffload;
    }

    @Override
    public boolean receiveOffload() {
        return false;
    }

    @Override
    public void close() {
        closes++;
    }

    /** Delivers {@code bytes} from {@code sender} as the driver would (read-only direct memory, reused). */
    void receive(InetSocketAddress sender, byte[] bytes, boolean truncated) {
        receiveMemory.clear().put(0, bytes);
        receiveView.limit(bytes.length).position(0);
        core.received(sender, receiveView, truncated);
    }

    /** Delivers {@code length} bytes already in place without allocating (allocation tests). */
    void receive(InetSocketAddress sender, int length) {
        receiveView.limit(length).position(0);
        core.received(sender, receiveView, false);
    }
}
