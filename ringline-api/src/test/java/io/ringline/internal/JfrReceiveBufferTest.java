package io.ringline.internal;

import io.ringline.Config;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code ringline.ReceiveBufferExhausted} follows the backend's {@code IoStats.recvBufferExhausted}
 * report with the worker's running count (the real backends report it only under io_uring buffer-ring
 * exhaustion, which the conformance suite cannot provoke cheaply).
 */
class JfrReceiveBufferTest {

    @Test
    void eachExhaustionReportIsAnEventWithTheRunningCount() throws Exception {
        Worker worker = Worker.detached(Config.builder().workers(1).build(), (c, d) -> d.remaining());
        Path file = Files.createTempFile("ringline-jfr", ".jfr");
        try (Recording rec = new Recording()) {
            rec.enable("ringline.ReceiveBufferExhausted");
            rec.start();
            worker.stats().io().recvBufferExhausted();
            worker.stats().io().recvBufferExhausted();
            rec.stop();
            rec.dump(file);
            List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("ringline.ReceiveBufferExhausted")).toList();
            assertEquals(List.of(1L, 2L), events.stream().map(e -> e.getLong("count")).toList());
            assertEquals(2, worker.stats().recvBufferExhausted());
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
