package io.ringline;

/**
 * No usable backend, or the backend asked for (by {@link Config#backend()} or the system property
 * {@value Config#BACKEND_PROPERTY}) is absent or unavailable. The message names the backend, the
 * reason, and the backends that are available.
 */
public class BackendUnavailableException extends RinglineException {
    /**
     * Creates the exception.
     *
     * @param message names the backend, why it cannot be used, and what is available
     */
    public BackendUnavailableException(String message) {
        super(message);
    }
}
