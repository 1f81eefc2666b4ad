package io.ringline.nio;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import io.ringline.Runtime;
import io.ringline.spi.Backend;
import io.ringline.spi.BackendContext;
import io.ringline.spi.BackendOptions;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NIO-specific checks; the behaviour shared by all backends is tested by ringline-tests. */
class NioBackendTest {

    private static Config.Builder config() {
        return Config.builder().workers(2).backend("nio")
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .shutdownGracePeriod(Duration.ofSeconds(2));
    }

    @Test
    void providerIsAvailableWithLowerPriorityThanIoUring() {
        NioBackendProvider p = new NioBackendProvider();
        assertTrue(p.availability().available(), p.availability().reason());
        assertEquals("nio", p.name());
        assertTrue(p.priority() < 100);
    }

    @Test
    void describesItsSelectorAndTheOptionsInUse() {
        BackendOptions options = BackendOptions.resolve(NioBackendProvider.NAME, new NioBackendProvider().options(),
                Map.of("nio.readsPerEvent", 4, "nio.udpReceiveBufferSize", 1 << 20));
        Backend backend = new NioBackendProvider().open(new BackendContext(config().build(), options));
        assertEquals(SelectorProvider.provider().getClass().getSimpleName() + "; reads per event 4, gather limit 64, "
                + "datagrams per event 64, UDP SO_RCVBUF 1048576 B", backend.describeFeatures());
        Backend defaults = new NioBackendProvider().open(new BackendContext(config().build(),
                BackendOptions.defaults(new NioBackendProvider().options())));
        assertTrue(defaults.describeFeatures().endsWith("; reads per event 16, gather limit 64, "
                + "datagrams per event 64, UDP SO_RCVBUF kernel default"), defaults.describeFeatures());
    }

    @Test
    void echoesAndSendsRegionBytesFromTheRegionMemory() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(4096);
            for (int i = 0; i < 4096; i++) {
                seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (i * 7));
            }
            Config cfg = config().initialRegion(MemoryRegion.of(seg)).build();
            Handler handler = new Handler() {
                @Override
                public int onData(Connection c, ByteBuffer data) {
                    int n = data.remaining();
                    if (data.get(data.position()) == 'R') {
                        c.sendRegion(new RegionId(0), 100, 1000);
                        return 1;
                    }
                    c.send(data);
                    return n;
                }
            };
            try (Runtime rt = Runtime.start(cfg, w -> handler)) {
                assertEquals("nio", rt.backendName());
                InetSocketAddress addr = rt.boundAddresses().get(0);
                try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                    byte[] echo = new DataInputStream(s.getInputStream()).readNBytes(5);
                    assertEquals("hello", new String(echo, StandardCharsets.US_ASCII));
                    s.getOutputStream().write('R');
                    byte[] region = new DataInputStream(s.getInputStream()).readNBytes(1000);
                    byte[] expected = seg.asSlice(100, 1000).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                    assertArrayEquals(expected, region);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    @Test
    void declaresItsOptionsOsSocketsAndUdp() {
        NioBackendProvider p = new NioBackendProvider();
        assertEquals(java.util.List.of(NioBackendProvider.READS_PER_EVENT, NioBackendProvider.GATHER_LIMIT,
                NioBackendProvider.DATAGRAMS_PER_EVENT, NioBackendProvider.UDP_RECEIVE_BUFFER_SIZE), p.options());
        assertEquals(java.util.Set.of(io.ringline.spi.Capability.OS_SOCKETS, io.ringline.spi.Capability.UDP),
                p.capabilities());
    }

    @Test
    void anInvalidOptionFailsStartNamingTheAllowedRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Runtime.start(config().option("nio.gatherLimit", 0).build(), w -> (c, data) -> data.remaining()));
        assertTrue(e.getMessage().contains("nio.gatherLimit") && e.getMessage().contains("[1, 1024]"), e.getMessage());
    }

    /** One read per event and one buffer per write: a 1 MiB echo still arrives whole and in order. */
    @Test
    void echoesWithTheSmallestReadAndGatherLimits() throws Exception {
        Config cfg = config().workers(1).option("nio.readsPerEvent", 1).option("nio.gatherLimit", 1)
                .recvBufferSize(4096).build();
        Handler echo = (c, data) -> {
            int n = data.remaining();
            c.send(data);
            return n;
        };
        byte[] msg = new byte[1 << 20];
        for (int i = 0; i < msg.length; i++) {
            msg[i] = (byte) (i * 31 + (i >>> 11));
        }
        try (Runtime rt = Runtime.start(cfg, w -> echo)) {
            InetSocketAddress addr = rt.boundAddresses().get(0);
            try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
                s.setSoTimeout(10_000);
                Thread writer = Thread.ofPlatform().start(() -> {
                    try {
                        s.getOutputStream().write(msg);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertArrayEquals(msg, new DataInputStream(s.getInputStream()).readNBytes(msg.length));
                writer.join(10_000);
            }
        }
    }
}
