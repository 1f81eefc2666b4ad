package io.ringline.internal;

import io.ringline.DatagramHandler;
import io.ringline.UdpSocket;
import io.ringline.spi.UdpTransport;
import io.ringline.spi.WorkerIo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One worker's open UDP sockets: those of {@link io.ringline.Config#udpBindings()} in binding
 * order, then those the handler opened, in opening order. Opens them through the driver
 * ({@link WorkerIo#openUdp}), drains them at shutdown and closes what is left at termination.
 * Worker thread only.
 */
final class WorkerUdpSockets {

    private static final Logger log = LoggerFactory.getLogger(WorkerUdpSockets.class);

    private final Worker worker;
    private final Supplier<WorkerIo> io;
    private final Supplier<String> backendName;
    private final List<UdpSocketImpl> bound = new ArrayList<>();
    private final List<UdpSocketImpl> opened = new ArrayList<>();

    WorkerUdpSockets(Worker worker, Supplier<WorkerIo> io, Supplier<String> backendName) {
        this.worker = worker;
        this.io = io;
        this.backendName = backendName;
    }

    /**
     * Opens a socket bound to {@code local}, connected to {@code remote} if non-null, and starts it
     * receiving.
     *
     * @param binding whether it serves a {@link io.ringline.Config#udpBindings() binding} (else the handler opened it)
     * @throws UncheckedIOException          if the driver failed to open it (the message names the address)
     * @throws UnsupportedOperationException if the backend has no UDP (the message names the backend)
     */
    UdpSocketImpl open(InetSocketAddress local, InetSocketAddress remote, DatagramHandler handler, boolean reusePort,
                       boolean binding) {
        UdpSocketImpl s = new UdpSocketImpl(worker, handler, remote);
        UdpTransport transport;
        try {
            transport = io.get().openUdp(s, local, remote, reusePort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a UDP socket on " + local
                    + (remote == null ? "" : " connected to " + remote) + ": " + e.getMessage(), e);
        } catch (UnsupportedOperationException e) {
            throw new UnsupportedOperationException("backend '" + backendName.get() + "' has no UDP: cannot open a UDP socket on "
                    + local + " (" + e.getMessage() + ")", e);
        }
        if (s.isClosed()) { // the driver reported a failure inside openUdp
            throw new UncheckedIOException(new IOException("the UDP socket on " + local + " failed while opening"));
        }
        s.attach(transport);
        (binding ? bound : opened).add(s);
        transport.startReceiving();
        return s;
    }

    /** {@code s} closed: it is no longer listed. */
    void closed(UdpSocketImpl s) {
        if (!bound.remove(s)) {
            opened.remove(s);
        }
    }

    /** {@return the open sockets: bound ones in binding order, then opened ones in opening order} */
    List<UdpSocket> list() {
        List<UdpSocket> all = new ArrayList<>(bound.size() + opened.size());
        all.addAll(bound);
        all.addAll(opened);
        return all;
    }

    /** {@return whether no socket is open} */
    boolean isEmpty() {
        return bound.isEmpty() && opened.isEmpty();
    }

    /** Shutdown began: every socket stops receiving, sends what is queued and then closes. */
    void beginDrain() {
        for (UdpSocketImpl s : List.copyOf(bound)) {
            s.beginDrain();
        }
        for (UdpSocketImpl s : List.copyOf(opened)) {
            s.beginDrain();
        }
    }

    /** Closes every socket still open (the grace period is over); queued datagrams are dropped. */
    void closeAll() {
        for (UdpSocketImpl s : List.copyOf(bound)) {
            s.closeWith(null);
        }
        for (UdpSocketImpl s : List.copyOf(opened)) {
            s.closeWith(null);
        }
    }

    /**
     * The worker terminates: closes every socket still open, containing (logging) whatever a
     * callback throws so that every socket closes.
     *
     * @param death what killed the worker (given to {@code onUdpClosed}), or null
     */
    void closeAtTermination(Throwable death) {
        List<UdpSocketImpl> all = new ArrayList<>(bound);
        all.addAll(opened);
        for (UdpSocketImpl s : all) {
            try {
                s.closeWith(death);
            } catch (Throwable t) {
                log.warn("ringline worker {}: closing {} failed", worker.workerId(), s, t);
            }
        }
    }

    /** Checks the arguments of {@link io.ringline.WorkerContext#openUdp}. */
    static void check(InetSocketAddress local, InetSocketAddress remote, DatagramHandler handler) {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(handler, "handler");
        if (local.isUnresolved()) {
            throw new IllegalArgumentException("UDP local address " + local + " is unresolved");
        }
        if (remote != null && remote.isUnresolved()) {
            throw new IllegalArgumentException("UDP remote address " + remote + " is unresolved");
        }
    }
}
