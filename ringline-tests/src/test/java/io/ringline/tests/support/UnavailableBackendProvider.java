package io.ringline.tests.support;

import io.ringline.spi.Availability;
import io.ringline.spi.Backend;
import io.ringline.spi.BackendContext;
import io.ringline.spi.BackendProvider;
import io.ringline.spi.Capability;

import java.io.IOException;
import java.util.Set;

/** A test provider that is always unavailable, to test how selection reports an unavailable backend. */
public final class UnavailableBackendProvider implements BackendProvider {

    /** Its name. */
    public static final String NAME = "unavailable-test-backend";
    /** Its reason. */
    public static final String REASON = "this test backend is never available (probe says no)";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 1_000_000; // would win if availability were ignored
    }

    @Override
    public Availability availability() {
        return Availability.unavailable(REASON);
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of();
    }

    @Override
    public Backend open(BackendContext context) throws IOException {
        throw new AssertionError("open() called on an unavailable backend");
    }
}
