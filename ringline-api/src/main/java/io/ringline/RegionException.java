package io.ringline;

/**
 * A region registration or unregistration failed on at least one worker (for example the kernel
 * refused to register the buffer because of the locked-memory limit). When thrown by a register,
 * nothing was changed: workers that had applied the region rolled it back and the slot is free.
 */
public class RegionException extends RinglineException {
    /**
     * Creates the exception.
     *
     * @param message what failed
     */
    public RegionException(String message) {
        super(message);
    }

    /**
     * Creates the exception.
     *
     * @param message what failed
     * @param cause   the first worker's error
     */
    public RegionException(String message, Throwable cause) {
        super(message, cause);
    }
}
