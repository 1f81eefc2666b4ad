package io.ringline.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The in-process starter of the example servers (used by the allocation probe). */
class ExampleServerTest {

    static List<String> backends() {
        return Backends.names();
    }

    static final List<String> ARGS = List.of("--port", "0", "--workers", "1", "--host", "127.0.0.1");

    @ParameterizedTest
    @MethodSource("backends")
    void startsEachServerOnTheBackendAsked(String backend) throws Exception {
        Backends.assumeAvailable(backend);
        try (ExampleServer echo = ExampleServer.start("echo", backend, ARGS);
                ExampleServer resp = ExampleServer.start("resp", backend, ARGS)) {
            assertEquals(backend, echo.runtime().backendName());
            assertEquals(1, echo.runtime().workerCount());
            assertArrayEquals(ascii("hello"), exchange(echo, "hello", 5));
            assertArrayEquals(ascii("+PONG\r\n"), exchange(resp, "PING\r\n", 7));
        }
    }

    @Test
    void badKindOrArgumentsAreRefusedWithTheReason() {
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class,
                () -> ExampleServer.start("ftp", "nio", ARGS));
        assertTrue(kind.getMessage().contains("'ftp'"), kind.getMessage());
        IllegalArgumentException args = assertThrows(IllegalArgumentException.class,
                () -> ExampleServer.start("echo", "nio", List.of("--port", "70000")));
        assertTrue(args.getMessage().startsWith("echo: ") && args.getMessage().contains("port"), args.getMessage());
    }

    private static byte[] exchange(ExampleServer server, String request, int replyLength) throws Exception {
        try (Socket s = new Socket(server.address().getAddress(), server.address().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(ascii(request));
            return s.getInputStream().readNBytes(replyLength);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
