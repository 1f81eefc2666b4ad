package io.ringline.internal;

import io.ringline.spi.Transport;

/**
 * A connection without a socket, on a {@link Worker#detached} worker: only the core's logic runs.
 * {@link #core} is the core's connection; this is its (inert) transport.
 */
final class SocketlessConnection implements Transport {
    final ConnectionImpl core;
    int closes;

    SocketlessConnection(Worker worker) {
        this.core = new ConnectionImpl(worker, this, null, null);
    }

    @Override
    public void flush() {
    }

    @Override
    public void shutdownOutput() {
    }

    @Override
    public void close(boolean reset) {
        closes++;
    }

    @Override
    public void readingPausedChanged(boolean paused) {
    }
}
