package io.ringline.tests.udp;

import io.ringline.Runtime;
import io.ringline.UdpSocket;
import io.ringline.WorkerContext;
import io.ringline.spi.Capability;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.Requires;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connected UDP socket ({@code openUdp(local, remote, handler)}) as a client: it talks to its
 * peer with {@code send}, the kernel filters datagrams of other senders, and a peer that is gone
 * shows up as {@code onUdpSendFailed} while the socket stays open.
 */
@Requires(Capability.UDP)
class UdpConnectedTest extends BackendTest {

    /** A JDK socket echoing every datagram to its sender on a thread of its own, until closed. */
    private static final class EchoPeer implements AutoCloseable {
        final DatagramSocket socket;
        final Thread thread;

        EchoPeer(InetSocketAddress local) throws SocketException {
            socket = new DatagramSocket(local);
            thread = Thread.ofPlatform().name("udp-echo-peer").daemon().start(this::serve);
        }

        private void serve() {
            byte[] buffer = new byte[65_536];
            try {
                while (true) {
                    DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                    socket.receive(p);
                    socket.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), p.getSocketAddress()));
                }
            } catch (IOException closed) {
                // closed by the test
            }
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join();
        }
    }

    @Test
    void aConnectedSocketTalksToItsPeerAndHearsNoOneElse() throws Exception {
        UdpRecorder rec = UdpRecorder.recording();
        try (Runtime rt = start(clientConfig(), w -> rec);
             EchoPeer peer = new EchoPeer(loopbackAnyPort());
             UdpPeer stranger = UdpPeer.bind(loopbackAnyPort())) {
            WorkerContext w0 = rt.worker(0);
            InetSocketAddress remote = peer.address();
            UdpSocket socket = OnWorker.call(w0, () -> {
                UdpSocket s = w0.openUdp(loopbackAnyPort(), remote, rec);
                s.send(ByteBuffer.wrap(new byte[] {1}));
                return s;
            });
            assertEquals(Optional.of(remote), socket.remoteAddress(), "remoteAddress is the peer");
            assertTrue(socket.localAddress().getPort() != 0, "bound to a real port: " + socket.localAddress());
            rec.awaitDatagrams(1);
            // Another sender's datagram is filtered by the kernel: it never reaches the handler.
            stranger.send(socket.localAddress(), new byte[] {99});
            OnWorker.run(w0, () -> {
                assertTrue(socket.trySend(ByteBuffer.wrap(new byte[] {2})), "trySend to the peer");
                socket.sendTo(remote, ByteBuffer.wrap(new byte[] {3})); // the peer is a valid target
                assertThrows(IllegalArgumentException.class, () -> socket.sendTo(stranger.localAddress(), ByteBuffer.wrap(new byte[] {4})),
                        "sendTo another address than the connected peer");
            });
            rec.awaitDatagrams(3);
            List<UdpRecorder.Datagram> got = rec.datagrams();
            assertEquals(3, got.size(), "the echoes only, not the stranger's datagram: " + got.stream().map(d -> d.bytes()[0]).toList());
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(new byte[] {(byte) (i + 1)}, got.get(i).bytes(), "echo " + i);
                assertEquals(remote, got.get(i).sender(), "sender of echo " + i);
                assertEquals(socket, got.get(i).socket(), "socket of echo " + i);
            }
            assertEquals(List.of(), rec.sendFailures(), "no send failed");
            Await.until(() -> w0.stats().datagramsSent() == 3, () -> "datagramsSent == 3, was " + w0.stats().datagramsSent());
        }
    }

    @Test
    void aConnectedSocketToAClosedPortReportsTheFailureAndStaysOpen() throws Exception {
        UdpRecorder rec = UdpRecorder.recording();
        InetSocketAddress closedPort;
        try (DatagramSocket gone = new DatagramSocket(loopbackAnyPort())) {
            closedPort = (InetSocketAddress) gone.getLocalSocketAddress();
        }
        try (Runtime rt = start(clientConfig(), w -> rec)) {
            WorkerContext w0 = rt.worker(0);
            UdpSocket socket = OnWorker.call(w0, () -> {
                UdpSocket s = w0.openUdp(loopbackAnyPort(), closedPort, rec);
                s.send(ByteBuffer.wrap(new byte[] {1}));
                return s;
            });
            Await.until(() -> !rec.sendFailures().isEmpty(), "onUdpSendFailed after a send to a closed port (ICMP port unreachable)");
            UdpRecorder.SendFailure f = rec.sendFailures().get(0);
            assertInstanceOf(IOException.class, f.cause(), "an IOException (ECONNREFUSED)");
            assertEquals(socket, f.socket(), "the failed socket");
            assertEquals(closedPort, f.target(), "target: the connected peer");
            assertTrue(socket.isOpen(), "the socket stays open");
            assertEquals(List.of(), rec.closes(), "no onUdpClosed");
            assertTrue(w0.stats().datagramSendFailures() >= 1, "datagramSendFailures counts, was " + w0.stats().datagramSendFailures());
            // Still usable: a later send is accepted.
            OnWorker.run(w0, () -> socket.send(ByteBuffer.wrap(new byte[] {2})));
            assertTrue(socket.isOpen(), "still open after another send");
        }
    }
}
