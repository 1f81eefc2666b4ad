package io.ringline.examples;

import io.ringline.internal.BackendSelector;
import io.ringline.spi.Availability;
import io.ringline.spi.BackendProvider;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.util.List;

/**
 * The backends the server tests run on: every provider on the class path. An unavailable one is
 * skipped with its reason, except io_uring when the environment variable
 * {@code RINGLINE_REQUIRE_IOURING=1} is set: then its absence fails the test.
 */
final class Backends {

    private Backends() {
    }

    /** {@return the names of every backend provider (a {@code @MethodSource})} */
    static List<String> names() {
        return BackendSelector.providers().stream().map(BackendProvider::name).toList();
    }

    /** Skips (or fails, see the class comment) the calling test if {@code name} is unavailable. */
    static void assumeAvailable(String name) {
        BackendProvider p = BackendSelector.providers().stream().filter(b -> b.name().equals(name)).findFirst()
                .orElseThrow();
        Availability a = p.availability();
        if (a.available()) {
            return;
        }
        if (name.equals("io_uring") && "1".equals(System.getenv("RINGLINE_REQUIRE_IOURING"))) {
            Assertions.fail("backend io_uring is required (RINGLINE_REQUIRE_IOURING=1) but unavailable: " + a.reason());
        }
        Assumptions.abort("backend " + name + " unavailable: " + a.reason());
    }
}
