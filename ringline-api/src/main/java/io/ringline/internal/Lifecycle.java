package io.ringline.internal;

/**
 * Where a connection ({@link ConnectionImpl}) is in its life: the one state of its lifecycle.
 * Input reaches the handler only when {@link #OPEN}; sends are taken when {@link #isLive() live}.
 */
enum Lifecycle {
    /** Serving. */
    OPEN,
    /**
     * The runtime is shutting down gracefully: the handler gets no more input (bytes kept or still
     * arriving are discarded, but reading goes on so that the peer's unread bytes cannot turn the
     * final close into a reset) and was asked to finish ({@code onDrain}).
     */
    DRAINING,
    /** Closing: flushing the queue, then closing. */
    CLOSING,
    /** Closing at shutdown: flushing the queue, then {@link #LINGERING} until the peer closes. */
    CLOSING_AT_SHUTDOWN,
    /**
     * At shutdown, everything was written and the output shut down: waiting for the peer's end of
     * stream (bounded by the grace period).
     */
    LINGERING,
    /** Closed: the transport was closed, the slot freed, {@code onClose} called. */
    CLOSED;

    /** {@return whether the connection is open to the handler: sends are taken, close starts closing} */
    boolean isLive() {
        return this == OPEN || this == DRAINING;
    }

    /** {@return whether the queue is being flushed before a close} */
    boolean isClosing() {
        return this == CLOSING || this == CLOSING_AT_SHUTDOWN;
    }

    /** {@return null if sends are taken, else why not (for the exception's message)} */
    String sendRefusal() {
        return switch (this) {
            case OPEN, DRAINING -> null;
            case CLOSING, CLOSING_AT_SHUTDOWN -> "connection is closing";
            case LINGERING -> "connection is lingering";
            case CLOSED -> "connection is closed";
        };
    }
}
