package io.ringline.nio;

import io.ringline.spi.AcceptSink;
import io.ringline.spi.Backend;
import io.ringline.spi.BackendOptions;
import io.ringline.spi.Listener;
import io.ringline.spi.WorkerIo;
import io.ringline.spi.WorkerServices;

import java.io.IOException;
import java.net.InetSocketAddress;

/** One runtime's NIO backend: a {@link NioWorkerIo} per worker and a {@link NioListener} per address. */
final class NioBackend implements Backend {

    private final BackendOptions options;
    private final String selector;

    /**
     * @param options  this runtime's resolved {@link NioBackendProvider} options
     * @param selector the {@link java.nio.channels.spi.SelectorProvider} the workers use, for {@link #describeFeatures}
     */
    NioBackend(BackendOptions options, String selector) {
        this.options = options;
        this.selector = selector;
    }

    @Override
    public WorkerIo openWorker(WorkerServices worker) throws IOException {
        return new NioWorkerIo(worker);
    }

    @Override
    public Listener listen(InetSocketAddress address, int backlog, AcceptSink sink) throws IOException {
        return new NioListener(address, backlog, sink);
    }

    /**
     * {@return the selector and the options of note, e.g. "EPollSelectorProvider; reads per
     * event 16, gather limit 64, datagrams per event 64, UDP SO_RCVBUF kernel default"}
     */
    @Override
    public String describeFeatures() {
        int rcvbuf = options.get(NioBackendProvider.UDP_RECEIVE_BUFFER_SIZE);
        return selector + "; reads per event " + options.get(NioBackendProvider.READS_PER_EVENT)
                + ", gather limit " + options.get(NioBackendProvider.GATHER_LIMIT)
                + ", datagrams per event " + options.get(NioBackendProvider.DATAGRAMS_PER_EVENT)
                + ", UDP SO_RCVBUF " + (rcvbuf == 0 ? "kernel default" : rcvbuf + " B");
    }

    @Override
    public void close() {
        // nothing backend-wide
    }
}
