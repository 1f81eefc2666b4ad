package io.ringline.testkit;

import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code testkit.readDelayMillis}: bytes reach the handler no earlier than the delay after they were written. */
class ReadDelayTest {

    private static final int DELAY_MILLIS = 200;

    @Test
    void bytesAndTheEndOfStreamArriveAfterTheDelay() throws Exception {
        CompletableFuture<Long> firstData = new CompletableFuture<>();
        CompletableFuture<Long> inputClosed = new CompletableFuture<>();
        Handler h = new Handler() {
            @Override
            public int onData(Connection c, ByteBuffer data) {
                firstData.complete(System.nanoTime());
                return data.remaining();
            }

            @Override
            public void onInputClosed(Connection c) {
                inputClosed.complete(System.nanoTime());
                c.close();
            }
        };
        try (Runtime runtime = Runtime.start(Testkit.config()
                .option(TestkitOptions.READ_DELAY_MILLIS.name(), DELAY_MILLIS).build(), worker -> h);
             TestPeer peer = Testkit.connect(runtime)) {
            long written = System.nanoTime();
            peer.output().write(new byte[] {1, 2, 3});
            peer.shutdownOutput();
            long delivered = firstData.get(10, TimeUnit.SECONDS) - written;
            long ended = inputClosed.get(10, TimeUnit.SECONDS) - written;
            assertTrue(delivered >= TimeUnit.MILLISECONDS.toNanos(DELAY_MILLIS), "delivered after " + delivered + " ns");
            assertTrue(ended >= delivered, "the end of stream after the bytes");
            assertEquals(-1, peer.input().read(), "the server closed");
        }
    }
}
