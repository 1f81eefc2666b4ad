/**
 * The fixtures of the conformance suite, one of each kind.
 *
 * <ul>
 *   <li>Configurations: {@link io.ringline.tests.support.BackendSpec} (a backend and its options),
 *       all listed in {@link io.ringline.tests.support.Backends#specs()}; a test class extends
 *       {@link io.ringline.tests.support.BackendTest} (runs on every spec) or
 *       {@link io.ringline.tests.support.OncePerBackendTest} (the default spec of each backend),
 *       both {@link io.ringline.tests.support.ConformanceTest}s, which give the spec's
 *       {@code serverConfig()} / {@code clientConfig()} and clients.</li>
 *   <li>Handlers: {@link io.ringline.tests.support.Recorder} records every callback with its thread
 *       and otherwise behaves like the default handler; {@link io.ringline.tests.support.EchoHandler}
 *       echoes (plain or pausing). Subclass them for test-specific behaviour.</li>
 *   <li>Clients: {@link io.ringline.tests.support.Client} (write, read exactly / to end of stream
 *       with a deadline, half-close, close, reset, expect a reset), implemented over a socket by
 *       {@link io.ringline.tests.support.SocketClient}.</li>
 *   <li>Waiting: {@link io.ringline.tests.support.Await} (a condition with a deadline, never a
 *       sleep), {@link io.ringline.tests.support.OnWorker} (run on a worker and wait for the result).</li>
 *   <li>Data: {@link io.ringline.tests.support.Bytes} (random bytes, the position-dependent pattern stream).</li>
 *   <li>Faults and leaks: {@link io.ringline.tests.support.FaultyBackendProvider} with
 *       {@link io.ringline.tests.support.Faults}, {@link io.ringline.tests.support.Leaks},
 *       {@link io.ringline.tests.support.RegionChurn}.</li>
 * </ul>
 */
package io.ringline.tests.support;
