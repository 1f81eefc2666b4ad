package io.ringline.uring;

import io.ringline.Config;
import io.ringline.spi.Availability;
import io.ringline.spi.Backend;
import io.ringline.spi.BackendProvider;

import java.io.IOException;

/** The io_uring backend provider. Placeholder until the backend is implemented: reports itself unavailable. */
public final class IoUringBackendProvider implements BackendProvider {
    /** Backend name. */
    public static final String NAME = "io_uring";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Availability availability() {
        return Availability.unavailable("not implemented yet");
    }

    @Override
    public Backend open(Config config) throws IOException {
        throw new IOException("io_uring backend: not implemented yet");
    }
}
