package io.ringline.tests.udp;

import io.ringline.Runtime;
import io.ringline.UdpMode;
import io.ringline.UdpSocket;
import io.ringline.WorkerStats;
import io.ringline.spi.Capability;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Requires;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client floods a handler that is slow on purpose: the kernel drops what the socket cannot
 * queue, the worker still answers afterwards, and every datagram sent is accounted for, either
 * received or counted in {@link WorkerStats#datagramsDropped()}.
 */
@Requires(Capability.UDP)
class UdpFloodTest extends BackendTest {

    /** Datagrams of the flood on a backend's default spec; {@link #LIGHT} on its option variants. */
    private static final int HEAVY = 100_000;
    private static final int LIGHT = 20_000;
    private static final long SPIN_NANOS = 50_000;
    private static final byte FLOOD = 'F';
    private static final byte PROBE = 'P';
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    /** Spins {@value #SPIN_NANOS} ns per datagram; echoes probes. */
    private static final class SlowHandler extends UdpRecorder {
        SlowHandler() {
            super(false, false);
        }

        @Override
        public void onDatagram(UdpSocket socket, InetSocketAddress sender, ByteBuffer datagram) {
            super.onDatagram(socket, sender, datagram);
            long until = System.nanoTime() + SPIN_NANOS;
            while (System.nanoTime() - until < 0) {
                Thread.onSpinWait();
            }
            if (datagram.get(datagram.position()) == PROBE) {
                socket.sendTo(sender, datagram);
            }
        }
    }

    @Test
    void aFloodIsDroppedByTheKernelCountedAndTheWorkerStillAnswers() throws Exception {
        int flood = spec.isDefault() ? HEAVY : LIGHT;
        SlowHandler handler = new SlowHandler();
        try (Runtime rt = start(clientConfig().bindUdp(loopbackAnyPort(), UdpMode.SHARED), w -> handler);
             UdpPeer client = UdpPeer.bind(loopbackAnyPort())) {
            InetSocketAddress server = rt.udpAddresses().get(0);
            byte[] datagram = new byte[16];
            datagram[0] = FLOOD;
            for (int i = 0; i < flood; i++) {
                client.send(server, datagram);
            }
            long sent = flood;
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            // Probes until one is answered: the worker is not stuck behind the flood.
            int probe = 0;
            boolean answered = false;
            while (!answered && System.nanoTime() - deadline < 0) {
                sent++;
                answered = probe(client, server, probe++);
            }
            assertTrue(answered, "[" + spec + "] the worker answered a probe within " + DEADLINE + " after a flood of " + flood);
            // The kernel reports drops with later datagrams: probe until the sums match.
            while (totalReceived(rt) + totalDropped(rt) != sent && System.nanoTime() - deadline < 0) {
                sent++;
                probe(client, server, probe++);
            }
            long received = totalReceived(rt);
            long dropped = totalDropped(rt);
            assertEquals(sent, received + dropped, "[" + spec + "] datagramsReceived (" + received + ") + datagramsDropped ("
                    + dropped + ") == datagrams sent (" + sent + ", " + probe + " of them probes) within " + DEADLINE);
            assertTrue(dropped > 0, "[" + spec + "] the kernel dropped some of the flood (datagramsDropped " + dropped + ")");
            assertEquals(received, handler.count(), "[" + spec + "] datagramsReceived == onDatagram calls");
        }
    }

    /** Sends probe {@code n} and {@return whether its echo came back within a second} (older probes' echoes skipped) */
    private static boolean probe(UdpPeer client, InetSocketAddress server, int n) throws Exception {
        byte[] probe = ByteBuffer.allocate(16).put(PROBE).putInt(n).array();
        client.send(server, probe);
        long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (System.nanoTime() - until < 0) {
            byte[] got = client.tryReceive(Duration.ofNanos(Math.max(1_000_000, until - System.nanoTime())));
            if (got != null && Arrays.equals(probe, got)) {
                return true;
            }
        }
        return false;
    }

    private static long totalReceived(Runtime rt) {
        long n = 0;
        for (int w = 0; w < rt.workerCount(); w++) {
            n += rt.worker(w).stats().datagramsReceived();
        }
        return n;
    }

    private static long totalDropped(Runtime rt) {
        long n = 0;
        for (int w = 0; w < rt.workerCount(); w++) {
            n += rt.worker(w).stats().datagramsDropped();
        }
        return n;
    }
}
