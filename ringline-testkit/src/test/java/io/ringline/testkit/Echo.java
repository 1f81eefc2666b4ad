package io.ringline.testkit;

import io.ringline.Connection;
import io.ringline.Handler;

import java.nio.ByteBuffer;

/**
 * Echoes every byte, with backpressure: when the send queue refuses, it pauses reading and keeps
 * the bytes unconsumed until {@code onWritable}.
 */
class Echo implements Handler {

    @Override
    public int onData(Connection connection, ByteBuffer data) {
        int n = data.remaining();
        if (!connection.trySend(data)) {
            connection.pauseReading();
            return 0;
        }
        return n;
    }

    @Override
    public void onWritable(Connection connection) {
        connection.resumeReading();
    }
}
