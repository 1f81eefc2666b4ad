package io.ringline.nio;

import io.ringline.Config;
import io.ringline.spi.Availability;
import io.ringline.spi.Backend;
import io.ringline.spi.BackendProvider;

import java.io.IOException;
import java.nio.channels.Selector;

/** Provider of the portable NIO backend ({@value #NAME}). Available wherever a {@link Selector} opens. */
public final class NioBackendProvider implements BackendProvider {

    /** Backend name. */
    public static final String NAME = "nio";

    private static final Availability AVAILABILITY = probe();

    private static Availability probe() {
        try (Selector s = Selector.open()) {
            return Availability.available("java.nio " + s.provider().getClass().getSimpleName());
        } catch (IOException | RuntimeException e) {
            return Availability.unavailable("cannot open a java.nio Selector: " + e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /** {@return 10: below io_uring, which is preferred where available} */
    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Availability availability() {
        return AVAILABILITY;
    }

    @Override
    public Backend open(Config config) {
        return new NioBackend();
    }
}
