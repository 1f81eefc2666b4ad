package io.ringline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Invalid configurations fail with messages naming the value and the limit; the limits themselves are accepted (no backend needed). */
class ConfigTest {

    private static void assertRejected(Executable setter, Object value, Object limit) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, setter);
        String m = String.valueOf(e.getMessage());
        assertTrue(m.contains(String.valueOf(value)), () -> "'" + m + "' names the value " + value);
        assertTrue(m.contains(String.valueOf(limit)), () -> "'" + m + "' names the limit " + limit);
    }

    @Test
    void outOfRangeValuesAreRejectedNamingValueAndLimit() {
        assertRejected(() -> Config.builder().workers(0), 0, 1);
        assertRejected(() -> Config.builder().workers(-3), -3, 1);
        assertRejected(() -> Config.builder().workers(Config.MAX_WORKERS + 1), Config.MAX_WORKERS + 1, Config.MAX_WORKERS);
        assertRejected(() -> Config.builder().recvBufferSize(-1), -1, 64);
        assertRejected(() -> Config.builder().recvBufferSize(63), 63, 64);
        assertRejected(() -> Config.builder().recvBufferCount(0), 0, 1);
        assertRejected(() -> Config.builder().recvBufferCount(-8), -8, 1);
        assertRejected(() -> Config.builder().maxConnectionsPerWorker(0), 0, 1);
        assertRejected(() -> Config.builder().maxConnectionsPerWorker(Config.MAX_CONNECTIONS_LIMIT + 1),
                Config.MAX_CONNECTIONS_LIMIT + 1, Config.MAX_CONNECTIONS_LIMIT);
        assertRejected(() -> Config.builder().sendQueueLimit(0), 0, 1);
        assertRejected(() -> Config.builder().sendQueueLimit(-100), -100, 1);
        assertRejected(() -> Config.builder().inboundLimit(1023), 1023, 1024);
        assertRejected(() -> Config.builder().inboundLimit(-1), -1, 1024);
        assertRejected(() -> Config.builder().maxRegions(-1), -1, 0);
        assertRejected(() -> Config.builder().maxRegions(Config.MAX_REGIONS_LIMIT + 1), Config.MAX_REGIONS_LIMIT + 1, Config.MAX_REGIONS_LIMIT);
        assertRejected(() -> Config.builder().shutdownGracePeriod(Duration.ofSeconds(-1)), Duration.ofSeconds(-1), 0);
        assertRejected(() -> Config.builder().acceptHandoffLimit(0), 0, 1);
        assertRejected(() -> Config.builder().backlog(0), 0, 1);
        assertRejected(() -> Config.builder().backlog(-1), -1, 1);
        assertRejected(() -> Config.builder().blockingPoolSize(0), 0, 1);
        assertRejected(() -> Config.builder().taskQueueLimit(0), 0, 1);
        assertRejected(() -> Config.builder().taskQueueLimit(Config.MAX_TASK_QUEUE_LIMIT + 1),
                Config.MAX_TASK_QUEUE_LIMIT + 1, Config.MAX_TASK_QUEUE_LIMIT);
        assertRejected(() -> Config.builder().blockingQueueLimit(-1), -1, 1);
        assertRejected(() -> Config.builder().blockingQueueLimit(Config.MAX_BLOCKING_QUEUE_LIMIT + 1),
                Config.MAX_BLOCKING_QUEUE_LIMIT + 1, Config.MAX_BLOCKING_QUEUE_LIMIT);
        assertThrows(IllegalArgumentException.class, () -> Config.builder().backend(" "));
        assertThrows(NullPointerException.class, () -> Config.builder().bind(null));
        assertThrows(NullPointerException.class, () -> Config.builder().initialRegion(null));
        assertThrows(NullPointerException.class, () -> Config.builder().shutdownGracePeriod(null));
    }

    @Test
    void workerCpusAreValidatedNamingValueAndLimit() {
        int cpus = io.ringline.internal.CpuPinning.cpuCount();
        assertTrue(cpus >= 1 && cpus >= java.lang.Runtime.getRuntime().availableProcessors(), "CPU count " + cpus);
        assertRejected(() -> Config.builder().workerCpus(-1), -1, cpus - 1);
        assertRejected(() -> Config.builder().workerCpus(0, cpus), cpus, cpus - 1);
        assertRejected(() -> Config.builder().workerCpus(0, Integer.MAX_VALUE), Integer.MAX_VALUE, cpus - 1);
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> Config.builder().workerCpus());
        assertTrue(empty.getMessage().contains("at least one CPU"), empty.getMessage());
        assertThrows(NullPointerException.class, () -> Config.builder().workerCpus((int[]) null));
        Config.builder().workerCpus(0, cpus - 1); // the limits themselves are accepted
    }

    @Test
    void pinningIsOffByDefaultAndWorkerCpusImplyItAsACopy() {
        Config defaults = Config.builder().build();
        assertFalse(defaults.pinWorkers());
        assertEquals(0, defaults.workerCpus().length);

        Config allowedSet = Config.builder().pinWorkers(true).build();
        assertTrue(allowedSet.pinWorkers());
        assertEquals(0, allowedSet.workerCpus().length, "empty: not given explicitly");

        int[] given = {0};
        Config.Builder b = Config.builder().workerCpus(given);
        given[0] = 99;
        Config explicit = b.build();
        assertTrue(explicit.pinWorkers(), "workerCpus implies pinning");
        assertArrayEquals(new int[] {0}, explicit.workerCpus(), "the builder copied the array");
        explicit.workerCpus()[0] = 99;
        assertArrayEquals(new int[] {0}, explicit.workerCpus(), "the accessor returns a copy");

        Config off = Config.builder().workerCpus(0).pinWorkers(false).build();
        assertFalse(off.pinWorkers());
        assertEquals(0, off.workerCpus().length, "pinWorkers(false) forgets the CPUs");
    }

    @Test
    void queueLimitsHaveTheirDocumentedDefaultsAndCanBeSet() {
        Config d = Config.builder().build();
        assertEquals(65536, d.taskQueueLimit());
        assertEquals(4096, d.blockingQueueLimit());
        Config c = Config.builder().taskQueueLimit(1).blockingQueueLimit(Config.MAX_BLOCKING_QUEUE_LIMIT).build();
        assertEquals(1, c.taskQueueLimit());
        assertEquals(Config.MAX_BLOCKING_QUEUE_LIMIT, c.blockingQueueLimit());
    }

    @Test
    void moreInitialRegionsThanMaxRegionsIsRejectedNamingBoth() {
        try (Arena arena = Arena.ofConfined()) {
            MemoryRegion r = MemoryRegion.of(arena.allocate(8));
            Config.Builder b = Config.builder().maxRegions(2).initialRegion(r).initialRegion(r).initialRegion(r);
            assertRejected(b::build, 3, 2);
            assertRejected(() -> Config.builder().maxRegions(0).initialRegion(r).build(), 1, 0);
            assertEquals(2, Config.builder().maxRegions(2).initialRegion(r).initialRegion(r).build().initialRegions().size());
        }
    }

    @Test
    void invalidRegionsAreRejected() {
        IllegalArgumentException heap = assertThrows(IllegalArgumentException.class, () -> MemoryRegion.of(MemorySegment.ofArray(new byte[16])));
        assertTrue(heap.getMessage().contains("16"), heap.getMessage());
        try (Arena arena = Arena.ofConfined()) {
            assertRejected(() -> MemoryRegion.of(arena.allocate(0)), 0, 0);
        }
        assertThrows(NullPointerException.class, () -> MemoryRegion.of(null));
    }

    @Test
    void startRejectsNullArguments() {
        assertThrows(NullPointerException.class, () -> Runtime.start(null, w -> (c, d) -> 0));
        assertThrows(NullPointerException.class, () -> Runtime.start(Config.builder().build(), null));
    }

    @Test
    void theLimitsThemselvesAreAccepted() {
        Config c = Config.builder().workers(1).workers(Config.MAX_WORKERS).recvBufferSize(64).recvBufferCount(1)
                .maxConnectionsPerWorker(1).sendQueueLimit(1).maxRegions(0).maxRegions(Config.MAX_REGIONS_LIMIT)
                .shutdownGracePeriod(Duration.ZERO).acceptHandoffLimit(1).backlog(1).blockingPoolSize(1).build();
        assertEquals(Config.MAX_WORKERS, c.workers());
        assertEquals(64, c.recvBufferSize());
        assertEquals(Duration.ZERO, c.shutdownGracePeriod());
    }

    @Test
    void aNegativeIdleTimeoutIsRejectedNamingTheKnobAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Config.builder().idleTimeout(Duration.ofMillis(-5)));
        assertTrue(e.getMessage().contains("idleTimeout") && e.getMessage().contains("-0.005"), e.getMessage());
    }

    @Test
    void udpSettingsAreValidatedNamingValueAndLimit() {
        assertRejected(() -> Config.builder().udpSendQueueLimit(UdpSocket.MAX_IPV6_PAYLOAD - 1),
                UdpSocket.MAX_IPV6_PAYLOAD - 1, UdpSocket.MAX_IPV6_PAYLOAD);
        assertRejected(() -> Config.builder().udpSendQueueLimit(-1), -1, UdpSocket.MAX_IPV6_PAYLOAD);
        assertRejected(() -> Config.builder().maxDatagramSize(0), 0, 1);
        assertRejected(() -> Config.builder().maxDatagramSize(UdpSocket.MAX_IPV6_PAYLOAD + 1),
                UdpSocket.MAX_IPV6_PAYLOAD + 1, UdpSocket.MAX_IPV6_PAYLOAD);
        java.net.InetSocketAddress unresolved = java.net.InetSocketAddress.createUnresolved("example.invalid", 53);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Config.builder().bindUdp(unresolved));
        assertTrue(e.getMessage().contains(unresolved.toString()), e.getMessage());
        assertThrows(NullPointerException.class, () -> Config.builder().bindUdp(null));
        assertThrows(NullPointerException.class,
                () -> Config.builder().bindUdp(new java.net.InetSocketAddress(0), null));
    }

    @Test
    void udpSettingsHaveTheirDocumentedDefaultsAndKeepTheBindingOrder() {
        Config d = Config.builder().build();
        assertEquals(1L << 20, d.udpSendQueueLimit());
        assertEquals(UdpSocket.MAX_IPV6_PAYLOAD, d.maxDatagramSize());
        assertTrue(d.udpBindings().isEmpty());
        java.net.InetSocketAddress a = new java.net.InetSocketAddress("127.0.0.1", 0);
        java.net.InetSocketAddress b = new java.net.InetSocketAddress("::1", 5353);
        Config c = Config.builder().bindUdp(a).bindUdp(b, UdpMode.SHARED).udpSendQueueLimit(UdpSocket.MAX_IPV6_PAYLOAD)
                .maxDatagramSize(1).build();
        assertEquals(java.util.List.of(new Config.UdpBinding(a, UdpMode.PER_WORKER), new Config.UdpBinding(b, UdpMode.SHARED)),
                c.udpBindings());
        assertEquals(UdpSocket.MAX_IPV6_PAYLOAD, c.udpSendQueueLimit());
        assertEquals(1, c.maxDatagramSize());
        assertTrue(c.toString().contains("bindUdp"), c.toString());
        assertEquals(UdpSocket.MAX_IPV6_PAYLOAD, Config.builder().maxDatagramSize(UdpSocket.MAX_IPV6_PAYLOAD).build()
                .maxDatagramSize());
    }
}
