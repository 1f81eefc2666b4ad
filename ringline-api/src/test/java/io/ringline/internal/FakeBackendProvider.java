package io.ringline.internal;

import io.ringline.spi.Availability;
import io.ringline.spi.Backend;
import io.ringline.spi.BackendContext;
import io.ringline.spi.BackendOption;
import io.ringline.spi.BackendProvider;
import io.ringline.spi.Capability;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * A provider for option tests: declares {@code <name>.count} (an int in [1, 8]) and
 * {@code <name>.fast} (a flag); {@link #open} never succeeds, it throws an {@link IOException} that
 * records the options it was given, so a test can see that resolution passed and what it produced.
 */
class FakeBackendProvider implements BackendProvider {

    final String name;
    final BackendOption<Integer> count;
    final BackendOption<Boolean> fast;

    FakeBackendProvider(String name) {
        this.name = name;
        this.count = BackendOption.intRange(name + ".count", 2, 1, 8, "how many");
        this.fast = BackendOption.flag(name + ".fast", false, "go fast");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability availability() {
        return Availability.available("fake");
    }

    @Override
    public List<BackendOption<?>> options() {
        return List.of(count, fast);
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of();
    }

    @Override
    public Backend open(BackendContext context) throws IOException {
        throw new IOException("fake backend opened with count=" + context.options().get(count)
                + " fast=" + context.options().get(fast));
    }

    /** The fake registered in this module's test {@code META-INF/services}, named {@code fake}. */
    public static final class Registered extends FakeBackendProvider {
        public Registered() {
            super("fake");
        }
    }

    /** A second registered fake, named {@code other}, present but never selected by these tests. */
    public static final class Other extends FakeBackendProvider {
        public Other() {
            super("other");
        }

        @Override
        public int priority() {
            return -1;
        }
    }
}
