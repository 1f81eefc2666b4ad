package io.ringline;

/** Base class of ringline's unchecked exceptions. */
public class RinglineException extends RuntimeException {
    /**
     * Creates the exception.
     *
     * @param message what went wrong, naming the offending value and limit where there is one
     */
    public RinglineException(String message) {
        super(message);
    }

    /**
     * Creates the exception.
     *
     * @param message what went wrong
     * @param cause   the underlying cause
     */
    public RinglineException(String message, Throwable cause) {
        super(message, cause);
    }
}
