package io.ringline.tests.support;

import io.ringline.internal.BackendSelector;
import io.ringline.spi.Availability;
import io.ringline.spi.BackendProvider;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.util.List;
import java.util.Optional;

/** The backends the suite runs against, and their availability. */
public final class Backends {

    /** Every real backend; each test class runs once per name. */
    public static final List<String> ALL = List.of("nio", "io_uring");

    /** Environment variable: when {@code 1}, an unavailable io_uring backend fails the suite instead of skipping it. */
    public static final String REQUIRE_IOURING = "RINGLINE_REQUIRE_IOURING";

    private Backends() {
    }

    /** {@return the backend names, the arguments of every backend test class} */
    public static List<String> names() {
        return ALL;
    }

    /** {@return the provider with that name on the class path} */
    public static Optional<BackendProvider> provider(String name) {
        return BackendSelector.providers().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * Skips the current test (JUnit assumption) when {@code name} is absent or unavailable, giving the
     * provider's reason; fails it instead when the backend is io_uring and {@value #REQUIRE_IOURING}=1.
     */
    public static void assumeAvailable(String name) {
        Optional<BackendProvider> p = provider(name);
        String reason;
        if (p.isEmpty()) {
            reason = "no provider named '" + name + "' on the class path";
        } else {
            Availability a = p.get().availability();
            if (a.available()) {
                return;
            }
            reason = a.reason();
        }
        String message = "backend " + name + " is unavailable: " + reason;
        if ("io_uring".equals(name) && "1".equals(System.getenv(REQUIRE_IOURING))) {
            Assertions.fail(REQUIRE_IOURING + "=1 but " + message);
        }
        Assumptions.abort(message);
    }
}
