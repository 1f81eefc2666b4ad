package io.ringline.bench.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Netty UDP echo peers: each native transport echoes datagrams byte for byte to their sender. */
class NettyUdpTest {

    static NettyUdp.Server start(NettyTransport t, int datagramSize) throws Exception {
        if (!t.isAvailable() && "1".equals(System.getenv("RINGLINE_REQUIRE_IOURING"))) {
            // CI on Linux: the benchmark peers must really run on every native transport.
            fail(t + " unavailable with RINGLINE_REQUIRE_IOURING=1: " + t.unavailabilityCause());
        }
        assumeTrue(t.isAvailable(), () -> t + " unavailable: " + t.unavailabilityCause());
        return NettyUdp.start(t, 0, 2, "pooled", datagramSize, 16);
    }

    /** Sends {@code size} bytes from a fresh socket and returns the echo (blocking, 5 s timeout). */
    static byte[] exchange(NettyUdp.Server s, int size, long seed) throws Exception {
        byte[] msg = new byte[size];
        new Random(seed).nextBytes(msg);
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", s.port());
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.bind(new InetSocketAddress("127.0.0.1", 0));
            ch.socket().setSoTimeout(5000);
            ch.send(ByteBuffer.wrap(msg), server);
            byte[] buf = new byte[65_536];
            java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
            try {
                ch.socket().receive(p);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no echo of " + size + " B from " + s.describe());
            }
            assertEquals(server, p.getSocketAddress(), "the echo comes from the server's port");
            byte[] got = java.util.Arrays.copyOf(buf, p.getLength());
            assertArrayEquals(msg, got, "echo of " + size + " B");
            return got;
        }
    }

    @ParameterizedTest
    @EnumSource(value = NettyTransport.class, names = {"EPOLL", "IO_URING"})
    void batchedReadsEchoEverySender(NettyTransport t) throws Exception {
        try (NettyUdp.Server s = start(t, 2048)) {
            assertEquals(2, s.channels().size());
            for (int i = 0; i < 8; i++) { // each from its own port: the kernel spreads them over both channels
                exchange(s, 1400, i);
                exchange(s, 64, i + 100);
            }
            exchange(s, 2048, 7);
            assertTrue(s.describe().contains("\"reusePort\":true"), s.describe());
        }
    }

    @ParameterizedTest
    @EnumSource(value = NettyTransport.class, names = {"EPOLL", "IO_URING"})
    void unbatchedReadsEchoTheLargestDatagram(NettyTransport t) throws Exception {
        try (NettyUdp.Server s = start(t, 0)) {
            exchange(s, 65_507, 3);
            exchange(s, 1, 4);
        }
    }

    @Test
    void nioAndBadSizesAreRefusedNamingTheValue() {
        IllegalArgumentException nio = assertThrows(IllegalArgumentException.class,
                () -> NettyUdp.start(NettyTransport.NIO, 0, 1, "pooled", 2048, 16));
        assertTrue(nio.getMessage().contains("was nio"), nio.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> NettyUdp.start(NettyTransport.EPOLL, 0, 1, "pooled", 70_000, 16));
        assertTrue(size.getMessage().contains("was 70000"), size.getMessage());
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                () -> NettyUdp.start(NettyTransport.EPOLL, 0, 1, "pooled", 2048, 0));
        assertTrue(batch.getMessage().contains("was 0"), batch.getMessage());
    }
}
