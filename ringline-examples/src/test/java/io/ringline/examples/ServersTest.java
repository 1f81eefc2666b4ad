package io.ringline.examples;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A server whose worker dies stops by itself and exits non-zero, naming the cause. */
class ServersTest {

    /** Dies with a VirtualMachineError as soon as a client sends anything. */
    static final class Dying implements Handler {
        @Override
        public int onData(Connection connection, ByteBuffer data) {
            throw new InternalError("simulated VM failure");
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("io.ringline.examples.Backends#names")
    void aDeadWorkerStopsTheServerWithAFailureExitNamingTheCause(String backend) throws Exception {
        Backends.assumeAvailable(backend);
        Config config = Config.builder().backend(backend).workers(2)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .shutdownGracePeriod(Duration.ofSeconds(1)).build();
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
            try {
                return Servers.serve("dying", config, worker -> new Dying(), out, err);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Pattern listening = Pattern.compile("listening on .*:(\\d+) with");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int port = -1;
        while (port < 0) {
            Matcher m = listening.matcher(outBytes.toString(StandardCharsets.UTF_8));
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            } else {
                assertTrue(System.nanoTime() < deadline && !status.isDone(), "server did not start: " + errBytes);
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // poll interval
            }
        }
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write('x');
            assertEquals(Main.EXIT_FAILURE, status.get(10, TimeUnit.SECONDS), "exit status after a worker died");
        }
        String e = errBytes.toString(StandardCharsets.UTF_8);
        assertTrue(e.contains("stopped with an error") && e.contains("InternalError")
                && e.contains("simulated VM failure"), e);
    }
}
