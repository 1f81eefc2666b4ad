package io.ringline.bench.alloc;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringline.spi.Availability;
import io.ringline.spi.BackendProvider;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The example servers allocate (almost) nothing per message in steady state: the worker thread's
 * average over a measured run, after a warm-up long enough for C2, stays under
 * {@value #BOUND_BYTES} byte per message, for echo, RESP GET/SET and HTTP plaintext on both backends;
 * on io_uring the echo goes without a copy (pass-through sends). io_uring is
 * skipped where it cannot run, unless {@code RINGLINE_REQUIRE_IOURING=1} (then it fails).
 *
 * <p>Robust on a busy machine: no timing is asserted; each case measures up to {@value #RUNS}
 * runs (stopping at the first under the bound) and passes when one of them (the steady state, once
 * every hot method is compiled) stays under the bound. A per-message allocation shows in every run,
 * so it still fails.
 */
class AllocationProbeTest {

    static final double BOUND_BYTES = 1.0;
    static final int RUNS = 3;
    /** Warm-up of echo (a message per round trip: slow) and of RESP and HTTP (16 per round trip). */
    static final long ECHO_WARMUP = 150_000;
    static final long PIPELINED_WARMUP = 300_000;
    static final long MEASURED = 100_000;

    static Stream<Arguments> cases() {
        return Stream.of("nio", "io_uring").flatMap(backend -> Stream.of(
                Scenario.echo(64, 64), Scenario.respGet(16, 16), Scenario.respSet(16, 16),
                Scenario.httpPlaintext(16, 16))
                .map(scenario -> Arguments.of(backend, scenario.name(), scenario)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void steadyStateAllocatesLessThanOneBytePerMessage(String backend, String name, Scenario scenario)
            throws Exception {
        requireAvailable(backend);
        long warmup = scenario.server().equals("echo") ? ECHO_WARMUP : PIPELINED_WARMUP;
        AllocationProbe.Result r = AllocationProbe.measure(backend, scenario, warmup, MEASURED, RUNS, BOUND_BYTES);
        assertTrue(r.messages() >= MEASURED, r.row());
        assertTrue(r.best() < BOUND_BYTES, "worker bytes per message over " + BOUND_BYTES + " in every run: " + r.row());
        if (backend.equals("io_uring") && scenario.server().equals("echo")) {
            // the echo handler sends with sendReceived: io_uring writes it from the receive buffer
            assertTrue(r.passThroughSends() > 0, "no echo went without a copy: " + r.row());
        }
    }

    private static void requireAvailable(String name) {
        BackendProvider p = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(b -> b.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("backend " + name + " is not on the class path"));
        Availability a = p.availability();
        if (a.available()) {
            return;
        }
        if (!name.equals("io_uring") || "1".equals(System.getenv("RINGLINE_REQUIRE_IOURING"))) {
            fail("backend " + name + " is required but unavailable: " + a.reason());
        }
        Assumptions.abort("backend " + name + " unavailable: " + a.reason());
    }
}
