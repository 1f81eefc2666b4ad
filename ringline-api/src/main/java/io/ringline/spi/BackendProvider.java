package io.ringline.spi;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * A backend, discovered with {@link java.util.ServiceLoader} (register the implementation in
 * {@code META-INF/services/io.ringline.spi.BackendProvider}, or with {@code provides} in its
 * {@code module-info}).
 *
 * <p>Auto-selection picks the available provider with the highest {@link #priority()}; the system
 * property {@value io.ringline.Config#BACKEND_PROPERTY} or {@link io.ringline.Config#backend()}
 * picks one by name. Implementations must be cheap to construct and thread-safe.
 */
public interface BackendProvider {

    /** {@return the backend's name, e.g. {@code io_uring} or {@code nio}; also the prefix of its option names} */
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
     * {@return the options this backend understands, each named {@code name() + "." + knob}} The
     * core rejects, at {@code Runtime.start}, any option set for this backend that is not in this
     * list or whose value the option does not accept. The default: none.
     */
    default List<BackendOption<?>> options() {
        return List.of();
    }

    /**
     * {@return what this backend can do beyond the contract every backend fulfils} A test suite
     * skips the cases that need a capability the backend does not declare, and says so.
     */
    Set<Capability> capabilities();

    /**
     * Opens the backend for one runtime. Called only when {@link #availability()} is available,
     * on the thread that calls {@code Runtime.start}.
     *
     * @param context the validated configuration and this backend's resolved options
     * @return the backend instance, closed by the runtime after every worker stopped
     * @throws IOException if it cannot be opened (the start then fails)
     */
    Backend open(BackendContext context) throws IOException;
}
