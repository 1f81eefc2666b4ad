package io.ringline.internal;

import io.ringline.Connection;
import io.ringline.MemoryRegion;
import io.ringline.spi.AcceptSink;
import io.ringline.spi.AcceptedSocket;
import io.ringline.spi.Availability;
import io.ringline.spi.Backend;
import io.ringline.spi.BackendContext;
import io.ringline.spi.BackendProvider;
import io.ringline.spi.Capability;
import io.ringline.spi.Listener;
import io.ringline.spi.UdpCore;
import io.ringline.spi.UdpTransport;
import io.ringline.spi.WorkerIo;
import io.ringline.spi.WorkerServices;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A backend in memory for the core's UDP wiring tests, registered as {@code fake-udp} (declares
 * {@link Capability#UDP}) and {@code fake-noudp} (does not, and its driver keeps the SPI's default
 * {@code openUdp}). No TCP. Its UDP sockets are {@link FakeUdpTransport}s, listed in
 * {@link #OPENED} in opening order; binding to port {@link #BUSY_PORT} fails like an address in use.
 * Low priority: never chosen unless named.
 */
public class FakeUdpBackendProvider implements BackendProvider {

    /** One socket a driver opened. */
    record Opened(int workerId, InetSocketAddress requested, InetSocketAddress remote, boolean reusePort,
                  FakeUdpTransport transport, Thread thread, long openedNanos) {
    }

    static final List<Opened> OPENED = new CopyOnWriteArrayList<>();
    static final int BUSY_PORT = 9;
    private static final AtomicInteger NEXT_PORT = new AtomicInteger(40_000);

    private final String name;
    private final boolean udp;

    FakeUdpBackendProvider(String name, boolean udp) {
        this.name = name;
        this.udp = udp;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int priority() {
        return -100;
    }

    @Override
    public Availability availability() {
        return Availability.available("in memory");
    }

    @Override
    public Set<Capability> capabilities() {
        return udp ? Set.of(Capability.UDP) : Set.of();
    }

    @Override
    public Backend open(BackendContext context) {
        return new Backend() {
            @Override
            public WorkerIo openWorker(WorkerServices worker) {
                return udp ? new Driver(worker) : new NoUdpDriver();
            }

            @Override
            public Listener listen(InetSocketAddress address, int backlog, AcceptSink sink) throws IOException {
                throw new IOException("fake backend " + name + " has no TCP");
            }

            @Override
            public void close() {
            }
        };
    }

    /** A driver that only waits for wake-ups. */
    static class NoUdpDriver implements WorkerIo {
        private volatile Thread waiter;
        private volatile boolean woken;

        @Override
        public void poll(long timeoutNanos) {
            waiter = Thread.currentThread();
            if (!woken && timeoutNanos != 0) {
                LockSupport.parkNanos(timeoutNanos < 0 ? TimeUnit.MILLISECONDS.toNanos(10) : Math.min(timeoutNanos,
                        TimeUnit.MILLISECONDS.toNanos(10)));
            }
            woken = false;
        }

        @Override
        public void wakeup() {
            woken = true;
            Thread t = waiter;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        @Override
        public void adopt(AcceptedSocket socket) {
            throw new UnsupportedOperationException("no TCP");
        }

        @Override
        public Runnable connect(SocketAddress remote, CompletableFuture<Connection> result) {
            result.completeExceptionally(new IOException("no TCP"));
            return () -> { };
        }

        @Override
        public void installRegion(int slot, MemoryRegion region) {
        }

        @Override
        public void removeRegion(int slot) {
        }

        @Override
        public long bytesReceivedAfterPause() {
            return 0;
        }

        @Override
        public void close() {
        }
    }

    /** A driver whose UDP sockets are {@link FakeUdpTransport}s. */
    static final class Driver extends NoUdpDriver {
        private final WorkerServices worker;

        Driver(WorkerServices worker) {
            this.worker = worker;
        }

        @Override
        public UdpTransport openUdp(UdpCore core, InetSocketAddress local, InetSocketAddress remote, boolean reusePort)
                throws IOException {
            if (local.getPort() == BUSY_PORT) {
                throw new IOException("bind " + local + ": Address already in use");
            }
            int port = local.getPort() == 0 ? NEXT_PORT.getAndIncrement() : local.getPort();
            FakeUdpTransport t = new FakeUdpTransport(new InetSocketAddress(local.getAddress(), port), true);
            t.core = core;
            OPENED.add(new Opened(worker.workerId(), local, remote, reusePort, t, Thread.currentThread(), System.nanoTime()));
            return t;
        }
    }

    /** {@code fake-udp}. */
    public static final class WithUdp extends FakeUdpBackendProvider {
        public WithUdp() {
            super("fake-udp", true);
        }
    }

    /** {@code fake-noudp}. */
    public static final class WithoutUdp extends FakeUdpBackendProvider {
        public WithoutUdp() {
            super("fake-noudp", false);
        }
    }
}
