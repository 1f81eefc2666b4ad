package io.ringline.uring;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import io.ringline.RinglineException;
import io.ringline.Runtime;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The io_uring options turn their feature off per runtime, and the backend still echoes and sends
 * regions correctly: several runtimes with different options in this one JVM, two of them at once.
 */
class FeatureSwitchesTest {

    private static final int REGION_SIZE = 256 * 1024;

    /** A runtime serving echo and, on 'R', the whole region; records the features its workers saw. */
    private static final class Server implements AutoCloseable {
        final Runtime runtime;
        final Map<String, UringFeatures> seen = new ConcurrentHashMap<>();
        final Map<String, Boolean> hasBufferRing = new ConcurrentHashMap<>();

        Server(MemorySegment region, Map<String, Object> options) throws Exception {
            Config.Builder builder = Config.builder().workers(2).backend(IoUringBackendProvider.NAME).recvBufferSize(512)
                    .initialRegion(MemoryRegion.of(region))
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .shutdownGracePeriod(Duration.ofSeconds(2));
            options.forEach(builder::option);
            Config cfg = builder.build();
            Handler h = new Handler() {
                @Override
                public void onOpen(Connection c) {
                    UringWorkerIo io = UringWorkerIo.current();
                    seen.put(Thread.currentThread().getName(), io.features());
                    hasBufferRing.put(Thread.currentThread().getName(), io.bufferRing() != null);
                }

                @Override
                public int onData(Connection c, ByteBuffer data) {
                    if (data.get(data.position()) == 'R') {
                        c.sendRegion(new RegionId(0), 0, REGION_SIZE);
                        return 1;
                    }
                    int n = data.remaining();
                    c.send(data);
                    return n;
                }
            };
            runtime = Runtime.start(cfg, w -> h);
        }

        /** Echoes 200 000 bytes, then asks for the region. */
        void exercise(MemorySegment region) throws Exception {
            InetSocketAddress addr = runtime.boundAddresses().get(0);
            try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
                s.setSoTimeout(10_000);
                byte[] msg = new byte[200_000];
                for (int i = 0; i < msg.length; i++) {
                    msg[i] = (byte) ('a' + i % 26); // never 'R'
                }
                s.getOutputStream().write(msg);
                DataInputStream in = new DataInputStream(s.getInputStream());
                assertArrayEquals(msg, in.readNBytes(msg.length), "echo");
                s.getOutputStream().write('R');
                assertArrayEquals(region.toArray(ValueLayout.JAVA_BYTE), in.readNBytes(REGION_SIZE), "region");
            }
        }

        /**
         * Closes the runtime (its workers finish every queued entry and stop, so their counters are
         * final and visible here); {@return the region sends that went out from a fixed buffer}
         */
        long fixedBufferSendsAfterClose() {
            runtime.close();
            long fixed = 0;
            for (int i = 0; i < runtime.workerCount(); i++) {
                fixed += runtime.worker(i).stats().zeroCopySends();
            }
            return fixed;
        }

        UringFeatures features() {
            assertEquals(1, seen.size(), "one connection, one worker: " + seen);
            return seen.values().iterator().next();
        }

        boolean bufferRing() {
            return hasBufferRing.values().iterator().next();
        }

        @Override
        public void close() {
            runtime.close();
        }
    }

    private static MemorySegment region(Arena arena) {
        MemorySegment seg = arena.allocate(REGION_SIZE, 4096);
        for (int i = 0; i < REGION_SIZE; i++) {
            seg.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 17 + (i >>> 10)));
        }
        return seg;
    }

    @Test
    void everythingOffAndEverythingOnSideBySide() throws Exception {
        UringTestSupport.requireIoUring();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = region(arena);
            try (Server off = new Server(seg, Map.of("io_uring.bufferRing", false, "io_uring.fixedBuffers", false,
                    "io_uring.sendZc", false));
                 Server on = new Server(seg, Map.of())) {
                off.exercise(seg);
                on.exercise(seg);
                assertEquals(0, off.fixedBufferSendsAfterClose(), "no fixed-buffer sends with fixed buffers off");
                UringFeatures f = off.features();
                assertTrue(!f.bufferRing() && !f.fixedBuffers() && !f.sendZc(), f.describe());
                assertEquals("io_uring.fixedBuffers=false", f.off().get("fixed buffers"));
                assertEquals("io_uring.bufferRing=false", f.off().get("buffer ring"));
                assertTrue(!off.bufferRing(), "receives without a buffer ring");

                assertEquals(1, on.fixedBufferSendsAfterClose(), "the 256 KiB region goes out as SEND_ZC from the fixed buffer");
                UringFeatures g = on.features();
                assertTrue(g.bufferRing() && g.fixedBuffers() && g.sendZc(), g.describe());
                assertTrue(on.bufferRing());
            }
        }
    }

    @Test
    void fixedBuffersWithoutZeroCopy() throws Exception {
        UringTestSupport.requireIoUring();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = region(arena);
            try (Server s = new Server(seg, Map.of("io_uring.sendZc", "false"))) {
                s.exercise(seg);
                assertEquals(0, s.fixedBufferSendsAfterClose(), "no zero-copy sends with SEND_ZC off");
                assertTrue(s.features().fixedBuffers() && !s.features().sendZc(), s.features().describe());
            }
        }
    }

    @Test
    void aZeroThresholdAndSmallRingsAndOneIovecStillWork() throws Exception {
        UringTestSupport.requireIoUring();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = region(arena);
            try (Server s = new Server(seg, Map.of("io_uring.sendZcThreshold", 0, "io_uring.ringSize", 8,
                    "io_uring.maxIov", 1, "io_uring.acceptorRingSize", 8))) {
                s.exercise(seg);
                assertEquals(1, s.fixedBufferSendsAfterClose());
                UringFeatures f = s.features();
                assertEquals(0, f.sendZcThreshold());
                assertEquals(8, f.ringSize());
                assertEquals(1, f.maxIov());
            }
        }
    }

    @Test
    void aRingSizeThatIsNoPowerOfTwoFailsTheStartNamingIt() throws Exception {
        UringTestSupport.requireIoUring();
        try (Arena arena = Arena.ofShared()) {
            RinglineException e = assertThrows(RinglineException.class,
                    () -> new Server(region(arena), Map.of("io_uring.ringSize", 300)).close());
            assertTrue(e.getMessage().contains("io_uring.ringSize") && e.getMessage().contains("300")
                    && e.getMessage().contains("power of two"), e.getMessage());
        }
    }
}
