package io.ringline.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import io.ringline.testkit.TestPeer;
import io.ringline.testkit.Testkit;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The binder publishes each worker's counters, tagged, and they follow the traffic of an echo. */
class RinglineMetricsTest {

    /** Echoes every byte back. */
    static final class Echo implements Handler {
        @Override
        public int onData(Connection connection, ByteBuffer data) {
            connection.sendReceived(data);
            return data.position();
        }
    }

    private static final List<String> COUNTERS = List.of("bytes.in", "bytes.out", "connections.opened",
            "connections.closed", "sends.region", "sends.zero.copy", "sends.copied", "sends.pass.through",
            "ops.submitted", "kernel.enters", "recv.buffer.exhausted", "loop.iterations", "tls.handshakes",
            "tls.failures", "datagrams.received", "datagrams.sent", "datagrams.truncated", "datagrams.dropped",
            "datagrams.refused", "datagrams.failed");

    @Test
    void countersFollowAnEchoAndCarryBackendAndWorkerTags() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Runtime runtime = Testkit.start(worker -> new Echo())) {
            new RinglineMetrics(runtime, Tags.of("server", "echo")).bindTo(registry);

            for (String name : COUNTERS) {
                FunctionCounter c = registry.get("ringline." + name)
                        .tags("backend", runtime.backendName(), "worker", "0", "server", "echo").functionCounter();
                assertEquals(Meter.Type.COUNTER, c.getId().getType(), name);
            }
            assertEquals(0, gauge(registry, "connections.open").value());

            byte[] message = "hello metrics".getBytes(StandardCharsets.US_ASCII);
            try (TestPeer peer = Testkit.connect(runtime)) {
                peer.output().write(message);
                peer.output().flush();
                assertArrayEquals(message, readFully(peer.input(), message.length));
                await(() -> counter(registry, "bytes.out") >= message.length, "bytes.out reaches the echo");
                assertEquals(message.length, counter(registry, "bytes.in"));
                assertEquals(1, counter(registry, "connections.opened"));
                assertEquals(1, gauge(registry, "connections.open").value());
                assertTrue(counter(registry, "loop.iterations") > 0, "loop iterations counted");
                assertTrue(counter(registry, "sends.copied") + counter(registry, "sends.pass.through") >= 1,
                        "the echo's send counted");
            }
            await(() -> counter(registry, "connections.closed") == 1, "the close is counted");
            assertEquals(0, gauge(registry, "connections.open").value());
        }
    }

    @Test
    void everyWorkerGetsItsOwnMeters() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Runtime runtime = Runtime.start(Testkit.config().workers(3).build(), worker -> new Echo())) {
            new RinglineMetrics(runtime).bindTo(registry);
            Set<String> workers = registry.get("ringline.bytes.in").functionCounters().stream()
                    .map(c -> c.getId().getTag("worker")).collect(Collectors.toSet());
            assertEquals(Set.of("0", "1", "2"), workers);
            assertEquals(3 * (COUNTERS.size() + 1) + 2, registry.getMeters().size(),
                    "20 counters and 1 gauge per worker, 2 region gauges per runtime");
        }
    }

    @Test
    void regionGaugesFollowRegistrations() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Runtime runtime = Testkit.start(worker -> new Echo());
             io.ringline.MemoryRegion region = io.ringline.MemoryRegion.allocate(8192)) {
            new RinglineMetrics(runtime).bindTo(registry);
            assertEquals(0.0, registry.get("ringline.regions.in.use").gauge().value());
            io.ringline.RegionId id = runtime.shutdownHandle().registerRegion(region);
            assertEquals(1.0, registry.get("ringline.regions.in.use").tag("backend", "testkit").gauge().value());
            assertEquals(8192.0, registry.get("ringline.regions.bytes").gauge().value());
            runtime.shutdownHandle().unregisterRegion(id);
            assertEquals(0.0, registry.get("ringline.regions.in.use").gauge().value());
            assertEquals(0.0, registry.get("ringline.regions.bytes").gauge().value());
        }
    }

    @Test
    void nullArgumentsAreRefused() {
        assertThrows(NullPointerException.class, () -> new RinglineMetrics(null));
        try (Runtime runtime = Testkit.start(worker -> new Echo())) {
            assertThrows(NullPointerException.class, () -> new RinglineMetrics(runtime).bindTo(null));
        }
    }

    private static double counter(SimpleMeterRegistry registry, String name) {
        return registry.get("ringline." + name).tag("worker", "0").functionCounter().count();
    }

    private static Gauge gauge(SimpleMeterRegistry registry, String name) {
        return registry.get("ringline." + name).tag("worker", "0").gauge();
    }

    private static byte[] readFully(InputStream in, int n) throws java.io.IOException {
        byte[] b = in.readNBytes(n);
        assertEquals(n, b.length, "echo length");
        return b;
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // poll interval
        }
    }
}
