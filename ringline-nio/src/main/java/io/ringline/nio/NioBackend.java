package io.ringline.nio;

import io.ringline.internal.AcceptDispatcher;
import io.ringline.internal.Worker;
import io.ringline.spi.Backend;
import io.ringline.spi.Listener;
import io.ringline.spi.WorkerIo;

import java.io.IOException;
import java.net.InetSocketAddress;

/** One runtime's NIO backend: a {@link NioWorkerIo} per worker and a {@link NioListener} per address. */
final class NioBackend implements Backend {

    @Override
    public WorkerIo openWorker(Worker worker) throws IOException {
        return new NioWorkerIo(worker);
    }

    @Override
    public Listener listen(InetSocketAddress address, int backlog, AcceptDispatcher dispatcher) throws IOException {
        return new NioListener(address, backlog, dispatcher);
    }

    @Override
    public void close() {
        // nothing backend-wide
    }
}
