package io.ringline.tests;

import io.ringline.Config;
import io.ringline.Handler;
import io.ringline.HandlerFactory;
import io.ringline.MemoryRegion;
import io.ringline.RinglineException;
import io.ringline.tests.support.Faults;
import io.ringline.tests.support.FaultyBackendProvider;
import io.ringline.tests.support.Leaks;
import io.ringline.tests.support.OncePerBackendTest;
import org.junit.jupiter.api.AfterEach;
import io.ringline.spi.Capability;
import io.ringline.tests.support.Requires;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Startup is all or nothing: when any step fails, start throws and leaves no thread and no file
 * descriptor behind. Each failure is repeated {@value #REPEATS} times, so that a leak of even one
 * descriptor per failed start stands out from the tolerance for unrelated JVM activity.
 */
class StartupTest extends OncePerBackendTest {

    private static final int REPEATS = 10;
    /** Descriptors the JVM may open on its own meanwhile (class loading, logging); a per-start leak shows as >= REPEATS. */
    private static final int FD_TOLERANCE = 3;

    @AfterEach
    void resetFaults() {
        Faults.reset();
    }

    private static Throwable causeChainContaining(Throwable e, String text) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains(text)) {
                return t;
            }
        }
        throw new AssertionError("no cause of " + e + " mentions '" + text + "'", e);
    }

    /** Runs a failing start {@value #REPEATS} times (after one warm-up) and checks what it left behind. */
    private void assertFailingStartLeavesNothing(Supplier<Config.Builder> config, HandlerFactory factory, String expectedMessage) {
        Set<Thread> threadsBefore = Leaks.ringlineThreads();
        // Warm-up: the first start loads classes and may open descriptors (jars) for good.
        causeChainContaining(assertThrows(RinglineException.class, () -> start(config.get(), factory).close()), expectedMessage);
        Leaks.awaitNoNewRinglineThreads(threadsBefore, Duration.ofSeconds(10));
        long fdsBefore = Leaks.openFileDescriptors();
        for (int i = 0; i < REPEATS; i++) {
            RinglineException e = assertThrows(RinglineException.class, () -> start(config.get(), factory).close());
            causeChainContaining(e, expectedMessage);
            // start() returns only after the partial runtime was torn down (workers joined, listener
            // sockets closed); an acceptor thread may still be returning from its last statement.
            Leaks.awaitNoNewRinglineThreads(threadsBefore, Duration.ofSeconds(5));
        }
        if (fdsBefore >= 0) {
            long now = Leaks.openFileDescriptors();
            assertTrue(now <= fdsBefore + FD_TOLERANCE, "descriptors: " + fdsBefore + " before " + REPEATS + " failed starts, " + now + " after");
        }
    }

    @Test
    @Requires(value = Capability.OS_SOCKETS, why = "counts file descriptors")
    void aHandlerFactoryFailingOnOneWorkerFailsStartAndLeavesNothing() {
        HandlerFactory failsOnWorker1 = w -> {
            if (w.workerId() == 1) {
                throw new IllegalStateException("boom from the factory of worker 1");
            }
            return (c, d) -> d.remaining();
        };
        assertFailingStartLeavesNothing(this::serverConfig, failsOnWorker1, "boom from the factory of worker 1");
    }

    @Test
    void aHandlerFactoryReturningNullFailsStart() {
        HandlerFactory nullOnWorker0 = w -> w.workerId() == 0 ? null : (Handler) (c, d) -> d.remaining();
        Set<Thread> threadsBefore = Leaks.ringlineThreads();
        assertThrows(RuntimeException.class, () -> start(serverConfig(), nullOnWorker0).close());
        Leaks.awaitNoNewRinglineThreads(threadsBefore, Duration.ofSeconds(10));
    }

    @Test
    @Requires(value = Capability.OS_SOCKETS, why = "a java.net.ServerSocket holds the port; counts file descriptors")
    void aBindAddressInUseFailsStartAndLeavesNothing() throws Exception {
        try (ServerSocket occupied = new ServerSocket(0, 50, loopbackAnyPort().getAddress())) {
            InetSocketAddress taken = (InetSocketAddress) occupied.getLocalSocketAddress();
            String port = String.valueOf(taken.getPort());
            assertFailingStartLeavesNothing(() -> clientConfig().bind(taken), w -> (c, d) -> d.remaining(), port);
            // The second of two listeners fails: the first one, already bound, is closed again.
            assertFailingStartLeavesNothing(() -> clientConfig().bind(loopbackAnyPort()).bind(taken), w -> (c, d) -> d.remaining(), port);
        }
    }

    @Test
    @Requires(value = Capability.OS_SOCKETS, why = "counts file descriptors")
    void anInitialRegionFailingToInstallFailsStartAndLeavesNothing() {
        try (Arena arena = Arena.ofShared()) {
            MemoryRegion r = MemoryRegion.of(arena.allocate(64));
            Faults.wrap(spec.backend());
            Faults.failInstallOnWorker = 1;
            assertFailingStartLeavesNothing(
                    () -> clientConfig().backend(FaultyBackendProvider.NAME).initialRegion(r),
                    w -> (c, d) -> d.remaining(), "injected install failure on worker 1");
            assertEquals(Set.of(), Faults.installed(0), "worker 0 removed the region it had installed");
            assertEquals(Faults.installs.get(), Faults.removes.get());
        }
    }
}
