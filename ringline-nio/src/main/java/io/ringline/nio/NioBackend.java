package io.ringline.nio;

import io.ringline.spi.AcceptSink;
import io.ringline.spi.Backend;
import io.ringline.spi.Listener;
import io.ringline.spi.WorkerIo;
import io.ringline.spi.WorkerServices;

import java.io.IOException;
import java.net.InetSocketAddress;

/** One runtime's NIO backend: a {@link NioWorkerIo} per worker and a {@link NioListener} per address. */
final class NioBackend implements Backend {

    @Override
    public WorkerIo openWorker(WorkerServices worker) throws IOException {
        return new NioWorkerIo(worker);
    }

    @Override
    public Listener listen(InetSocketAddress address, int backlog, AcceptSink sink) throws IOException {
        return new NioListener(address, backlog, sink);
    }

    @Override
    public void close() {
        // nothing backend-wide
    }
}
