package io.ringline.tests.udp;

import io.ringline.Runtime;
import io.ringline.WorkerContext;
import io.ringline.spi.Capability;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Backends;
import io.ringline.tests.support.OnWorker;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Capability#UDP} says what a runtime does with UDP, on every spec (the one UDP class without
 * {@code @Requires(UDP)}): a backend that declares it serves bindings and opens sockets; one that
 * does not (the in-memory testkit) fails a start with UDP bindings naming itself, and
 * {@code openUdp} throws {@link UnsupportedOperationException}.
 */
class UdpCapabilityTest extends BackendTest {

    @Test
    void udpBindingsAndOpenUdpFollowTheDeclaredCapability() {
        UdpRecorder rec = UdpRecorder.recording();
        boolean udp = Backends.capabilities(spec).contains(Capability.UDP);
        if (udp) {
            try (Runtime rt = start(clientConfig().bindUdp(loopbackAnyPort()), w -> rec)) {
                assertEquals(1, rt.udpAddresses().size(), "[" + spec + "] declares UDP: the binding is served");
                WorkerContext w0 = rt.worker(0);
                assertTrue(OnWorker.call(w0, () -> w0.openUdp(loopbackAnyPort(), rec).isOpen()), "[" + spec + "] openUdp works");
            }
        } else {
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> start(clientConfig().bindUdp(loopbackAnyPort()), w -> rec).close(),
                    "[" + spec + "] a UDP binding on a backend without UDP");
            boolean named = false;
            for (Throwable t = e; t != null; t = t.getCause()) {
                named |= String.valueOf(t.getMessage()).contains(spec.backend());
            }
            assertTrue(named, () -> "[" + spec + "] the start failure names the backend " + spec.backend() + ": " + e);
            try (Runtime rt = start(clientConfig(), w -> rec)) {
                WorkerContext w0 = rt.worker(0);
                assertThrows(UnsupportedOperationException.class, () -> OnWorker.run(w0, () -> w0.openUdp(loopbackAnyPort(), rec)),
                        "[" + spec + "] openUdp without UDP");
                assertEquals(java.util.List.of(), OnWorker.call(w0, w0::udpSockets), "[" + spec + "] no UDP sockets");
            }
        }
        assertFalse(rec.count() > 0, "no datagram was received");
    }
}
