package io.ringline.nio;

import io.ringline.Config;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kernel drops of a flooded socket, read from the live {@code /proc/net/udp}: a socket with a tiny
 * {@code SO_RCVBUF} ({@code nio.udpReceiveBufferSize}) is sent more than it can queue while the
 * worker does not poll; every datagram is then either received or counted dropped.
 */
class NioUdpDropsTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int FLOOD = 2000;

    private NioWorkerIo io;

    @AfterEach
    void closeWorker() {
        if (io != null) {
            io.close();
        }
    }

    private void openWorker() throws IOException {
        io = new NioWorkerIo(new FakeWorkerServices(Config.builder().build(), Map.of("nio.udpReceiveBufferSize", 4096)));
    }

    private NioUdpSocket open(FakeUdpCore core, int port, boolean reusePort) throws IOException {
        NioUdpSocket s = (NioUdpSocket) io.openUdp(core, new InetSocketAddress(LOOPBACK, port), null, reusePort);
        core.transport = s;
        core.keep = false;
        s.startReceiving();
        return s;
    }

    private static void flood(InetSocketAddress to) throws IOException {
        try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            byte[] payload = new byte[200];
            DatagramPacket p = new DatagramPacket(payload, payload.length, to);
            for (int i = 0; i < FLOOD; i++) {
                sender.send(p);
            }
        }
    }

    /** Polls until no datagram arrives for 50 ms (the flood is over: everything queued was received). */
    private void drain(FakeUdpCore... cores) throws IOException {
        long last = -1;
        long total = 0;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (total != last) {
            assertTrue(System.nanoTime() - deadline < 0, "drained within 10 s");
            last = total;
            io.poll(50_000_000L);
            total = 0;
            for (FakeUdpCore c : cores) {
                total += c.receivedCount;
            }
        }
    }

    /** Waits in long polls (as an idle worker does) for the scheduled drops refresh: each poll must end early for it. */
    private void awaitDropsReport(FakeUdpCore core) throws IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (core.kernelDrops.isEmpty()) {
            assertTrue(System.nanoTime() - deadline < 0, "a drops report within 10 s");
            long start = System.nanoTime();
            io.poll(5_000_000_000L);
            long waited = System.nanoTime() - start;
            assertTrue(waited < 1_000_000_000L, "a 5 s poll returned early for the refresh, after " + waited / 1_000_000 + " ms");
        }
    }

    private static long lastDrops(FakeUdpCore core) {
        return core.kernelDrops.isEmpty() ? 0 : core.kernelDrops.getLast();
    }

    @Test
    void everyDatagramOfAFloodIsReceivedOrCountedDropped() throws IOException {
        openWorker();
        FakeUdpCore core = new FakeUdpCore();
        NioUdpSocket s = open(core, 0, false);
        assertTrue(s.inode() > 0, "the socket's inode was found");
        flood(s.localAddress());
        drain(core);
        awaitDropsReport(core);
        long drops = lastDrops(core);
        assertTrue(drops > 0, "a 4 KiB receive buffer overflowed: " + core.receivedCount + " received");
        assertEquals(FLOOD, core.receivedCount + drops, core.receivedCount + " received + " + drops + " dropped");

        // Idle: no refresh is scheduled, so a poll waits its whole timeout and nothing is reported.
        int reports = core.kernelDrops.size();
        long start = System.nanoTime();
        io.poll(300_000_000L);
        assertTrue(System.nanoTime() - start >= 250_000_000L, "an idle socket does not shorten the poll");
        assertEquals(reports, core.kernelDrops.size());
    }

    /** Two sockets on one port (SO_REUSEPORT): each found its own inode, so each reports its own drops. */
    @Test
    void twoSocketsOnOnePortEachFindTheirOwnInode() throws IOException {
        openWorker();
        FakeUdpCore a = new FakeUdpCore();
        FakeUdpCore b = new FakeUdpCore();
        NioUdpSocket sa = open(a, 0, true);
        int port = sa.localAddress().getPort();
        NioUdpSocket sb = open(b, port, true);
        assertEquals(port, sb.localAddress().getPort());
        assertTrue(sa.inode() > 0 && sb.inode() > 0, sa.inode() + ", " + sb.inode());
        assertNotEquals(sa.inode(), sb.inode());
        assertTrue(NioUdpSocketTest.hasSocketDescriptor(sa.inode()), "the first socket's inode is one of our fds");
        assertTrue(NioUdpSocketTest.hasSocketDescriptor(sb.inode()), "the second socket's inode is one of our fds");
        try (ProcNetUdp table = new ProcNetUdp(Path.of("/proc/net/udp"))) {
            long[] onPort = table.inodes(port);
            java.util.Arrays.sort(onPort);
            long[] ours = {Math.min(sa.inode(), sb.inode()), Math.max(sa.inode(), sb.inode())};
            assertArrayEquals(ours, onPort, "the port's sockets in /proc/net/udp");
        }

        // The kernel picks one socket per sender: the floods of two senders land on one or both.
        flood(sa.localAddress());
        flood(sa.localAddress());
        drain(a, b);
        FakeUdpCore receiving = a.receivedCount > 0 ? a : b;
        awaitDropsReport(receiving);
        if (a.receivedCount > 0 && b.receivedCount > 0) {
            awaitDropsReport(a == receiving ? b : a);
        }
        long received = a.receivedCount + b.receivedCount;
        long drops = lastDrops(a) + lastDrops(b);
        assertTrue(drops > 0, "the receive buffers overflowed");
        assertEquals(2 * FLOOD, received + drops, received + " received + " + drops + " dropped (a: "
                + a.receivedCount + "/" + a.kernelDrops + ", b: " + b.receivedCount + "/" + b.kernelDrops + ")");
    }
}
