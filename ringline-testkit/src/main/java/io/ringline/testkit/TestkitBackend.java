package io.ringline.testkit;

import io.ringline.spi.AcceptSink;
import io.ringline.spi.Backend;
import io.ringline.spi.Listener;
import io.ringline.spi.WorkerIo;
import io.ringline.spi.WorkerServices;

import java.io.IOException;
import java.net.InetSocketAddress;

/** One runtime's testkit backend: a {@link TestkitWorkerIo} per worker, a {@link TestkitListener} per address. */
final class TestkitBackend implements Backend {

    private final TestkitSettings settings;

    TestkitBackend(TestkitSettings settings) {
        this.settings = settings;
    }

    @Override
    public WorkerIo openWorker(WorkerServices worker) {
        return new TestkitWorkerIo(worker, settings);
    }

    @Override
    public Listener listen(InetSocketAddress address, int backlog, AcceptSink sink) throws IOException {
        return new TestkitListener(address, backlog, sink, settings);
    }

    @Override
    public void close() {
        // nothing backend-wide: the runtime closes the listeners, the workers their drivers
    }
}
