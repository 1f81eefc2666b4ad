package io.ringline;

/** Thrown when an operation is attempted on a connection that is closed (or closing). */
public class ConnectionClosedException extends RinglineException {
    /**
     * Creates the exception.
     *
     * @param message describes the connection and the operation
     */
    public ConnectionClosedException(String message) {
        super(message);
    }
}
