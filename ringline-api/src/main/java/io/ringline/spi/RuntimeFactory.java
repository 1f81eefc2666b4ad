package io.ringline.spi;

import io.ringline.Config;
import io.ringline.HandlerFactory;
import io.ringline.Runtime;

/**
 * Starts runtimes: what {@link Runtime#start} finds with {@link java.util.ServiceLoader} (the core
 * provides the one implementation, in {@code META-INF/services/io.ringline.spi.RuntimeFactory}),
 * so that the public API does not depend on the core's classes. Not for backends.
 *
 * <p>Thread-safe.
 */
public interface RuntimeFactory {

    /**
     * See {@link Runtime#start(Config, HandlerFactory)}, whose contract this fulfils.
     *
     * @param config  the configuration
     * @param factory creates one handler per worker
     * @return the running runtime
     */
    Runtime start(Config config, HandlerFactory factory);
}
