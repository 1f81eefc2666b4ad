package io.ringline.examples;

import io.ringline.Connection;
import io.ringline.WorkerContext;

import java.time.Duration;

/**
 * Ends a connection the server decided to close (protocol error, QUIT, {@code Connection: close})
 * without losing the last reply: closing a socket whose peer's bytes are still unread makes the
 * kernel send a reset that can discard the reply. So the output is shut down after the queued
 * replies (the peer reads them, then end of stream), input is read and discarded until the peer
 * closes, and the connection is aborted if the peer has not closed within {@link #TIMEOUT}.
 */
final class Linger {

    /** Longest wait for the peer to close. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private Linger() {
    }

    /** Starts the linger; the handler keeps discarding input and closes on end of stream. */
    static void start(Connection connection) {
        connection.shutdownOutput();
        connection.resumeReading();
        long token = connection.token();
        WorkerContext worker = connection.worker();
        worker.schedule(TIMEOUT, () -> worker.connection(token).ifPresent(Connection::abort));
    }
}
