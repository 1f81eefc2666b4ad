package io.ringline.tests.support;

import io.ringline.Connection;
import io.ringline.Handler;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** A handler that records accepted connections and discards what they receive. */
public final class Accepting implements Handler {
    private final BlockingQueue<Connection> opened = new ArrayBlockingQueue<>(16);

    @Override
    public void onOpen(Connection c) {
        opened.add(c);
    }

    @Override
    public int onData(Connection c, ByteBuffer data) {
        return data.remaining();
    }

    /** {@return the next accepted connection, waiting up to 20 s} */
    public Connection next() throws InterruptedException {
        Connection c = opened.poll(20, TimeUnit.SECONDS);
        assertNotNull(c, "a connection was accepted");
        return c;
    }
}
