/**
 * The runtime core shared by every backend, behind the SPI of {@link io.ringline.spi}: the runtime
 * ({@code RuntimeImpl}, found through {@link io.ringline.spi.RuntimeFactory}); each worker
 * ({@code Worker}) with its loop ({@code WorkerLoop}, {@code Idler}), tasks, connection table and
 * token codec, accept inbox, regions and outbound connects; each connection ({@code ConnectionImpl}
 * with its {@code Lifecycle}, {@code InboundPath}, {@code OutboundPath}, {@code SendQueue}); the
 * accept dispatcher and the region control plane. Not public API: backends see only
 * {@code io.ringline.spi} and {@code io.ringline}; applications must not use this package.
 */
package io.ringline.internal;
