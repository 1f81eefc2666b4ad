/**
 * The runtime core shared by every backend: workers and their loop, timers, connection tokens,
 * send queues, the accept hand-off and the region control plane. Not public API: backends use it,
 * applications must not.
 */
package io.ringline.internal;
