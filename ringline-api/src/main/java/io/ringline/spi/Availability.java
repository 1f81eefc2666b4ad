package io.ringline.spi;

import java.util.Objects;

/**
 * Result of a backend's availability probe.
 *
 * @param available whether the backend can be used on this machine
 * @param reason    why not (when unavailable), or a short description of what was found
 */
public record Availability(boolean available, String reason) {

    /**
     * Checks the result.
     *
     * @throws NullPointerException if {@code reason} is null
     */
    public Availability {
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * {@return an "available" result}
     *
     * @param detail what was found, e.g. kernel features
     */
    public static Availability available(String detail) {
        return new Availability(true, detail);
    }

    /**
     * {@return an "unavailable" result}
     *
     * @param reason why the backend cannot be used
     */
    public static Availability unavailable(String reason) {
        return new Availability(false, reason);
    }
}
