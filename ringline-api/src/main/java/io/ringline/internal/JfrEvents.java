package io.ringline.internal;

import io.ringline.CloseReason;
import io.ringline.TlsInfo;
import io.ringline.WorkerStats;
import io.ringline.jfr.BackpressureEvent;
import io.ringline.jfr.ConnectionClosedEvent;
import io.ringline.jfr.ConnectionOpenedEvent;
import io.ringline.jfr.ReceiveBufferExhaustedEvent;
import io.ringline.jfr.RegionRegisteredEvent;
import io.ringline.jfr.RegionUnregisteredEvent;
import io.ringline.jfr.TlsHandshakeEvent;
import io.ringline.jfr.WorkerStallEvent;
import io.ringline.jfr.WorkerStatisticsEvent;
import jdk.jfr.FlightRecorder;

import java.net.SocketAddress;

/**
 * Emits the {@code io.ringline.jfr} Flight Recorder events for the core: one static method per
 * emission point, each a one-line hook at its call site. Every method first asks its event type
 * whether it is enabled (a field check on a shared probe instance, which is only ever asked
 * {@code isEnabled()}); only then does it read the clock, allocate the event and format addresses.
 * So with no recording (or one that leaves ringline's events off) nothing is allocated.
 *
 * <p>Thread-safe: the probes are never mutated; each emitted event is confined to its thread.
 */
final class JfrEvents {

    private static final ConnectionOpenedEvent OPENED = new ConnectionOpenedEvent();
    private static final ConnectionClosedEvent CLOSED = new ConnectionClosedEvent();
    private static final WorkerStallEvent STALL = new WorkerStallEvent();
    private static final RegionRegisteredEvent REGISTERED = new RegionRegisteredEvent();
    private static final RegionUnregisteredEvent UNREGISTERED = new RegionUnregisteredEvent();
    private static final BackpressureEvent BACKPRESSURE = new BackpressureEvent();
    private static final ReceiveBufferExhaustedEvent EXHAUSTED = new ReceiveBufferExhaustedEvent();
    private static final TlsHandshakeEvent HANDSHAKE = new TlsHandshakeEvent();

    private JfrEvents() {
    }

    /** {@code c} opened. */
    static void opened(ConnectionImpl c) {
        if (!OPENED.isEnabled()) {
            return;
        }
        Worker w = (Worker) c.worker();
        ConnectionOpenedEvent e = new ConnectionOpenedEvent();
        e.backend = w.backendName();
        e.worker = w.workerId();
        e.remoteAddress = text(c.remoteAddress());
        e.localAddress = text(c.localAddress());
        e.tls = c.isTls();
        e.commit();
    }

    /** {@code c} closed with {@code reason} ({@code cause} may be null). */
    static void closed(ConnectionImpl c, CloseReason reason, Throwable cause) {
        if (!CLOSED.isEnabled()) {
            return;
        }
        Worker w = (Worker) c.worker();
        ConnectionClosedEvent e = new ConnectionClosedEvent();
        e.backend = w.backendName();
        e.worker = w.workerId();
        e.remoteAddress = text(c.remoteAddress());
        e.localAddress = text(c.localAddress());
        e.tls = c.isTls();
        e.reason = reason.name();
        e.cause = cause == null ? null : String.valueOf(cause.getMessage());
        e.bytesIn = c.connectionBytesIn();
        e.bytesOut = c.connectionBytesOut();
        e.lifetime = System.nanoTime() - c.openedNanos();
        e.commit();
    }

    /**
     * Starts timing a stall candidate: call {@link #stallEnd} with the result after the work.
     *
     * @return the started event, or null (nothing to end) when {@code ringline.WorkerStall} is off
     */
    static WorkerStallEvent stallBegin() {
        if (!STALL.isEnabled()) {
            return null;
        }
        WorkerStallEvent e = new WorkerStallEvent();
        e.begin();
        return e;
    }

    /** Ends {@code e} from {@link #stallBegin} (null: nothing) and commits it if it exceeded the threshold. */
    static void stallEnd(WorkerStallEvent e, int worker, Object handler, String callback) {
        if (e == null) {
            return;
        }
        e.end();
        if (e.shouldCommit()) {
            e.worker = worker;
            e.handlerClass = handler == null ? null : handler.getClass().getName();
            e.callback = callback;
            e.commit();
        }
    }

    /** {@return the clock reading a region operation starts with, 0 when its events are off} */
    static long regionStart() {
        return REGISTERED.isEnabled() || UNREGISTERED.isEnabled() ? System.nanoTime() : 0;
    }

    /** A region of {@code size} bytes was registered in {@code slot} on every worker, broadcast from {@code start}. */
    static void regionRegistered(int slot, long size, long start) {
        if (!REGISTERED.isEnabled() || start == 0) {
            return;
        }
        RegionRegisteredEvent e = new RegionRegisteredEvent();
        e.slot = slot;
        e.size = size;
        e.broadcast = System.nanoTime() - start;
        e.commit();
    }

    /** The region of {@code size} bytes in {@code slot} was unregistered on every worker, broadcast from {@code start}. */
    static void regionUnregistered(int slot, long size, long start) {
        if (!UNREGISTERED.isEnabled() || start == 0) {
            return;
        }
        RegionUnregisteredEvent e = new RegionUnregisteredEvent();
        e.slot = slot;
        e.size = size;
        e.broadcast = System.nanoTime() - start;
        e.commit();
    }

    /** A send of {@code requested} bytes was refused: {@code queued} of {@code limit} bytes are queued. */
    static void sendRefused(int worker, String channel, SocketAddress remote, long queued, long requested, long limit) {
        if (!BACKPRESSURE.isEnabled()) {
            return;
        }
        BackpressureEvent e = new BackpressureEvent();
        e.kind = "SEND_REFUSED";
        e.worker = worker;
        e.channel = channel;
        e.remoteAddress = text(remote);
        e.queued = queued;
        e.requested = requested;
        e.limit = limit;
        e.commit();
    }

    /** The handler paused ({@code paused}) or resumed the reading of the connection to {@code remote}. */
    static void reading(int worker, SocketAddress remote, boolean paused) {
        if (!BACKPRESSURE.isEnabled()) {
            return;
        }
        BackpressureEvent e = new BackpressureEvent();
        e.kind = paused ? "READ_PAUSED" : "READ_RESUMED";
        e.worker = worker;
        e.channel = "connection";
        e.remoteAddress = text(remote);
        e.commit();
    }

    /** The backend of the current worker ran out of receive buffers for the {@code count}th time. */
    static void receiveBufferExhausted(long count) {
        if (!EXHAUSTED.isEnabled()) {
            return;
        }
        Worker w = Worker.current();
        ReceiveBufferExhaustedEvent e = new ReceiveBufferExhaustedEvent();
        e.worker = w == null ? -1 : w.workerId();
        e.count = count;
        e.commit();
    }

    /**
     * A TLS handshake begun at {@code start} ({@link System#nanoTime()}) ended: with {@code info} if it
     * completed, else with {@code failure}.
     */
    static void tlsHandshake(int worker, SocketAddress remote, boolean server, long start, TlsInfo info, Throwable failure) {
        if (!HANDSHAKE.isEnabled()) {
            return;
        }
        TlsHandshakeEvent e = new TlsHandshakeEvent();
        e.worker = worker;
        e.remoteAddress = text(remote);
        e.server = server;
        e.success = info != null;
        if (info != null) {
            e.protocol = info.protocol();
            e.cipherSuite = info.cipherSuite();
            e.alpn = info.applicationProtocol().orElse(null);
        }
        e.failure = failure == null ? null : String.valueOf(failure.getMessage());
        e.handshakeDuration = System.nanoTime() - start;
        e.commit();
    }

    /**
     * Registers the periodic {@code ringline.WorkerStatistics} sampling of {@code workers}.
     *
     * @return the hook to pass to {@link #removeStatistics} once the runtime terminated
     */
    static Runnable addStatistics(String backend, Worker[] workers) {
        Runnable hook = () -> {
            for (Worker w : workers) {
                statistics(backend, w.workerId(), w.stats());
            }
        };
        FlightRecorder.addPeriodicEvent(WorkerStatisticsEvent.class, hook);
        return hook;
    }

    /** Ends the sampling {@link #addStatistics} started. */
    static void removeStatistics(Runnable hook) {
        FlightRecorder.removePeriodicEvent(hook);
    }

    private static void statistics(String backend, int worker, WorkerStats s) {
        WorkerStatisticsEvent e = new WorkerStatisticsEvent();
        e.backend = backend;
        e.worker = worker;
        e.bytesIn = s.bytesIn();
        e.bytesOut = s.bytesOut();
        e.connectionsOpened = s.connectionsOpened();
        e.connectionsClosed = s.connectionsClosed();
        e.regionSends = s.regionSends();
        e.zeroCopySends = s.zeroCopySends();
        e.copiedSends = s.copiedSends();
        e.opsSubmitted = s.opsSubmitted();
        e.kernelEnters = s.kernelEnters();
        e.recvBufferExhausted = s.recvBufferExhausted();
        e.loopIterations = s.loopIterations();
        e.tlsHandshakes = s.tlsHandshakes();
        e.tlsFailures = s.tlsFailures();
        e.datagramsReceived = s.datagramsReceived();
        e.datagramsSent = s.datagramsSent();
        e.datagramSendsRefused = s.datagramSendsRefused();
        e.commit();
    }

    private static String text(SocketAddress a) {
        return a == null ? null : a.toString();
    }
}
