package io.ringline.internal;

import io.ringline.CloseReason;
import io.ringline.Config;
import io.ringline.jfr.BackpressureEvent;
import io.ringline.jfr.ConnectionClosedEvent;
import io.ringline.jfr.ConnectionOpenedEvent;
import io.ringline.jfr.ReceiveBufferExhaustedEvent;
import io.ringline.jfr.RegionRegisteredEvent;
import io.ringline.jfr.TlsHandshakeEvent;
import io.ringline.jfr.WorkerStallEvent;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With no Flight Recorder recording the {@link JfrEvents} hooks allocate nothing: the data path
 * (onData and the loop's tick, each timed for {@code ringline.WorkerStall}) and every other
 * emission point, called directly. Measured with the thread's allocated bytes.
 */
class JfrAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int WARM_UP = 50_000;
    private static final int MEASURED = 200_000;

    private static double perIteration(Runnable iteration) {
        for (int i = 0; i < WARM_UP; i++) {
            iteration.run();
        }
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < MEASURED; i++) {
            iteration.run();
        }
        return (double) (THREADS.getCurrentThreadAllocatedBytes() - before) / MEASURED;
    }

    @Test
    void theEventsAreOffWithoutARecording() {
        assertFalse(new ConnectionOpenedEvent().isEnabled());
        assertFalse(new ConnectionClosedEvent().isEnabled());
        assertFalse(new WorkerStallEvent().isEnabled());
        assertFalse(new BackpressureEvent().isEnabled());
        assertFalse(new ReceiveBufferExhaustedEvent().isEnabled());
        assertFalse(new RegionRegisteredEvent().isEnabled());
        assertFalse(new TlsHandshakeEvent().isEnabled());
    }

    @Test
    void onDataAndTheLoopPassAllocateNothingWithTheStallHooks() {
        Worker worker = Worker.detached(Config.builder().workers(1).build(), (c, d) -> d.remaining());
        SocketlessConnection c = new SocketlessConnection(worker);
        ByteBuffer data = ByteBuffer.allocateDirect(100).asReadOnlyBuffer();
        double bytes = perIteration(() -> {
            c.core.received(data.clear());
            worker.runOnce();
        });
        System.out.printf("onData + loop pass with the JFR hooks and no recording: %.3f B allocated per iteration%n", bytes);
        assertTrue(bytes < 1, bytes + " B per iteration");
        assertEquals((long) (WARM_UP + MEASURED) * 100, worker.stats().bytesIn());
    }

    @Test
    void everyOtherHookAllocatesNothing() {
        Worker worker = Worker.detached(Config.builder().workers(1).build(), (c, d) -> d.remaining());
        ConnectionImpl c = new SocketlessConnection(worker).core;
        double bytes = perIteration(() -> {
            JfrEvents.opened(c);
            JfrEvents.closed(c, CloseReason.PEER_CLOSED, null);
            JfrEvents.stallEnd(JfrEvents.stallBegin(), 0, c, "onData");
            JfrEvents.sendRefused(0, "connection", null, 10, 20, 25);
            JfrEvents.reading(0, null, true);
            worker.stats().io().recvBufferExhausted();
            long start = JfrEvents.regionStart();
            JfrEvents.regionRegistered(1, 4096, start);
            JfrEvents.regionUnregistered(1, 4096, start);
            JfrEvents.tlsHandshake(0, null, true, 0, null, null);
        });
        System.out.printf("every other JFR hook with no recording: %.3f B allocated per iteration%n", bytes);
        assertTrue(bytes < 1, bytes + " B per iteration");
    }
}
