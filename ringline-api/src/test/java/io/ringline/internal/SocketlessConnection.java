package io.ringline.internal;

/** A connection without a socket, on a {@link Worker#detached} worker: only the core's logic runs. */
final class SocketlessConnection extends BaseConnection {
    int closes;

    SocketlessConnection(Worker worker) {
        super(worker, null, null);
    }

    @Override
    protected void doFlush() {
    }

    @Override
    protected void doShutdownOutput() {
    }

    @Override
    protected void doClose(boolean reset) {
        closes++;
    }
}
