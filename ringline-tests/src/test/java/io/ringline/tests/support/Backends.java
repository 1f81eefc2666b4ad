package io.ringline.tests.support;

import io.ringline.internal.BackendSelector;
import io.ringline.spi.Availability;
import io.ringline.spi.BackendProvider;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The configurations the conformance suite runs on, listed in one place ({@link #specs()}), and
 * their availability.
 *
 * <p>Every backend in {@link #EXPECTED} must be on the class path: a missing one is still listed,
 * and every test of it fails naming it (never skipped). io_uring may be unavailable on the machine
 * (old kernel, seccomp): its tests are then skipped with the provider's reason, unless
 * {@value #REQUIRE_IOURING}=1, which makes them fail.
 */
public final class Backends {

    /** The backends this suite is built to run on; each must be present. */
    public static final List<String> EXPECTED = List.of("nio", "io_uring");

    /** Environment variable: when {@code 1}, an unavailable io_uring backend fails the suite instead of skipping it. */
    public static final String REQUIRE_IOURING = "RINGLINE_REQUIRE_IOURING";

    private Backends() {
    }

    /**
     * {@return every spec: each expected backend with its defaults, then the option sets that
     * exercise other data paths} The arguments of every {@link BackendTest} class.
     */
    public static List<BackendSpec> specs() {
        List<BackendSpec> specs = new ArrayList<>();
        for (String name : backendNames()) {
            specs.add(BackendSpec.defaults(name));
            specs.addAll(variants(name));
        }
        return specs;
    }

    /** {@return the default spec of each backend} The arguments of every {@link OncePerBackendTest} class. */
    public static List<BackendSpec> defaultSpecs() {
        return backendNames().stream().map(BackendSpec::defaults).toList();
    }

    /** {@return the option sets a backend also runs with, besides its defaults} */
    private static List<BackendSpec> variants(String backend) {
        return switch (backend) {
            case "io_uring" -> List.of(
                    BackendSpec.with("io_uring", "buffer ring off", "io_uring.bufferRing", false),
                    BackendSpec.with("io_uring", "fixed buffers off", "io_uring.fixedBuffers", false),
                    BackendSpec.with("io_uring", "zero-copy threshold 0", "io_uring.sendZcThreshold", 0));
            default -> List.of();
        };
    }

    /** {@return the expected backends, then any other real backend present (test-only providers excluded)} */
    private static List<String> backendNames() {
        List<String> names = new ArrayList<>(EXPECTED);
        for (BackendProvider p : BackendSelector.providers()) {
            if (!names.contains(p.name()) && !isTestOnly(p)) {
                names.add(p.name());
            }
        }
        return names;
    }

    private static boolean isTestOnly(BackendProvider p) {
        return p instanceof FaultyBackendProvider || p instanceof UnavailableBackendProvider;
    }

    /** {@return how clients connect to a runtime of {@code spec}} */
    public static Client.Connector connector(BackendSpec spec) {
        return SocketClient::connect;
    }

    /** {@return whether {@code spec}'s backend listens and connects with operating-system sockets} */
    public static boolean hasOsSockets(BackendSpec spec) {
        return true;
    }

    /** {@return the provider with that name on the class path} */
    public static Optional<BackendProvider> provider(String name) {
        return BackendSelector.providers().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * Fails the current test when {@code spec}'s backend is not on the class path; when it is
     * unavailable here, skips the test (JUnit assumption) giving the provider's reason, or fails it
     * when the backend is io_uring and {@value #REQUIRE_IOURING}=1.
     */
    public static void require(BackendSpec spec) {
        String name = spec.backend();
        BackendProvider p = provider(name).orElseThrow(
                () -> new AssertionError("[" + spec + "] backend '" + name + "' is expected but its provider is not on the class path"));
        Availability a = p.availability();
        if (a.available()) {
            return;
        }
        String message = "[" + spec + "] backend " + name + " is unavailable: " + a.reason();
        if (!"io_uring".equals(name) || "1".equals(System.getenv(REQUIRE_IOURING))) {
            Assertions.fail(("io_uring".equals(name) ? REQUIRE_IOURING + "=1 but " : "") + message);
        }
        Assumptions.abort(message);
    }
}
