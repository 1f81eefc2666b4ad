package io.ringline.examples;

import io.ringline.Config;
import io.ringline.HandlerFactory;
import io.ringline.WorkerContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --metrics}: parsed by every server subcommand, off by default; the line appears once per second. */
class MetricsTest {

    private static final Pattern LISTENING = Pattern.compile("(?:listening|UDP) on .*:(\\d+) with");

    @Test
    void everyServerCommandAcceptsTheFlagAndItIsOffByDefault() throws Exception {
        List<String> base = List.of("--port", "0", "--workers", "1");
        assertFalse(ServerOptions.metrics(ServerOptions.parse(base)));
        assertTrue(ServerOptions.metrics(ServerOptions.parse(with(base, "--metrics"))));
        assertTrue(ServerOptions.metrics(ServerOptions.parse(List.of("--metrics", "--port", "0"))), "flag first");
        EchoCommand.config(with(base, "--metrics"));
        HttpCommand.config(with(base, "--metrics"));
        UdpEchoCommand.config(with(base, "--metrics"));
        assertTrue(RespCommand.settings(with(base, "--metrics")).metrics());
        assertFalse(RespCommand.settings(base).metrics());
    }

    @Test
    void theFlagTakesNoValue() {
        UsageException e = assertThrows(UsageException.class,
                () -> ServerOptions.parse(List.of("--port", "0", "--metrics=yes")));
        assertEquals("option --metrics takes no value", e.getMessage());
        assertThrows(UsageException.class, () -> ServerOptions.parse(List.of("--metrics", "--metrics", "--port", "0")),
                "given twice");
        assertThrows(UsageException.class, () -> UdpEchoCommand.config(List.of("--port", "0", "--metrics=1")));
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("io.ringline.examples.Backends#names")
    void anEchoServerWithMetricsPrintsALinePerSecondThatCountsTheTraffic(String backend) throws Exception {
        Backends.assumeAvailable(backend);
        Config config = EchoCommand.builder(List.of("--port", "0", "--workers", "2", "--host", "127.0.0.1"))
                .backend(backend).build();
        Server server = Server.start("echo", config, EchoHandler.factory(config));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            Pattern line = Pattern.compile("ringline echo: metrics: 1 connections open, ([1-9]\\d*) sends/s, in \\S+ k?B/s,"
                    + " out \\S+ k?B/s, \\d+ loop iterations/s, \\d+\\.\\d\\d kernel entries/send");
            server.awaitLine(line, () -> echo(s));
        }
        server.stop();
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("io.ringline.examples.Backends#names")
    void aUdpEchoServerWithMetricsCountsDatagrams(String backend) throws Exception {
        Backends.assumeAvailable(backend);
        Config config = UdpEchoCommand.builder(List.of("--port", "0", "--workers", "1", "--host", "127.0.0.1"))
                .backend(backend).build();
        Server server = Server.start("udp-echo", config, UdpEchoHandler.factory());
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(5000);
            Pattern line = Pattern.compile("ringline udp-echo: metrics: 0 connections open, ([1-9]\\d*) datagrams/s, .*"
                    + " kernel entries/datagram");
            server.awaitLine(line, () -> {
                byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
                s.send(new DatagramPacket(ping, ping.length, InetAddress.getLoopbackAddress(), server.port()));
                s.receive(new DatagramPacket(new byte[16], 16));
            });
        }
        server.stop();
    }

    private static void echo(Socket s) throws Exception {
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        out.write("hello".getBytes(StandardCharsets.US_ASCII));
        assertEquals("hello", new String(in.readNBytes(5), StandardCharsets.US_ASCII));
    }

    private static List<String> with(List<String> args, String more) {
        return java.util.stream.Stream.concat(args.stream(), java.util.stream.Stream.of(more)).toList();
    }

    /** Traffic the test sends while it waits for a line. */
    interface Traffic {
        void send() throws Exception;
    }

    /** {@link Servers#serve} with metrics on, in this JVM, its output captured. */
    private record Server(String name, CompletableFuture<Integer> status, ByteArrayOutputStream outBytes,
                          ByteArrayOutputStream errBytes, AtomicReference<WorkerContext> worker, int port) {

        static Server start(String name, Config config, HandlerFactory factory) {
            ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
            ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
            PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
            AtomicReference<WorkerContext> worker = new AtomicReference<>();
            HandlerFactory capturing = w -> {
                worker.set(w);
                return factory.create(w);
            };
            CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
                try {
                    return Servers.serve(name, config, capturing, true, out, err);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                Matcher m = LISTENING.matcher(outBytes.toString(StandardCharsets.UTF_8));
                if (m.find()) {
                    return new Server(name, status, outBytes, errBytes, worker, Integer.parseInt(m.group(1)));
                }
                assertTrue(System.nanoTime() < deadline && !status.isDone(), "server did not start: " + errBytes);
                LockSupport.parkNanos(1_000_000); // poll interval
            }
        }

        /** Sends {@code traffic} each time a new metrics line appears, until one matches {@code line}. */
        void awaitLine(Pattern line, Traffic traffic) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long seen = -1;
            while (true) {
                String out = outBytes.toString(StandardCharsets.UTF_8);
                if (line.matcher(out).find()) {
                    return;
                }
                long lines = out.lines().filter(l -> l.contains(" metrics: ")).count();
                if (lines != seen) {
                    seen = lines;
                    traffic.send();
                }
                assertTrue(System.nanoTime() < deadline, "no line matching " + line + " in:\n" + out + errBytes);
                LockSupport.parkNanos(1_000_000); // poll interval
            }
        }

        /** Shuts the server down; it stops normally and its metrics thread ends with it. */
        void stop() throws Exception {
            worker.get().shutdownHandle().shutdown();
            assertEquals(Main.EXIT_OK, status.get(20, TimeUnit.SECONDS), "exit status: " + errBytes);
            assertTrue(outBytes.toString(StandardCharsets.UTF_8).contains("ringline " + name + ": stopped"));
            assertFalse(Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().equals("ringline-metrics") && t.isAlive()), "metrics thread stopped");
        }
    }
}
