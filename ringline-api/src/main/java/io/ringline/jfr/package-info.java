/**
 * The Flight Recorder events ringline emits (module {@code jdk.jfr}, no other dependency).
 *
 * <p>Enable them with the bundled configuration: {@code -XX:StartFlightRecording:settings=default,
 * settings=<path of io/ringline/jfr/ringline.jfc>} or, in code,
 * {@code new Recording(Configuration.create(reader of the ringline.jfc resource))}, or one by one
 * ({@code recording.enable("ringline.ConnectionOpened")}). Every event is disabled by default: with no
 * recording, or a recording that leaves them off, each emission point costs a field check and
 * allocates nothing.
 *
 * <ul>
 *   <li>{@link io.ringline.jfr.ConnectionOpenedEvent ringline.ConnectionOpened} and
 *       {@link io.ringline.jfr.ConnectionClosedEvent ringline.ConnectionClosed}</li>
 *   <li>{@link io.ringline.jfr.WorkerStallEvent ringline.WorkerStall}: a loop pass or handler callback
 *       longer than its threshold (10 ms by default)</li>
 *   <li>{@link io.ringline.jfr.RegionRegisteredEvent ringline.RegionRegistered} and
 *       {@link io.ringline.jfr.RegionUnregisteredEvent ringline.RegionUnregistered}</li>
 *   <li>{@link io.ringline.jfr.BackpressureEvent ringline.Backpressure}: a refused send, reading paused/resumed</li>
 *   <li>{@link io.ringline.jfr.ReceiveBufferExhaustedEvent ringline.ReceiveBufferExhausted}</li>
 *   <li>{@link io.ringline.jfr.TlsHandshakeEvent ringline.TlsHandshake}</li>
 *   <li>{@link io.ringline.jfr.WorkerStatisticsEvent ringline.WorkerStatistics}: periodic
 *       {@link io.ringline.WorkerStats} of every worker (1 s in {@code ringline.jfc})</li>
 * </ul>
 *
 * <p>The runtime creates and commits these events; their fields are public so that the runtime's
 * core can fill them in. Applications only read them (a {@code RecordingFile} or event streaming).
 * Events are committed on a worker thread, except region events (the thread that completed the
 * broadcast) and {@code WorkerStatistics} (the recorder's periodic thread, reading the counters racily
 * as {@link io.ringline.WorkerStats} documents).
 */
package io.ringline.jfr;
