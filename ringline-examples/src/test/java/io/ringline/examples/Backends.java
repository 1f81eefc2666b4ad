package io.ringline.examples;

import io.ringline.spi.Availability;
import io.ringline.spi.BackendProvider;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.util.List;
import java.util.ServiceLoader;

/**
 * The backends the example-server tests run on (in process, and as child processes in the
 * robustness suite): both real backends, always. A backend whose provider is missing from the
 * class path fails the test; an unavailable one fails too, except io_uring, which is skipped with
 * the provider's reason unless the environment variable {@code RINGLINE_REQUIRE_IOURING=1} is set
 * (as CI sets it on Linux).
 */
public final class Backends {

    private Backends() {
    }

    /** {@return the names of the backends every server test runs on (a {@code @MethodSource})} */
    public static List<String> names() {
        return List.of("nio", "io_uring");
    }

    /** Fails or skips (see the class comment) the calling test if {@code name} cannot run here. */
    public static void assumeAvailable(String name) {
        BackendProvider p = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(b -> b.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("backend " + name + " is not on the class path"));
        Availability a = p.availability();
        if (a.available()) {
            return;
        }
        if (!name.equals("io_uring") || "1".equals(System.getenv("RINGLINE_REQUIRE_IOURING"))) {
            Assertions.fail("backend " + name + " is required but unavailable: " + a.reason());
        }
        Assumptions.abort("backend " + name + " unavailable: " + a.reason());
    }
}
