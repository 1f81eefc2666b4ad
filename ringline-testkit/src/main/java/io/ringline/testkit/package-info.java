/**
 * ringline-testkit: an in-memory, deterministic backend for unit tests of handlers, and the proof
 * that the backend SPI stands alone (it uses only {@code io.ringline} and {@code io.ringline.spi}).
 *
 * <p>Listeners bind ports of a JVM-wide in-memory network ({@code 127.0.0.1}, ports from 40000
 * up); a {@link io.ringline.testkit.TestPeer} or another runtime's {@code connect} reaches them.
 * Each direction of a connection is a bounded pipe with TCP's flow control (a window), end of
 * stream, reset and a kernel's close rules. Faults are injected deterministically with
 * {@link io.ringline.testkit.TestkitOptions}: short writes, split reads, delayed reads, seeded
 * random chunk sizes; a slow peer is a peer that does not read. Start with
 * {@link io.ringline.testkit.Testkit}.
 *
 * <p>Threads: one accepting thread per listener ({@code ringline-testkit-acceptor-<port>}), ended
 * by the listener's close; the workers are the runtime's.
 */
package io.ringline.testkit;
