package com.example.consumer;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user's first program does, built only from the published artifacts: start a runtime on
 * each backend named by the system property {@code consumer.backends}, echo one TCP connection,
 * stop.
 */
class ConsumerEchoTest {

    /** Sends back what it receives (copied into the send queue; a line is far below its limit). */
    static final class Echo implements Handler {
        @Override
        public int onData(Connection connection, ByteBuffer data) {
            int n = data.remaining();
            connection.send(data);
            return n;
        }
    }

    @Test
    void echoesOneConnectionOnEachBackend() throws Exception {
        String backends = System.getProperty("consumer.backends", "nio");
        for (String backend : backends.split(",")) {
            echoOnce(backend.trim());
        }
    }

    private static void echoOnce(String backend) throws Exception {
        Config config = Config.builder()
                .workers(1)
                .backend(backend)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .build();
        byte[] line = ("hello from a consumer over " + backend + "\n").getBytes(StandardCharsets.US_ASCII);
        try (Runtime runtime = Runtime.start(config, worker -> new Echo())) {
            assertEquals(backend, runtime.backendName(), "backend in use");
            InetSocketAddress bound = runtime.boundAddresses().get(0);
            try (Socket socket = new Socket(bound.getAddress(), bound.getPort())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(line);
                out.flush();
                InputStream in = socket.getInputStream();
                byte[] reply = in.readNBytes(line.length);
                assertArrayEquals(line, reply, "echo on " + backend);
            }
            runtime.shutdownHandle().shutdown();
            runtime.awaitTermination();
            assertTrue(runtime.isTerminated(), "terminated after shutdown");
        }
    }
}
