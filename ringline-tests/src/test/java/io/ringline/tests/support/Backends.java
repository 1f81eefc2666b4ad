package io.ringline.tests.support;

import io.ringline.internal.BackendSelector;
import io.ringline.spi.Availability;
import io.ringline.spi.BackendProvider;
import io.ringline.spi.Capability;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The configurations the conformance suite runs on, listed in one place ({@link #specs()}), their
 * availability, capabilities and clients.
 *
 * <p>Every backend in {@link #EXPECTED} must be on the class path: a missing one is still listed,
 * and every test of it fails naming it (never skipped). io_uring may be unavailable on the machine
 * (old kernel, seccomp): its tests are then skipped with the provider's reason, unless
 * {@value #REQUIRE_IOURING}=1, which makes them fail.
 */
public final class Backends {

    /** The backends this suite is built to run on; each must be present. */
    public static final List<String> EXPECTED = List.of("nio", "io_uring", "testkit");

    /** Environment variable: when {@code 1}, an unavailable io_uring backend fails the suite instead of skipping it. */
    public static final String REQUIRE_IOURING = "RINGLINE_REQUIRE_IOURING";

    /** {@link #specs()}, built once per JVM. */
    private static List<BackendSpec> specs;

    private Backends() {
    }

    /**
     * {@return the option sets each backend also runs with, besides its defaults: the other data
     * paths of its I/O} The one table of the suite's configurations.
     */
    private static List<BackendSpec> variants(String backend) {
        return switch (backend) {
            case "nio" -> List.of(
                    BackendSpec.with("nio", "one read per event, no gathering",
                            Map.of("nio.readsPerEvent", 1, "nio.gatherLimit", 1)));
            case "io_uring" -> List.of(
                    BackendSpec.with("io_uring", "buffer ring off", Map.of("io_uring.bufferRing", false)),
                    BackendSpec.with("io_uring", "fixed buffers off", Map.of("io_uring.fixedBuffers", false)),
                    BackendSpec.with("io_uring", "zero-copy threshold 0", Map.of("io_uring.sendZcThreshold", 0)));
            case "testkit" -> List.of(
                    // chunk sizes drawn from [1, max] (seeded): short writes and split reads everywhere
                    BackendSpec.with("testkit", "short writes + split reads",
                            Map.of("testkit.maxWriteChunk", 4096, "testkit.maxReadChunk", 1000, "testkit.seed", 8)));
            default -> List.of();
        };
    }

    /**
     * {@return every spec: each expected backend (and any other real backend present) with its
     * defaults, then its {@link #variants}} The arguments of every {@link BackendTest} class.
     *
     * <p>A variant of a present backend that declares no options at all (built before its options
     * existed) is left out, with a line on standard error naming it. Otherwise every variant is
     * listed: one naming an option its backend does not declare (a renamed option) fails each
     * start with the core's message naming it, and a missing backend's variants fail like its
     * default spec.
     */
    public static synchronized List<BackendSpec> specs() {
        if (specs != null) {
            return specs;
        }
        List<BackendSpec> specs = new ArrayList<>();
        for (String name : backendNames()) {
            specs.add(BackendSpec.defaults(name));
            Optional<BackendProvider> provider = provider(name);
            for (BackendSpec variant : variants(name)) {
                boolean declaresNone = provider.map(p -> p.options().isEmpty()).orElse(false);
                if (!declaresNone) {
                    specs.add(variant); // an option it does not declare fails every start, naming it
                } else {
                    System.err.println("ringline-tests: spec [" + variant + "] not run: backend " + name
                            + " declares no options, not " + variant.options().keySet());
                }
            }
        }
        Backends.specs = List.copyOf(specs);
        return Backends.specs;
    }

    /** {@return the default spec of each backend} The arguments of every {@link OncePerBackendTest} class. */
    public static List<BackendSpec> defaultSpecs() {
        return backendNames().stream().map(BackendSpec::defaults).toList();
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

    /** {@return the provider with that name on the class path} */
    public static Optional<BackendProvider> provider(String name) {
        return BackendSelector.providers().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** {@return the capabilities {@code spec}'s backend declares (none if it is absent)} */
    public static Set<Capability> capabilities(BackendSpec spec) {
        return provider(spec.backend()).map(BackendProvider::capabilities).orElse(Set.of());
    }

    /** {@return whether {@code spec}'s backend listens and connects with operating-system sockets} */
    public static boolean hasOsSockets(BackendSpec spec) {
        return capabilities(spec).contains(Capability.OS_SOCKETS);
    }

    /**
     * {@return how clients connect to a runtime of {@code spec}}: a {@link SocketClient} where the
     * backend has OS sockets, a {@link PeerClient} on the in-memory testkit backend
     *
     * @throws AssertionError for another backend without OS sockets (the suite has no client for it)
     */
    public static Client.Connector connector(BackendSpec spec) {
        if (hasOsSockets(spec)) {
            return SocketClient::connect;
        }
        if (spec.backend().equals("testkit")) {
            return PeerClient::connect;
        }
        throw new AssertionError("[" + spec + "] backend " + spec.backend() + " has no OS sockets and the suite has no client for it");
    }

    /**
     * Fails the current test when {@code spec}'s backend is not on the class path; when it is
     * unavailable here: io_uring's tests are skipped (JUnit assumption) giving the provider's reason,
     * or fail when {@value #REQUIRE_IOURING}=1; any other backend's fail.
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
        if (!"io_uring".equals(name)) {
            Assertions.fail(message + " (only io_uring may be unavailable on a machine)");
        }
        skipOrFail(spec, message);
    }

    /**
     * Skips the current test on {@code spec} when its backend lacks one of {@code needed}, naming
     * the spec, the missing capabilities and {@code why}.
     */
    public static void require(BackendSpec spec, Collection<Capability> needed, String why) {
        Set<Capability> missing = needed.stream().filter(c -> !capabilities(spec).contains(c))
                .collect(Collectors.toCollection(() -> java.util.EnumSet.noneOf(Capability.class)));
        if (!missing.isEmpty()) {
            skipOrFail(spec, "[" + spec + "] the test needs " + missing + (why.isEmpty() ? "" : " (" + why + ")")
                    + ", which backend " + spec.backend() + " does not declare");
        }
    }

    /** Skips the test with {@code message}; an io_uring spec fails instead when {@value #REQUIRE_IOURING}=1. */
    private static void skipOrFail(BackendSpec spec, String message) {
        if ("io_uring".equals(spec.backend()) && "1".equals(System.getenv(REQUIRE_IOURING))) {
            Assertions.fail(REQUIRE_IOURING + "=1 but " + message);
        }
        Assumptions.abort(message);
    }
}
