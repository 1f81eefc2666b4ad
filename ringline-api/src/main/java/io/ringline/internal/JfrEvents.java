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
import jdk.jfr.FlightRecorderListener;

import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Emits the {@code io.ringline.jfr} Flight Recorder events for the core: one static method per
 * emission point, each a one-line hook at its call site. Every method first checks that Flight
 * Recorder is initialized at all (a volatile field; until then no event class is loaded) and then
 * asks its event type whether it is enabled (a field check on a shared probe instance, which is only
 * ever asked {@code isEnabled()}); only then does it read the clock, allocate the event and format
 * addresses. So with no recording (or one that leaves ringline's events off) nothing is allocated.
 *
 * <p>Thread-safe: the probes are never mutated; each emitted event is confined to its thread.
 */
final class JfrEvents {

    /**
     * True once Flight Recorder is initialized in this JVM (a recording was started, by
     * {@code -XX:StartFlightRecording}, {@code jcmd} or {@code new Recording()}). Until then no event
     * class is even loaded: loading the first one makes the JVM instrument it, which takes hundreds of
     * milliseconds, a start-up cost that an application that never records must not pay.
     */
    private static volatile boolean recorder;
    /** The worker arrays of the running runtimes, for {@code ringline.WorkerStatistics}. */
    private static final List<Sampled> SAMPLED = new CopyOnWriteArrayList<>();

    private record Sampled(String backend, Worker[] workers) {
    }

    static {
        FlightRecorder.addListener(new FlightRecorderListener() {
            @Override
            public void recorderInitialized(FlightRecorder r) {
                recorderStarted();
            }
        });
        if (FlightRecorder.isInitialized()) {
            recorderStarted();
        }
    }

    /** The probes, one per event type, only ever asked {@code isEnabled()}; loaded once the recorder is. */
    private static final class Probes {
        static final ConnectionOpenedEvent OPENED = new ConnectionOpenedEvent();
        static final ConnectionClosedEvent CLOSED = new ConnectionClosedEvent();
        static final WorkerStallEvent STALL = new WorkerStallEvent();
        static final RegionRegisteredEvent REGISTERED = new RegionRegisteredEvent();
        static final RegionUnregisteredEvent UNREGISTERED = new RegionUnregisteredEvent();
        static final BackpressureEvent BACKPRESSURE = new BackpressureEvent();
        static final ReceiveBufferExhaustedEvent EXHAUSTED = new ReceiveBufferExhaustedEvent();
        static final TlsHandshakeEvent HANDSHAKE = new TlsHandshakeEvent();
    }

    private JfrEvents() {
    }

    private static synchronized void recorderStarted() {
        if (recorder) {
            return;
        }
        FlightRecorder.addPeriodicEvent(WorkerStatisticsEvent.class, JfrEvents::sampleAll);
        recorder = true;
    }

    /** {@code c} opened. */
    static void opened(ConnectionImpl c) {
        if (!recorder || !Probes.OPENED.isEnabled()) {
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
        if (!recorder || !Probes.CLOSED.isEnabled()) {
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
     * Starts timing a stall candidate: call {@link #stallEnd} with the result after the work. Typed
     * {@code Object} so that the hot paths holding it never name an event class (a type the JIT sees
     * unloaded there costs a deoptimization, which allocates on the worker).
     *
     * @return the started event, or null (nothing to end) when {@code ringline.WorkerStall} is off
     */
    static Object stallBegin() {
        if (!recorder || !Probes.STALL.isEnabled()) {
            return null;
        }
        WorkerStallEvent e = new WorkerStallEvent();
        e.begin();
        return e;
    }

    /** Ends {@code e} from {@link #stallBegin} (null: nothing) and commits it if it exceeded the threshold. */
    static void stallEnd(Object started, int worker, Object handler, String callback) {
        if (started == null) {
            return;
        }
        WorkerStallEvent e = (WorkerStallEvent) started;
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
        return recorder && (Probes.REGISTERED.isEnabled() || Probes.UNREGISTERED.isEnabled()) ? System.nanoTime() : 0;
    }

    /** A region of {@code size} bytes was registered in {@code slot} on every worker, broadcast from {@code start}. */
    static void regionRegistered(int slot, long size, long start) {
        if (!recorder || !Probes.REGISTERED.isEnabled() || start == 0) {
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
        if (!recorder || !Probes.UNREGISTERED.isEnabled() || start == 0) {
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
        if (!recorder || !Probes.BACKPRESSURE.isEnabled()) {
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
        if (!recorder || !Probes.BACKPRESSURE.isEnabled()) {
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
        if (!recorder || !Probes.EXHAUSTED.isEnabled()) {
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
        if (!recorder || !Probes.HANDSHAKE.isEnabled()) {
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
     * Adds {@code workers} to the periodic {@code ringline.WorkerStatistics} sampling (which runs
     * while a recording enables it).
     *
     * @return the handle to pass to {@link #removeStatistics} once the runtime terminated
     */
    static Object addStatistics(String backend, Worker[] workers) {
        Sampled s = new Sampled(backend, workers);
        SAMPLED.add(s);
        return s;
    }

    /** Ends the sampling {@link #addStatistics} started (null: nothing). */
    static void removeStatistics(Object handle) {
        SAMPLED.remove(handle);
    }

    private static void sampleAll() {
        for (Sampled s : SAMPLED) {
            for (Worker w : s.workers()) {
                statistics(s.backend(), w.workerId(), w.stats());
            }
        }
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
