package io.ringline.internal;

import io.ringline.DatagramHandler;
import io.ringline.UdpSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** A {@link DatagramHandler} that records every callback, for core tests. */
class UdpRecorder implements DatagramHandler {

    record Datagram(InetSocketAddress sender, byte[] bytes, boolean truncated, ByteBuffer buffer, ByteOrder order) {
    }

    record SendFailure(InetSocketAddress target, IOException cause) {
    }

    final List<Datagram> datagrams = new ArrayList<>();
    final List<SendFailure> sendFailures = new ArrayList<>();
    final List<Throwable> closes = new ArrayList<>();
    int writables;
    int closeCalls;

    @Override
    public void onDatagram(UdpSocket socket, InetSocketAddress sender, ByteBuffer datagram) {
        datagrams.add(record(sender, datagram, false));
    }

    @Override
    public void onDatagramTruncated(UdpSocket socket, InetSocketAddress sender, ByteBuffer head) {
        datagrams.add(record(sender, head, true));
    }

    private static Datagram record(InetSocketAddress sender, ByteBuffer b, boolean truncated) {
        byte[] bytes = new byte[b.remaining()];
        b.get(b.position(), bytes);
        return new Datagram(sender, bytes, truncated, b, b.order());
    }

    @Override
    public void onUdpWritable(UdpSocket socket) {
        writables++;
    }

    @Override
    public void onUdpSendFailed(UdpSocket socket, InetSocketAddress target, IOException cause) {
        sendFailures.add(new SendFailure(target, cause));
    }

    @Override
    public void onUdpClosed(UdpSocket socket, Throwable cause) {
        closeCalls++;
        closes.add(cause);
    }
}
