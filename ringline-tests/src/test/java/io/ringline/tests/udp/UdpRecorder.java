package io.ringline.tests.udp;

import io.ringline.Connection;
import io.ringline.DatagramHandler;
import io.ringline.Handler;
import io.ringline.UdpSocket;
import io.ringline.tests.support.Await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A worker handler ({@link Handler} for TCP, discarding) that is also a {@link DatagramHandler}
 * recording every UDP callback with the thread it ran on; optionally it echoes each whole datagram
 * to its sender. One instance may serve every worker and every opened socket (the record is
 * thread-safe). Subclass it to add behaviour (call {@code super} to keep the record).
 */
class UdpRecorder implements Handler, DatagramHandler {

    /**
     * One datagram callback.
     *
     * @param socket    the socket it arrived on
     * @param sender    the sender
     * @param size      its length ({@code head} length for a truncated one)
     * @param bytes     a copy of its bytes, or null when the recorder keeps no bytes
     * @param truncated whether it came through {@code onDatagramTruncated}
     * @param thread    the thread the callback ran on
     */
    record Datagram(UdpSocket socket, InetSocketAddress sender, int size, byte[] bytes, boolean truncated, Thread thread) {
    }

    /** An {@code onUdpSendFailed} callback. */
    record SendFailure(UdpSocket socket, InetSocketAddress target, IOException cause, Thread thread) {
    }

    /** An {@code onUdpClosed} callback. */
    record Closed(UdpSocket socket, Throwable cause, Thread thread) {
    }

    private final boolean echo;
    private final boolean keepBytes;
    private final Queue<Datagram> datagrams = new ConcurrentLinkedQueue<>();
    private final Queue<SendFailure> sendFailures = new ConcurrentLinkedQueue<>();
    private final Queue<Closed> closes = new ConcurrentLinkedQueue<>();
    private final Queue<UdpSocket> writables = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong echoed = new AtomicLong();

    /**
     * @param echo      send every whole datagram back to its sender
     * @param keepBytes keep a copy of every datagram's bytes (not for floods of large ones)
     */
    UdpRecorder(boolean echo, boolean keepBytes) {
        this.echo = echo;
        this.keepBytes = keepBytes;
    }

    /** {@return a recorder that keeps the bytes and does not echo} */
    static UdpRecorder recording() {
        return new UdpRecorder(false, true);
    }

    /** {@return a recorder that echoes and keeps the bytes} */
    static UdpRecorder echoing() {
        return new UdpRecorder(true, true);
    }

    @Override
    public int onData(Connection connection, ByteBuffer data) {
        return data.remaining();
    }

    @Override
    public void onDatagram(UdpSocket socket, InetSocketAddress sender, ByteBuffer datagram) {
        record(socket, sender, datagram, false);
        if (echo) {
            socket.sendTo(sender, datagram);
            echoed.incrementAndGet();
        }
    }

    @Override
    public void onDatagramTruncated(UdpSocket socket, InetSocketAddress sender, ByteBuffer head) {
        record(socket, sender, head, true);
    }

    private void record(UdpSocket socket, InetSocketAddress sender, ByteBuffer data, boolean truncated) {
        byte[] bytes = null;
        if (keepBytes) {
            bytes = new byte[data.remaining()];
            data.duplicate().get(bytes);
        }
        datagrams.add(new Datagram(socket, sender, data.remaining(), bytes, truncated, Thread.currentThread()));
        count.incrementAndGet();
    }

    @Override
    public void onUdpWritable(UdpSocket socket) {
        writables.add(socket);
    }

    @Override
    public void onUdpSendFailed(UdpSocket socket, InetSocketAddress target, IOException cause) {
        sendFailures.add(new SendFailure(socket, target, cause, Thread.currentThread()));
    }

    @Override
    public void onUdpClosed(UdpSocket socket, Throwable cause) {
        closes.add(new Closed(socket, cause, Thread.currentThread()));
    }

    /** {@return every datagram callback so far, in order} */
    List<Datagram> datagrams() {
        return List.copyOf(datagrams);
    }

    /** {@return the whole datagrams ({@code onDatagram}) so far} */
    List<Datagram> whole() {
        return datagrams.stream().filter(d -> !d.truncated()).toList();
    }

    /** {@return the truncated datagrams ({@code onDatagramTruncated}) so far} */
    List<Datagram> truncated() {
        return datagrams.stream().filter(Datagram::truncated).toList();
    }

    /** {@return how many datagram callbacks ran} */
    int count() {
        return count.get();
    }

    /** {@return how many datagrams were echoed} */
    long echoed() {
        return echoed.get();
    }

    List<SendFailure> sendFailures() {
        return List.copyOf(sendFailures);
    }

    List<Closed> closes() {
        return List.copyOf(closes);
    }

    List<UdpSocket> writables() {
        return List.copyOf(writables);
    }

    /** Waits until {@code n} datagram callbacks ran. */
    void awaitDatagrams(int n) {
        Await.until(() -> count() >= n, () -> n + " datagrams received, got " + count());
    }

    /** Waits until {@code n} {@code onUdpClosed} callbacks ran. */
    void awaitCloses(int n) {
        Await.until(() -> closes.size() >= n, () -> n + " onUdpClosed callbacks, got " + closes());
    }
}
