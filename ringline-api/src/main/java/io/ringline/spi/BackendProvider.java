package io.ringline.spi;

import io.ringline.Config;

/**
 * A backend, discovered with {@link java.util.ServiceLoader} (register the implementation in
 * {@code META-INF/services/io.ringline.spi.BackendProvider}).
 *
 * <p>Auto-selection picks the available provider with the highest {@link #priority()}; the
 * system property {@value Config#BACKEND_PROPERTY} or {@link Config#backend()} picks one by name.
 * Implementations must be cheap to construct and thread-safe.
 */
public interface BackendProvider {

    /** {@return the backend's name, e.g. {@code io_uring} or {@code nio}} */
    String name();

    /** {@return selection priority; higher wins among available backends} */
    int priority();

    /**
     * Probes whether the backend works here. Never throws; probes once and caches the result.
     *
     * @return availability, with the reason when unavailable
     */
    Availability availability();

    /**
     * Opens the backend for one runtime. Called only when {@link #availability()} is available.
     *
     * @param config the validated configuration
     * @return the backend instance, closed by the runtime after every worker stopped
     * @throws java.io.IOException if it cannot be opened
     */
    Backend open(Config config) throws java.io.IOException;
}
