package io.ringline.examples;

import io.ringline.Config;
import io.ringline.UdpMode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Argument parsing and exit statuses of {@link Main}; nothing here serves connections. */
class MainTest {

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void noArgumentsPrintsUsageAndExits64() {
        assertEquals(Main.EXIT_USAGE, run());
        assertTrue(err().contains("usage:"), err());
        assertTrue(err().contains("echo"), err());
    }

    @Test
    void helpPrintsUsageAndExits0() {
        assertEquals(Main.EXIT_OK, run("--help"));
        assertTrue(out().contains("usage:") && out().contains("echo --port N"), out());
        assertEquals(Main.EXIT_OK, run("echo", "--help"));
    }

    @Test
    void unknownCommandExits64() {
        assertEquals(Main.EXIT_USAGE, run("bogus", "--port", "1"));
        assertTrue(err().contains("unknown command 'bogus'"), err());
    }

    @Test
    void badEchoArgumentsExit64WithReason() {
        assertUsage("option --port is required", "echo");
        assertUsage("option --port must be an integer, was 'x'", "echo", "--port", "x");
        assertUsage("option --port must be in [0, 65535], was 70000", "echo", "--port", "70000");
        assertUsage("option --port needs a value", "echo", "--port");
        assertUsage("option --workers must be in [1, 1024], was 0", "echo", "--port", "0", "--workers", "0");
        assertUsage("unknown option --frobnicate", "echo", "--port", "0", "--frobnicate", "1");
        assertUsage("unexpected argument 'extra'", "echo", "--port", "0", "extra");
        assertUsage("option --port given twice", "echo", "--port", "1", "--port=2");
    }

    private void assertUsage(String message, String... args) {
        errBytes.reset();
        assertEquals(Main.EXIT_USAGE, run(args), err());
        assertTrue(err().contains(message), "expected '" + message + "' in: " + err());
        assertTrue(err().contains("usage: java -jar ringline-examples.jar " + args[0] + " --port N"), err());
    }

    @Test
    void helpListsUdpEchoAndWhatHappensToARefusedEcho() {
        assertEquals(Main.EXIT_OK, run("--help"));
        assertTrue(out().contains("udp-echo --port N [--workers N] [--host ADDR] [--cpus"), out());
        assertTrue(out().contains("datagramSendsRefused"), out());
    }

    @Test
    void udpEchoOptionsBecomeTheConfig() throws UsageException {
        Config c = UdpEchoCommand.config(List.of("--port", "9000", "--workers", "2", "--host", "127.0.0.1"));
        assertEquals(2, c.workers());
        assertEquals(List.of(new Config.UdpBinding(new InetSocketAddress("127.0.0.1", 9000), UdpMode.PER_WORKER)),
                c.udpBindings());
        assertTrue(c.bindAddresses().isEmpty(), "no TCP listener: " + c.bindAddresses());

        Config d = UdpEchoCommand.config(List.of("--port=0"));
        assertEquals(new InetSocketAddress("0.0.0.0", 0), d.udpBindings().getFirst().address());
        assertEquals(Math.min(Config.MAX_WORKERS, java.lang.Runtime.getRuntime().availableProcessors()), d.workers());
        assertFalse(d.pinWorkers());
        assertEquals(new InetSocketAddress("::1", 0),
                UdpEchoCommand.config(List.of("--port", "0", "--host", "::1")).udpBindings().getFirst().address());
        assertTrue(UdpEchoCommand.config(List.of("--port", "0", "--cpus", "auto")).pinWorkers());
    }

    @Test
    void badUdpEchoArgumentsExit64NamingTheValue() {
        assertUsage("option --port is required", "udp-echo");
        assertUsage("option --port must be in [0, 65535], was 70000", "udp-echo", "--port", "70000");
        assertUsage("option --workers must be an integer, was 'many'", "udp-echo", "--port", "0", "--workers", "many");
        assertUsage("option --host: cannot resolve 'no-such-host.invalid'", "udp-echo", "--port", "0",
                "--host", "no-such-host.invalid");
        assertUsage("option --cpus must be 'auto' or a comma-separated list of CPU numbers, was 'x'",
                "udp-echo", "--port", "0", "--cpus", "x");
        assertUsage("unknown option --tls-cert", "udp-echo", "--port", "0", "--tls-cert", "c.pem");
        assertUsage("unknown option --idle-timeout", "udp-echo", "--port", "0", "--idle-timeout", "5");
    }

    @Test
    void echoOptionsBecomeTheConfig() throws UsageException {
        Config c = EchoCommand.config(List.of("--port=0", "--workers", "3", "--host", "127.0.0.1"));
        assertEquals(3, c.workers());
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 0)), c.bindAddresses());
        assertEquals(null, c.backend(), "the backend comes from -Dringline.backend or auto-selection");

        Config d = EchoCommand.config(List.of("--port", "7000"));
        assertEquals(new InetSocketAddress("0.0.0.0", 7000), d.bindAddresses().getFirst());
        assertEquals(Math.min(Config.MAX_WORKERS, java.lang.Runtime.getRuntime().availableProcessors()), d.workers());

        assertThrows(UsageException.class, () -> EchoCommand.config(List.of("--port", "-1")));
    }

    @Test
    void everyServerTakesAnIdleTimeout() throws UsageException {
        assertEquals(ServerOptions.DEFAULT_IDLE_TIMEOUT, EchoCommand.config(List.of("--port", "0")).idleTimeout());
        assertEquals(java.time.Duration.ofSeconds(7),
                EchoCommand.config(List.of("--port", "0", "--idle-timeout", "7")).idleTimeout());
        assertEquals(java.time.Duration.ZERO, HttpCommand.config(List.of("--port", "0", "--idle-timeout", "0")).idleTimeout());
        assertEquals(java.time.Duration.ofSeconds(9),
                RespCommand.settings(List.of("--port", "0", "--idle-timeout", "9")).config().build().idleTimeout());
        assertUsage("option --idle-timeout must be in [0, 604800], was -1", "echo", "--port", "0", "--idle-timeout", "-1");
    }

    @Test
    void everyServerCanPinItsWorkers() throws UsageException {
        assertFalse(EchoCommand.config(List.of("--port", "0")).pinWorkers());
        assertTrue(EchoCommand.config(List.of("--port", "0", "--cpus", "auto")).pinWorkers());
        io.ringline.Config listed = HttpCommand.config(List.of("--port", "0", "--workers", "2", "--cpus", "0,1"));
        assertTrue(listed.pinWorkers());
        assertArrayEquals(new int[] {0, 1}, listed.workerCpus());
        assertUsage("option --cpus must be 'auto' or a comma-separated list of CPU numbers, was 'x'",
                "echo", "--port", "0", "--cpus", "x");
        assertThrows(UsageException.class, () -> EchoCommand.config(List.of("--port", "0", "--cpus", "-1")));
    }

    @Test
    void absentBackendExits2NamingIt() {
        String old = System.getProperty(Config.BACKEND_PROPERTY);
        System.setProperty(Config.BACKEND_PROPERTY, "nonexistent");
        try {
            assertEquals(Main.EXIT_BACKEND_UNAVAILABLE, run("echo", "--port", "0", "--host", "127.0.0.1"));
        } finally {
            if (old == null) {
                System.clearProperty(Config.BACKEND_PROPERTY);
            } else {
                System.setProperty(Config.BACKEND_PROPERTY, old);
            }
        }
        assertTrue(err().contains("'nonexistent'"), err());
        assertTrue(err().contains("-D" + Config.BACKEND_PROPERTY), err());
        assertTrue(!out().contains("listening on"), out());
    }

    @Test
    void respLimitOptions() throws UsageException {
        RespLimits d = RespCommand.settings(List.of("--port", "0")).limits();
        assertEquals(RespCommand.DEFAULT_MAX_BULK, d.maxBulk());
        assertEquals(RespCommand.DEFAULT_MAX_BULK + (1L << 20), d.maxRequest());
        assertEquals(RespLimits.DEFAULT_REQUEST_TIMEOUT, d.requestTimeout());
        assertEquals((java.lang.Runtime.getRuntime().maxMemory() / 4) >> 20, d.budget().capacity() >> 20);

        RespLimits l = RespCommand.settings(List.of("--port", "0", "--max-bulk", "1000", "--max-request", "65536",
                "--request-budget-mb", "64", "--request-timeout", "5")).limits();
        assertEquals(1000, l.maxBulk());
        assertEquals(65536, l.maxRequest());
        assertEquals(64L << 20, l.budget().capacity());
        assertEquals(java.time.Duration.ofSeconds(5), l.requestTimeout());
        assertEquals(1000 + (1L << 20), RespCommand.settings(List.of("--port", "0", "--max-bulk", "1000")).limits()
                .maxRequest(), "the default request limit follows --max-bulk");
        assertThrows(UsageException.class, () -> RespCommand.settings(List.of("--port", "0", "--max-request", "10")));
        assertThrows(UsageException.class, () -> RespCommand.settings(List.of("--port", "0", "--request-timeout", "-1")));
    }
}
