package io.ringline.uring;

import io.ringline.Config;
import io.ringline.spi.AcceptSink;
import io.ringline.spi.Backend;
import io.ringline.spi.Listener;
import io.ringline.spi.WorkerIo;
import io.ringline.spi.WorkerServices;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One runtime's io_uring backend: a ring per worker (see {@link UringWorkerIo}), an acceptor ring
 * per listener (see {@link UringListener}) and, when fixed buffers are on, the {@link RegionDonor}
 * that charges registered regions once.
 *
 * <p>Thread-safe: {@link #openWorker} runs on each worker's thread, {@link #listen} and
 * {@link #close} on the runtime's control threads.
 */
final class IoUringBackend implements Backend {

    private final Config config;
    private final UringFeatures features;
    private final RegionDonor donor;
    private final AtomicInteger listenerIds = new AtomicInteger();

    /**
     * @param features this runtime's feature set and sizes
     * @throws IOException if the region donor ring cannot be created
     */
    IoUringBackend(Config config, UringFeatures features) throws IOException {
        this.config = config;
        this.features = features;
        this.donor = features.fixedBuffers() && config.maxRegions() > 0 ? new RegionDonor(config.maxRegions()) : null;
    }

    @Override
    public WorkerIo openWorker(WorkerServices worker) throws IOException {
        return new UringWorkerIo(worker, donor, features);
    }

    @Override
    public Listener listen(InetSocketAddress address, int backlog, AcceptSink sink) throws IOException {
        return new UringListener(address, backlog, sink, "ringline-io_uring-acceptor-" + listenerIds.getAndIncrement(),
                features);
    }

    /** {@return the features in use: see {@link UringFeatures#describeInUse}} */
    @Override
    public String describeFeatures() {
        return features.describeInUse(config.recvBufferCount(), config.recvBufferSize(), config.maxRegions(),
                features.udpGso() ? UringUdpSocket.gsoUnsupported() : null);
    }

    @Override
    public void close() {
        if (donor != null) {
            donor.close();
        }
    }
}
