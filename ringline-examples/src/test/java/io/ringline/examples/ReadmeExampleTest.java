package io.ringline.examples;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Keeps the handler of README.md's "A handler" section compiling and working. Keep the two in sync. */
@Timeout(30)
class ReadmeExampleTest {

    /** One instance per worker; every callback runs on that worker's thread. */
    static final class EchoHandler implements Handler {
        @Override
        public int onData(Connection connection, ByteBuffer data) {
            int n = data.remaining();
            connection.send(data); // copies into the send queue; throws SendQueueFullException if full
            return n;              // bytes consumed; the rest would be presented again with more data
        }
    }

    @Test
    void readmeHandlerEchoes() throws IOException {
        Config config = Config.builder().workers(1).bind(new InetSocketAddress("127.0.0.1", 0)).build();
        try (Runtime runtime = Runtime.start(config, worker -> new EchoHandler());
             Socket s = new Socket()) {
            s.connect(runtime.boundAddresses().getFirst(), 5000);
            s.setSoTimeout(10_000);
            byte[] line = "from the README\n".getBytes(StandardCharsets.UTF_8);
            s.getOutputStream().write(line);
            assertArrayEquals(line, s.getInputStream().readNBytes(line.length));
        }
    }
}
