package io.ringline.testkit;

import io.ringline.spi.Availability;
import io.ringline.spi.Backend;
import io.ringline.spi.BackendContext;
import io.ringline.spi.BackendOption;
import io.ringline.spi.BackendProvider;
import io.ringline.spi.Capability;

import java.util.List;
import java.util.Set;

/**
 * Provider of the in-memory testkit backend ({@value #NAME}): listeners and connections live in
 * this JVM's {@link TestkitNetwork}, with TCP's flow control and deterministic fault injection
 * ({@link TestkitOptions}). Always available, with priority {@value #PRIORITY} so that
 * auto-selection never prefers it to a real backend: ask for it by name
 * ({@code Config.builder().backend("testkit")}, or {@link Testkit#config()}).
 *
 * <p>Thread-safe and stateless.
 */
public final class TestkitBackendProvider implements BackendProvider {

    /** Backend name, also the prefix of its options. */
    public static final String NAME = "testkit";

    /** Selection priority: below every real backend. */
    public static final int PRIORITY = 1;

    private static final Availability AVAILABLE =
            Availability.available("in-memory network of this JVM (no sockets)");

    @Override
    public String name() {
        return NAME;
    }

    /** {@return {@value #PRIORITY}: never auto-selected over nio or io_uring} */
    @Override
    public int priority() {
        return PRIORITY;
    }

    /** {@return always available: it needs nothing from the operating system} */
    @Override
    public Availability availability() {
        return AVAILABLE;
    }

    @Override
    public List<BackendOption<?>> options() {
        return TestkitOptions.all();
    }

    /** {@return none: no operating-system sockets, regions are served from their memory by copying} */
    @Override
    public Set<Capability> capabilities() {
        return Set.of();
    }

    @Override
    public Backend open(BackendContext context) {
        return new TestkitBackend(TestkitSettings.of(context.config(), context.options()));
    }
}
