package io.ringline.nio;

import io.ringline.spi.AcceptedSocket;

import java.nio.channels.SocketChannel;

/** A channel the {@link NioListener} accepted, on its way to a worker's {@link NioWorkerIo#adopt}. */
record NioAcceptedSocket(SocketChannel channel) implements AcceptedSocket {

    @Override
    public void close() {
        NioWorkerIo.closeQuietly(channel);
    }
}
