package io.ringline.internal;

import io.ringline.Config;
import io.ringline.TlsConfig;
import io.ringline.spi.BackendOptions;
import io.ringline.spi.ConnectionCore;
import io.ringline.spi.IoStats;
import io.ringline.spi.Transport;
import io.ringline.spi.WorkerServices;

import java.net.SocketAddress;
import java.util.Objects;

/** What the core offers one worker's I/O driver: a view of its {@link Worker} limited to the SPI. */
final class WorkerServicesImpl implements WorkerServices {

    private final Worker worker;
    private final BackendOptions options;

    WorkerServicesImpl(Worker worker, BackendOptions options) {
        this.worker = worker;
        this.options = options;
    }

    @Override
    public int workerId() {
        return worker.workerId();
    }

    @Override
    public Config config() {
        return worker.config();
    }

    @Override
    public BackendOptions options() {
        return options;
    }

    @Override
    public IoStats stats() {
        return worker.stats().io();
    }

    @Override
    public ConnectionCore newConnection(Transport transport, SocketAddress localAddress, SocketAddress remoteAddress,
                                        java.util.concurrent.CompletableFuture<io.ringline.Connection> connect) {
        worker.checkThread("WorkerServices.newConnection");
        if (connect == null) {
            TlsConfig tls = worker.inbox().adoptingTls(); // inside WorkerIo.adopt: the listener's, if TLS
            return new ConnectionImpl(worker, transport, localAddress, remoteAddress, tls, null, null);
        }
        OutboundConnects.TlsConnect tls = worker.connects().tlsFor(connect);
        return tls == null ? new ConnectionImpl(worker, transport, localAddress, remoteAddress)
                : new ConnectionImpl(worker, transport, localAddress, remoteAddress, tls.config(), tls.serverName(), tls.stage());
    }

    @Override
    public void executeBackendTask(Runnable task) {
        Objects.requireNonNull(task, "task");
        worker.executeInternal(task::run);
    }

    @Override
    public boolean isShuttingDown() {
        return worker.isShuttingDown();
    }

    @Override
    public String toString() {
        return worker.toString();
    }
}
