package io.ringline.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.ringline.Runtime;
import io.ringline.ShutdownHandle;
import io.ringline.WorkerStats;

import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Publishes the {@link WorkerStats} of every worker of a {@link Runtime} to a Micrometer
 * {@link MeterRegistry}: one {@link FunctionCounter} per monotonic counter and a gauge of open
 * connections, each tagged {@code backend} ({@link Runtime#backendName()}) and {@code worker}
 * (the worker's index).
 *
 * <pre>{@code
 * try (Runtime runtime = Runtime.start(config, factory)) {
 *     new RinglineMetrics(runtime).bindTo(registry);
 *     runtime.awaitTermination();
 * }
 * }</pre>
 *
 * <p>Meters ({@code ringline.*}, base unit in brackets): {@code bytes.in}, {@code bytes.out} [bytes];
 * {@code connections.opened}, {@code connections.closed} [connections]; {@code sends.region},
 * {@code sends.zero.copy}, {@code sends.copied}, {@code sends.pass.through} [sends];
 * {@code ops.submitted} [operations]; {@code kernel.enters} [calls];
 * {@code recv.buffer.exhausted} [events]; {@code loop.iterations} [iterations];
 * {@code tls.handshakes}, {@code tls.failures} [handshakes, connections];
 * {@code datagrams.received}, {@code datagrams.sent}, {@code datagrams.truncated},
 * {@code datagrams.dropped}, {@code datagrams.refused}, {@code datagrams.failed} [datagrams]; and the
 * gauge {@code connections.open} [connections], computed as opened minus closed (the worker's own
 * {@code WorkerContext.connectionCount()} may be read only on the worker thread). A counter the
 * backend does not have reads 0. Runtime-wide gauges, tagged {@code backend} only:
 * {@code regions.in.use} [regions] and {@code regions.bytes} [bytes], the registered memory
 * regions ({@link io.ringline.ShutdownHandle#regionsInUse()}, {@code regionBytesInUse()}).
 *
 * <p><b>Threading:</b> {@link #bindTo(MeterRegistry)} may be called from any thread. The meters
 * read the counters racily from whatever thread the registry polls on (the workers write them
 * without synchronization): a value may be slightly behind, and {@code connections.open}, which
 * reads two counters one after the other, may be off by the connections opened or closed in between.
 * Reading them never blocks or slows the workers. After the runtime stopped, the meters keep their
 * last values; remove them from the registry if they should go.
 */
public final class RinglineMetrics implements MeterBinder {

    private static final String PREFIX = "ringline.";

    private final Runtime runtime;
    private final Tags extraTags;

    /**
     * A binder for {@code runtime}'s meters.
     *
     * @param runtime the runtime whose workers to publish
     * @throws NullPointerException if {@code runtime} is null
     */
    public RinglineMetrics(Runtime runtime) {
        this(runtime, Tags.empty());
    }

    /**
     * A binder for {@code runtime}'s meters, with extra tags.
     *
     * @param runtime   the runtime whose workers to publish
     * @param extraTags tags added to every meter (e.g. the server's name), besides {@code backend} and {@code worker}
     * @throws NullPointerException if an argument is null
     */
    public RinglineMetrics(Runtime runtime, Iterable<Tag> extraTags) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.extraTags = Tags.of(Objects.requireNonNull(extraTags, "extraTags"));
    }

    /**
     * Registers the meters of every worker with {@code registry}. Binding the same runtime twice to
     * one registry registers nothing new (Micrometer returns the existing meters).
     *
     * @param registry the registry
     * @throws NullPointerException if {@code registry} is null
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        String backend = runtime.backendName();
        for (int w = 0; w < runtime.workerCount(); w++) {
            // the worker keeps this live view for its lifetime, so the counters' weak references stay valid
            WorkerStats stats = runtime.worker(w).stats();
            Tags tags = extraTags.and("backend", backend, "worker", Integer.toString(w));
            bindWorker(registry, stats, tags);
        }
        ShutdownHandle handle = runtime.shutdownHandle();
        Tags runtimeTags = extraTags.and("backend", backend);
        Gauge.builder(PREFIX + "regions.in.use", handle, ShutdownHandle::regionsInUse)
                .tags(runtimeTags).baseUnit("regions").description("registered memory regions")
                .strongReference(true).register(registry);
        Gauge.builder(PREFIX + "regions.bytes", handle, ShutdownHandle::regionBytesInUse)
                .tags(runtimeTags).baseUnit(BaseUnits.BYTES).description("bytes of the registered memory regions")
                .strongReference(true).register(registry);
    }

    private static void bindWorker(MeterRegistry registry, WorkerStats stats, Tags tags) {
        counter(registry, stats, tags, "bytes.in", BaseUnits.BYTES, "bytes received", WorkerStats::bytesIn);
        counter(registry, stats, tags, "bytes.out", BaseUnits.BYTES, "bytes handed to the kernel for sending",
                WorkerStats::bytesOut);
        counter(registry, stats, tags, "connections.opened", BaseUnits.CONNECTIONS,
                "connections opened (accepted and connected)", WorkerStats::connectionsOpened);
        counter(registry, stats, tags, "connections.closed", BaseUnits.CONNECTIONS, "connections closed",
                WorkerStats::connectionsClosed);
        counter(registry, stats, tags, "sends.region", "sends", "region sends that queued bytes",
                WorkerStats::regionSends);
        counter(registry, stats, tags, "sends.zero.copy", "sends", "region sends sent without a user-space copy",
                WorkerStats::zeroCopySends);
        counter(registry, stats, tags, "sends.copied", "sends", "sends of bytes copied into the send queue",
                WorkerStats::copiedSends);
        counter(registry, stats, tags, "sends.pass.through", "sends", "sends queued without a copy",
                WorkerStats::passThroughSends);
        counter(registry, stats, tags, "ops.submitted", BaseUnits.OPERATIONS, "I/O operations submitted to the kernel",
                WorkerStats::opsSubmitted);
        counter(registry, stats, tags, "kernel.enters", "calls",
                "kernel entries (io_uring_enter calls, selector selects)", WorkerStats::kernelEnters);
        counter(registry, stats, tags, "recv.buffer.exhausted", BaseUnits.EVENTS,
                "times the receive buffer pool was exhausted", WorkerStats::recvBufferExhausted);
        counter(registry, stats, tags, "loop.iterations", "iterations", "event loop iterations",
                WorkerStats::loopIterations);
        counter(registry, stats, tags, "tls.handshakes", "handshakes", "TLS handshakes completed",
                WorkerStats::tlsHandshakes);
        counter(registry, stats, tags, "tls.failures", BaseUnits.CONNECTIONS, "TLS connections closed as failed",
                WorkerStats::tlsFailures);
        counter(registry, stats, tags, "datagrams.received", "datagrams", "UDP datagrams received",
                WorkerStats::datagramsReceived);
        counter(registry, stats, tags, "datagrams.sent", "datagrams", "UDP datagrams handed to the kernel",
                WorkerStats::datagramsSent);
        counter(registry, stats, tags, "datagrams.truncated", "datagrams", "received UDP datagrams delivered cut",
                WorkerStats::datagramsTruncated);
        counter(registry, stats, tags, "datagrams.dropped", "datagrams",
                "UDP datagrams the kernel dropped on the receive side", WorkerStats::datagramsDropped);
        counter(registry, stats, tags, "datagrams.refused", "datagrams",
                "UDP datagrams refused because the send queue was full", WorkerStats::datagramSendsRefused);
        counter(registry, stats, tags, "datagrams.failed", "datagrams",
                "queued UDP datagrams the kernel refused or dropped at close", WorkerStats::datagramSendFailures);
        Gauge.builder(PREFIX + "connections.open", stats, RinglineMetrics::openConnections)
                .tags(tags).baseUnit(BaseUnits.CONNECTIONS).description("open connections (opened minus closed)")
                .register(registry);
    }

    private static double openConnections(WorkerStats stats) {
        long closed = stats.connectionsClosed(); // read first: a close between the reads cannot make it negative
        return Math.max(0, stats.connectionsOpened() - closed);
    }

    private static void counter(MeterRegistry registry, WorkerStats stats, Tags tags, String name, String unit,
                                String description, ToLongFunction<WorkerStats> value) {
        FunctionCounter.builder(PREFIX + name, stats, s -> value.applyAsLong(s))
                .tags(tags).baseUnit(unit).description(description)
                .register(registry);
    }
}
