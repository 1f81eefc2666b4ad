package io.ringline.internal;

import io.ringline.Connection;
import io.ringline.MemoryRegion;
import io.ringline.spi.AcceptedSocket;
import io.ringline.spi.WorkerIo;
import org.junit.jupiter.api.Test;

import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The accept hand-off: its limit, the load accounting around adopt, refusal at shutdown and termination. */
class AcceptInboxTest {

    private final ArrayDeque<TaskQueue.Internal> queued = new ArrayDeque<>();
    private final AtomicInteger freed = new AtomicInteger();
    private final Driver driver = new Driver();
    private boolean refusing;
    private boolean terminated;

    private final AcceptInbox inbox = new AcceptInbox(0, 3, 2, task -> {
        if (terminated) {
            throw new RejectedExecutionException("terminated");
        }
        queued.add(task);
    }, () -> driver, () -> refusing, freed::incrementAndGet);

    /** An accepted socket that records its close. */
    static final class Socket implements AcceptedSocket {
        int closes;

        @Override
        public void close() {
            closes++;
        }
    }

    /** A driver whose adopt "opens" a connection (takes a load unit, as ConnectionCore.open does) unless told to fail. */
    final class Driver implements WorkerIo {
        boolean open = true;
        int loadSeenInAdopt;

        @Override
        public void adopt(AcceptedSocket socket) {
            loadSeenInAdopt = inbox.load();
            if (!open) {
                socket.close();
                throw new IllegalStateException("cannot serve it");
            }
            inbox.connectionOpened();
        }

        @Override public void poll(long timeoutNanos) { }
        @Override public void wakeup() { }
        @Override public Runnable connect(SocketAddress remote, CompletableFuture<Connection> result) { return () -> { }; }
        @Override public void installRegion(int slot, MemoryRegion region) { }
        @Override public void removeRegion(int slot) { }
        @Override public long bytesReceivedAfterPause() { return 0; }
        @Override public void close() { }
    }

    @Test
    void atMostTheHandoffLimitWaitsToBeAdopted() {
        assertTrue(inbox.offer(new Socket()));
        assertTrue(inbox.offer(new Socket()));
        assertFalse(inbox.offer(new Socket()), "acceptHandoffLimit 2 reached");
        assertEquals(2, inbox.pending());
        assertEquals(2, inbox.load(), "each hand-off counts as load");
        queued.poll().run();
        assertEquals(1, inbox.pending());
        assertTrue(inbox.offer(new Socket()), "a place is free again");
    }

    @Test
    void theHandoffsUnitIsReleasedOnlyAfterAdoptAndTheConnectionHoldsItsOwn() {
        inbox.offer(new Socket());
        queued.poll().run();
        assertEquals(1, driver.loadSeenInAdopt, "during adopt the hand-off's unit is still counted");
        assertEquals(1, inbox.load(), "after adopt: only the connection's own unit");
        assertEquals(1, freed.get(), "capacity freed once the hand-off's unit went");
        inbox.connectionClosed();
        assertEquals(0, inbox.load());
    }

    @Test
    void loadIsBoundedByMaxConnections() {
        for (int i = 0; i < 3; i++) {
            assertTrue(inbox.offer(new Socket()), "socket " + i);
            queued.poll().run();
        }
        assertEquals(3, inbox.load());
        assertFalse(inbox.offer(new Socket()), "maxConnections 3 served");
        inbox.connectionClosed();
        assertTrue(inbox.offer(new Socket()));
    }

    @Test
    void aFailedAdoptReleasesTheUnitAndLeavesTheSocketToTheDriver() {
        driver.open = false;
        Socket s = new Socket();
        inbox.offer(s);
        queued.poll().run(); // logged, not thrown
        assertEquals(0, inbox.load());
        assertEquals(1, s.closes, "closed once, by the driver");
    }

    @Test
    void whileShuttingDownAHandedOffSocketIsClosedNotAdopted() {
        Socket s = new Socket();
        inbox.offer(s);
        refusing = true;
        queued.poll().run();
        assertEquals(1, s.closes);
        assertEquals(0, driver.loadSeenInAdopt, "adopt was not called");
        assertEquals(0, inbox.load());
        assertEquals(0, inbox.pending());
    }

    @Test
    void atTerminationQueuedHandoffsAreRejectedAndLaterOffersRefused() {
        Socket s = new Socket();
        inbox.offer(s);
        inbox.close();
        assertFalse(inbox.offer(new Socket()), "closed");
        TaskQueue.Internal task = queued.poll();
        assertTrue(inbox.rejectIfAdopt(task));
        assertFalse(inbox.rejectIfAdopt(() -> { }), "not an adopt task");
        assertEquals(1, s.closes);
        assertEquals(0, inbox.load());
        assertEquals(0, inbox.pending());
    }

    @Test
    void anOfferTheWorkerRefusesToQueueIsUndone() {
        terminated = true;
        assertFalse(inbox.offer(new Socket()));
        assertEquals(0, inbox.load());
        assertEquals(0, inbox.pending());
    }
}
