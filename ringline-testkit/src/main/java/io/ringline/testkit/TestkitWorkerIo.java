package io.ringline.testkit;

import io.ringline.Connection;
import io.ringline.MemoryRegion;
import io.ringline.spi.AcceptedSocket;
import io.ringline.spi.ConnectionCore;
import io.ringline.spi.IoStats;
import io.ringline.spi.WorkerIo;
import io.ringline.spi.WorkerServices;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The testkit driver of one worker. {@link #poll} waits on the worker's {@link WorkerSignal} for
 * news from the peers, and the deadline of the first delayed bytes; every report to a core
 * happens inside it, on the worker's thread. Regions need no backend state: a region send is
 * copied from the region's memory into the peer's pipe like any other.
 *
 * <p>Threading: worker thread only, except {@link #wakeup()}.
 */
final class TestkitWorkerIo implements WorkerIo {

    private final WorkerServices services;
    private final TestkitSettings settings;
    private final WorkerSignal signal = new WorkerSignal();
    /** One direct read buffer for all of this worker's connections; the core copies what it keeps. */
    private final ByteBuffer readBuffer;
    /** Read-only twin of {@link #readBuffer} (same memory), what the core is shown. */
    private final ByteBuffer receivedView;
    private final List<TestkitConnection> ready = new ArrayList<>();
    /** Connections whose next bytes are delayed ({@link TestkitOptions#READ_DELAY_MILLIS}). */
    private final List<TestkitConnection> delayed = new ArrayList<>();
    private final ArrayDeque<PendingConnect> connects = new ArrayDeque<>();
    private final Set<TestkitConnection> open = new HashSet<>();
    /** Numbers this worker's connections, for their seeded chunk sizes. */
    private long connectionSerial;

    TestkitWorkerIo(WorkerServices services, TestkitSettings settings) {
        this.services = services;
        this.settings = settings;
        this.readBuffer = ByteBuffer.allocateDirect(settings.maxReadChunk());
        this.receivedView = readBuffer.asReadOnlyBuffer();
    }

    WorkerSignal signal() {
        return signal;
    }

    /** {@return the worker's read buffer, which the pipes deliver into} */
    ByteBuffer readBuffer() {
        return readBuffer;
    }

    /**
     * {@return the read-only twin of {@link #readBuffer()} holding the {@code length} bytes just
     * delivered (position 0, limit {@code length}), for {@code ConnectionCore.received}}
     */
    ByteBuffer received(int length) {
        return receivedView.clear().limit(length);
    }

    IoStats stats() {
        return services.stats();
    }

    @Override
    public void poll(long timeoutNanos) {
        services.stats().kernelEntered();
        runConnects();
        signal.drainTo(ready);
        long untilDue = nanosUntilFirstDue(System.nanoTime());
        if (ready.isEmpty() && timeoutNanos != 0 && connects.isEmpty() && untilDue != 0) {
            long wait = timeoutNanos < 0 ? untilDue : untilDue < 0 ? timeoutNanos : Math.min(timeoutNanos, untilDue);
            signal.await(wait);
            signal.drainTo(ready);
        }
        for (int i = 0; i < ready.size(); i++) {
            ready.get(i).service();
        }
        ready.clear();
        serviceDue(System.nanoTime());
    }

    @Override
    public void wakeup() {
        signal.wakeup();
    }

    @Override
    public void adopt(AcceptedSocket socket) {
        open(((TestkitListener.Accepted) socket).end(), null);
    }

    /**
     * Creates the connection of {@code end} and its core and opens it.
     *
     * @param connect the future of the connect that made {@code end}, null if accepted
     *
     * @return its core
     * @throws RuntimeException what {@link ConnectionCore#open()} threw (the end was reset)
     */
    private ConnectionCore open(Endpoint end, CompletableFuture<Connection> connect) {
        long serial = connectionSerial++;
        TestkitConnection c = new TestkitConnection(this, end,
                new Chunker(settings.maxReadChunk(), seed(serial, 1)),
                new Chunker(settings.maxWriteChunk(), seed(serial, 2)));
        ConnectionCore core = services.newConnection(c, end.local(), end.remote(), connect);
        c.attach(core);
        open.add(c);
        boolean opened;
        try {
            opened = core.open();
        } catch (RuntimeException e) {
            open.remove(c);
            end.reset();
            throw e;
        }
        if (opened) {
            c.startReceiving();
        }
        return core;
    }

    /** {@return the chunk seed of connection {@code serial} in direction {@code direction}, 0 if not seeded} */
    private long seed(long serial, int direction) {
        if (settings.seed() == 0) {
            return 0;
        }
        long s = settings.seed() * 0x9E3779B97F4A7C15L + serial * 31 + direction;
        return s == 0 ? 1 : s;
    }

    @Override
    public Runnable connect(SocketAddress remote, CompletableFuture<Connection> result) {
        PendingConnect p = new PendingConnect(remote, result);
        connects.addLast(p);
        return p::abort;
    }

    /** Finishes the connects started since the last poll, in order. */
    private void runConnects() {
        PendingConnect p;
        while ((p = connects.pollFirst()) != null) {
            p.finish();
        }
    }

    /** A connect started by {@link #connect}, finished by the next {@link #poll} (unless aborted). */
    private final class PendingConnect {
        private final SocketAddress remote;
        private final CompletableFuture<Connection> result;
        private boolean aborted;

        PendingConnect(SocketAddress remote, CompletableFuture<Connection> result) {
            this.remote = remote;
            this.result = result;
        }

        void finish() {
            if (aborted || result.isDone()) {
                return;
            }
            Endpoint end;
            try {
                end = TestkitNetwork.connect(remote, settings);
            } catch (ConnectException e) {
                result.completeExceptionally(e);
                return;
            }
            try {
                result.complete(open(end, result).connection());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }

        void abort() {
            aborted = true;
            connects.remove(this);
        }
    }

    /** Remembers that {@code c} has delayed bytes: {@link #poll} wakes for them. */
    void delayed(TestkitConnection c) {
        if (!c.delayed) {
            c.delayed = true;
            delayed.add(c);
        }
    }

    /** {@return nanoseconds from {@code now} until the first delayed bytes are due (0: now), -1 if none wait} */
    private long nanosUntilFirstDue(long now) {
        long first = -1;
        for (int i = 0; i < delayed.size(); i++) {
            long at = delayed.get(i).nextReadyAt();
            if (at != Long.MAX_VALUE) {
                long wait = Math.max(0, at - now);
                first = first < 0 ? wait : Math.min(first, wait);
            }
        }
        return first;
    }

    /** Services the connections whose delayed bytes are readable at {@code now}, and forgets the closed ones. */
    private void serviceDue(long now) {
        for (int i = delayed.size() - 1; i >= 0; i--) {
            TestkitConnection c = delayed.get(i);
            long at = c.nextReadyAt();
            if (at == Long.MAX_VALUE || at - now <= 0) {
                delayed.set(i, delayed.getLast());
                delayed.removeLast();
                c.delayed = false;
                if (at != Long.MAX_VALUE) {
                    c.service();
                }
            }
        }
    }

    /** {@code c} closed: it gets no more service. */
    void forget(TestkitConnection c) {
        open.remove(c);
    }

    @Override
    public void installRegion(int slot, MemoryRegion region) {
        // Nothing to do: region sends are copied from the region's memory (the core's table holds it).
    }

    @Override
    public void removeRegion(int slot) {
        // Nothing to do (see installRegion).
    }

    /** {@return 0: the pause is checked before every chunk delivered} */
    @Override
    public long bytesReceivedAfterPause() {
        return 0;
    }

    @Override
    public void close() {
        for (TestkitConnection c : List.copyOf(open)) {
            c.close(true);
        }
        open.clear();
        PendingConnect p;
        while ((p = connects.pollFirst()) != null) {
            p.result.completeExceptionally(new ConnectException("connect to " + p.remote + " aborted: worker closed"));
        }
    }
}
