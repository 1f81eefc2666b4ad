package io.ringline.nio;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.spi.BackendOptions;
import io.ringline.spi.ConnectionCore;
import io.ringline.spi.IoStats;
import io.ringline.spi.Transport;
import io.ringline.spi.WorkerServices;

import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The {@link WorkerServices} a {@link NioWorkerIo} needs for UDP, without a runtime (the test thread is the worker). */
final class FakeWorkerServices implements WorkerServices {

    private final Config config;
    private final BackendOptions options;
    long ops;
    /** One instance: the driver asks for it per operation, and the allocation test counts every byte. */
    private final IoStats stats = new IoStats() {
        @Override
        public void opsSubmitted(int n) {
            ops += n;
        }

        @Override
        public void kernelEntered() {
        }

        @Override
        public void recvBufferExhausted() {
        }

        @Override
        public void zeroCopySent() {
        }
    };

    FakeWorkerServices(Config config, Map<String, Object> options) {
        this.config = config;
        this.options = BackendOptions.resolve(NioBackendProvider.NAME, new NioBackendProvider().options(), options);
    }

    @Override
    public int workerId() {
        return 0;
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    public BackendOptions options() {
        return options;
    }

    @Override
    public IoStats stats() {
        return stats;
    }

    @Override
    public ConnectionCore newConnection(Transport transport, SocketAddress localAddress, SocketAddress remoteAddress,
                                        CompletableFuture<Connection> connect) {
        throw new UnsupportedOperationException("UDP tests only");
    }

    @Override
    public void executeBackendTask(Runnable task) {
        throw new UnsupportedOperationException("UDP tests only");
    }

    @Override
    public boolean isShuttingDown() {
        return false;
    }
}
