package io.ringline.spi;

import io.ringline.Config;

/**
 * What a backend is opened with: the runtime's configuration and its own resolved options.
 *
 * @param config  the validated configuration
 * @param options this backend's options, resolved against {@link BackendProvider#options()}
 */
public record BackendContext(Config config, BackendOptions options) {

    /**
     * Checks the context.
     *
     * @throws NullPointerException if {@code config} or {@code options} is null
     */
    public BackendContext {
        java.util.Objects.requireNonNull(config, "config");
        java.util.Objects.requireNonNull(options, "options");
    }
}
