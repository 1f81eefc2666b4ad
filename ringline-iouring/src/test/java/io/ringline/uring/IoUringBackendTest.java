package io.ringline.uring;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import io.ringline.Runtime;
import io.ringline.WorkerContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.ringline.uring.UringTestSupport.await;
import static io.ringline.uring.UringTestSupport.fdinfoForm;
import static io.ringline.uring.UringTestSupport.userBufsStable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** io_uring-specific behaviour; the API contract shared by every backend is tested by ringline-tests. */
class IoUringBackendTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @BeforeEach
    void requireIoUring() {
        UringTestSupport.requireIoUring();
    }

    private static Config.Builder config(int workers) {
        return Config.builder().workers(workers).backend(IoUringBackendProvider.NAME)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .shutdownGracePeriod(Duration.ofSeconds(5));
    }

    private static MemorySegment pattern(Arena arena, int size, int seed) {
        MemorySegment seg = arena.allocate(size, 4096);
        for (int i = 0; i < size; i++) {
            seg.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed + (i >>> 11)));
        }
        return seg;
    }

    private static long sum(Runtime rt, java.util.function.ToLongFunction<WorkerContext> f) {
        long s = 0;
        for (int i = 0; i < rt.workerCount(); i++) {
            s += f.applyAsLong(rt.worker(i));
        }
        return s;
    }

    /** Echoes everything; 'R' sends {@code [offset, offset+len)} of region 0 instead. */
    private static Handler echoOrRegion(int offset, int length) {
        return new Handler() {
            @Override
            public int onData(Connection c, ByteBuffer data) {
                if (data.get(data.position()) == 'R') {
                    c.sendRegion(new RegionId(0), offset, length);
                    return 1;
                }
                int n = data.remaining();
                c.send(data);
                return n;
            }
        };
    }

    @Test
    void echoesOverIoUring() throws Exception {
        try (Runtime rt = Runtime.start(config(2).build(), w -> echoOrRegion(0, 1))) {
            assertEquals("io_uring", rt.backendName());
            InetSocketAddress addr = rt.boundAddresses().get(0);
            for (int k = 0; k < 4; k++) {
                try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
                    s.setSoTimeout(10_000);
                    byte[] msg = new byte[100_000];
                    for (int i = 0; i < msg.length; i++) {
                        msg[i] = (byte) ('a' + (i * 13 + k) % 26); // never 'R'
                    }
                    s.getOutputStream().write(msg);
                    assertArrayEquals(msg, new DataInputStream(s.getInputStream()).readNBytes(msg.length));
                }
            }
            assertTrue(sum(rt, w -> w.stats().opsSubmitted()) > 0);
            assertTrue(sum(rt, w -> w.stats().kernelEnters()) > 0);
        }
    }

    @Test
    void servesAndConnectsOverIpv6() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        boolean hasV6;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, v6)) {
            hasV6 = true;
        } catch (java.io.IOException e) {
            hasV6 = false;
        }
        Config cfg = Config.builder().workers(1).backend(IoUringBackendProvider.NAME)
                .bind(new InetSocketAddress(v6, 0)).build();
        if (!hasV6) {
            // No IPv6 here (never skipped, see RINGLINE_REQUIRE_IOURING): binding must fail cleanly instead.
            org.junit.jupiter.api.Assertions.assertThrows(io.ringline.RinglineException.class,
                    () -> Runtime.start(cfg, w -> echoOrRegion(0, 1)).close());
            return;
        }
        try (Runtime rt = Runtime.start(cfg, w -> echoOrRegion(0, 1))) {
            InetSocketAddress addr = rt.boundAddresses().get(0);
            assertEquals(v6, addr.getAddress());
            Connection c = rt.connect(addr, Duration.ofSeconds(5)).toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(addr, c.remoteAddress());
            try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("six".getBytes(StandardCharsets.US_ASCII));
                assertEquals("six", new String(new DataInputStream(s.getInputStream()).readNBytes(3), StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void regionsAreInEveryWorkerRingAndGoneAfterUnregister() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemoryRegion initial = MemoryRegion.of(pattern(arena, 64 * 1024, 1));
            MemoryRegion dynamic = MemoryRegion.of(pattern(arena, 128 * 1024, 2));
            Map<Integer, List<String>> atStart = new ConcurrentHashMap<>();
            Config cfg = config(3).maxRegions(8).initialRegion(initial).build();
            try (Runtime rt = Runtime.start(cfg, w -> {
                // Runs on the worker thread after the initial regions were installed and before any listener opens.
                int fd = UringWorkerIo.current().ringFd();
                try {
                    atStart.put(fd, userBufsStable(fd));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return echoOrRegion(0, 1);
            })) {
                assertEquals(3, atStart.size(), "one ring per worker");
                for (var e : atStart.entrySet()) {
                    assertEquals(List.of(fdinfoForm(initial)), e.getValue(), "initial region in ring " + e.getKey());
                }
                RegionId id = rt.shutdownHandle().registerRegion(dynamic);
                assertEquals(1, id.slot());
                for (int fd : atStart.keySet()) {
                    assertEquals(List.of(fdinfoForm(initial), fdinfoForm(dynamic)), userBufsStable(fd), "ring " + fd);
                }
                rt.shutdownHandle().unregisterRegion(id);
                for (int fd : atStart.keySet()) {
                    assertEquals(List.of(fdinfoForm(initial)), userBufsStable(fd), "ring " + fd + " after unregister");
                }
                // The slot is reusable, and a region in a higher slot survives changes to a lower one.
                RegionId again = rt.shutdownHandle().registerRegion(dynamic);
                RegionId third = rt.shutdownHandle().registerRegion(MemoryRegion.of(pattern(arena, 4096, 3)));
                rt.shutdownHandle().unregisterRegion(again);
                for (int fd : atStart.keySet()) {
                    List<String> bufs = userBufsStable(fd);
                    assertEquals(2, bufs.size(), "ring " + fd + ": " + bufs);
                    assertFalse(bufs.contains(fdinfoForm(dynamic)));
                }
                rt.shutdownHandle().unregisterRegion(third);
            }
        }
    }

    @Test
    void regionSendIsByteExactAndUsesTheFixedBuffer() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            int size = 1 << 20;
            MemorySegment seg = pattern(arena, size, 7);
            int offset = 12_345;
            int length = 512 * 1024;
            Config cfg = config(2).initialRegion(MemoryRegion.of(seg)).build();
            try (Runtime rt = Runtime.start(cfg, w -> echoOrRegion(offset, length))) {
                InetSocketAddress addr = rt.boundAddresses().get(0);
                byte[] expected = seg.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
                for (int k = 0; k < 3; k++) {
                    try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
                        s.setSoTimeout(10_000);
                        s.getOutputStream().write('R');
                        assertArrayEquals(expected, new DataInputStream(s.getInputStream()).readNBytes(length));
                    }
                }
                await("3 fixed-buffer sends counted", WAIT, () -> sum(rt, w -> w.stats().zeroCopySends()) == 3);
            }
        }
    }

    @Test
    void recoversFromBufferRingExhaustionWithoutLosingBytes() throws Exception {
        int connections = 24;
        int perConnection = 256 * 1024;
        Config cfg = config(2).recvBufferCount(2).recvBufferSize(1024).build();
        // Each client sends a 4-byte id then a pattern derived from it; the server checks every byte and answers OK/BAD.
        HandlerCheck check = new HandlerCheck(perConnection);
        try (Runtime rt = Runtime.start(cfg, w -> check)) {
            InetSocketAddress addr = rt.boundAddresses().get(0);
            ExecutorService pool = Executors.newFixedThreadPool(connections);
            try {
                List<Future<String>> answers = new ArrayList<>();
                for (int id = 0; id < connections; id++) {
                    int cid = id;
                    answers.add(pool.submit(() -> {
                        try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
                            s.setSoTimeout(30_000);
                            OutputStream out = s.getOutputStream();
                            byte[] data = new byte[4 + perConnection];
                            ByteBuffer.wrap(data).putInt(cid);
                            for (int i = 0; i < perConnection; i++) {
                                data[4 + i] = HandlerCheck.expected(cid, i);
                            }
                            out.write(data);
                            InputStream in = s.getInputStream();
                            return new String(in.readNBytes(2), StandardCharsets.US_ASCII);
                        }
                    }));
                }
                for (Future<String> f : answers) {
                    assertEquals("OK", f.get());
                }
            } finally {
                pool.shutdownNow();
            }
            assertTrue(sum(rt, w -> w.stats().recvBufferExhausted()) > 0, "ENOBUFS never happened: "
                    + sum(rt, w -> w.stats().recvBufferExhausted()));
            assertEquals((long) connections * (perConnection + 4), sum(rt, w -> w.stats().bytesIn()));
        }
    }

    @Test
    void shutdownWithRegionSendsInFlightLosesNothingAndReleasesEveryRing() throws Exception {
        List<Integer> before = UringTestSupport.ringFds();
        try (Arena arena = Arena.ofShared()) {
            int size = 1 << 20;
            int copies = 3;
            MemorySegment seg = pattern(arena, size, 9);
            java.util.concurrent.CountDownLatch queued = new java.util.concurrent.CountDownLatch(1);
            Handler h = new Handler() {
                @Override
                public int onData(Connection c, ByteBuffer data) {
                    for (int i = 0; i < copies; i++) {
                        c.sendRegion(new RegionId(0), 0, size);
                    }
                    queued.countDown();
                    return data.remaining();
                }
            };
            Runtime rt = Runtime.start(config(2).initialRegion(MemoryRegion.of(seg)).build(), w -> h);
            try {
                InetSocketAddress addr = rt.boundAddresses().get(0);
                List<Integer> during = UringTestSupport.ringFds();
                assertTrue(during.size() >= before.size() + 3, "worker rings, acceptor ring and donor ring: " + during);
                try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
                    s.setReceiveBufferSize(64 * 1024);
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write('R');
                    assertTrue(queued.await(10, java.util.concurrent.TimeUnit.SECONDS));
                    // Shut down while most of the 3 MiB is still queued or in flight (the client has read nothing yet).
                    rt.shutdownHandle().shutdown();
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    byte[] expected = seg.toArray(ValueLayout.JAVA_BYTE);
                    for (int i = 0; i < copies; i++) {
                        assertArrayEquals(expected, in.readNBytes(size), "copy " + i);
                    }
                    assertEquals(-1, in.read(), "connection closed after the last byte");
                }
                assertTrue(rt.awaitTermination(WAIT), "terminated");
                assertEquals(copies, sum(rt, w -> w.stats().zeroCopySends()), "every copy went out as a fixed-buffer send");
            } finally {
                rt.close();
            }
            // Every ring (and so every registered buffer) of the runtime is gone.
            assertEquals(before, UringTestSupport.ringFds());
        }
    }

    @Test
    void unregisterWaitsUntilTheKernelIsDoneWithInFlightRegionSends() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            int size = 1 << 20;
            MemorySegment seg = pattern(arena, size, 5);
            java.util.concurrent.CountDownLatch queued = new java.util.concurrent.CountDownLatch(1);
            Handler h = new Handler() {
                @Override
                public int onData(Connection c, ByteBuffer data) {
                    c.sendRegion(new RegionId(0), 0, size);
                    c.sendRegion(new RegionId(0), 0, size);
                    queued.countDown();
                    return data.remaining();
                }
            };
            try (Runtime rt = Runtime.start(config(1).maxRegions(2).build(), w -> h)) {
                RegionId id = rt.shutdownHandle().registerRegion(MemoryRegion.of(seg));
                InetSocketAddress addr = rt.boundAddresses().get(0);
                try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
                    s.setReceiveBufferSize(64 * 1024);
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write('R');
                    assertTrue(queued.await(10, java.util.concurrent.TimeUnit.SECONDS));
                    var unregistered = rt.shutdownHandle().unregisterRegionAsync(id).toCompletableFuture();
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    byte[] expected = seg.toArray(ValueLayout.JAVA_BYTE);
                    // The client has read nothing, so 2 MiB cannot all be in the socket buffers yet.
                    assertFalse(unregistered.isDone(), "unregister completed while sends referenced the region");
                    assertArrayEquals(expected, in.readNBytes(size));
                    assertArrayEquals(expected, in.readNBytes(size));
                    unregistered.get(10, java.util.concurrent.TimeUnit.SECONDS);
                }
                for (int fd : UringTestSupport.ringFds()) {
                    assertFalse(userBufsStable(fd).contains(fdinfoForm(MemoryRegion.of(seg))), "ring " + fd);
                }
            }
        }
    }

    @Test
    void pausedReadingLeavesBytesInTheKernelAndResumingDeliversThemAndTheEnd() throws Exception {
        int total = 16 << 20; // more than the kernel buffers of both ends hold
        java.util.concurrent.atomic.AtomicLong consumed = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicInteger callsWhilePaused = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CompletableFuture<Connection> paused = new java.util.concurrent.CompletableFuture<>();
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public int onData(Connection c, ByteBuffer data) {
                if (c.isReadingPaused()) {
                    callsWhilePaused.incrementAndGet();
                }
                for (int p = data.position(); p < data.limit(); p++) {
                    if (data.get(p) != (byte) (consumed.get() + p - data.position())) {
                        events.add("bad byte at " + (consumed.get() + p - data.position()));
                        break;
                    }
                }
                consumed.addAndGet(data.remaining());
                if (!paused.isDone()) {
                    c.pauseReading();
                    paused.complete(c);
                }
                return data.remaining();
            }

            @Override
            public void onInputClosed(Connection c) {
                events.add("inputClosed@" + consumed.get());
                c.close();
            }
        };
        try (Runtime rt = Runtime.start(config(1).recvBufferCount(8).recvBufferSize(4096).build(), w -> h)) {
            InetSocketAddress addr = rt.boundAddresses().get(0);
            try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
                java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
                Thread writer = new Thread(() -> {
                    try {
                        byte[] chunk = new byte[64 * 1024];
                        for (int pos = 0; pos < total; pos += chunk.length) {
                            for (int i = 0; i < chunk.length; i++) {
                                chunk[i] = (byte) (pos + i);
                            }
                            s.getOutputStream().write(chunk);
                            written.addAndGet(chunk.length);
                        }
                        s.shutdownOutput();
                    } catch (java.io.IOException e) {
                        events.add("writer: " + e);
                    }
                });
                writer.start();
                Connection c = paused.get(10, java.util.concurrent.TimeUnit.SECONDS);
                long atPause = consumed.get();
                // The peer gets well past the first buffer while the kernel holds the rest.
                await("the client wrote 1 MiB while reading was paused", WAIT, () -> written.get() >= (1 << 20));
                assertEquals(atPause, consumed.get(), "nothing delivered while paused");
                assertTrue(writer.isAlive(), "the writer is held back by flow control");
                c.worker().execute(c::resumeReading);
                writer.join(20_000);
                await("every byte and the end of stream delivered", WAIT, () -> !events.isEmpty());
                assertEquals(List.of("inputClosed@" + total), events);
                assertEquals(0, callsWhilePaused.get());
            }
        }
    }

    /** Verifies the byte stream of {@link #recoversFromBufferRingExhaustionWithoutLosingBytes}. */
    private static final class HandlerCheck implements Handler {
        private final int total;

        HandlerCheck(int total) {
            this.total = total;
        }

        static byte expected(int id, int i) {
            return (byte) (i * 7 + id * 13 + (i >>> 8));
        }

        private static final class State {
            int id = -1;
            int seen;
            boolean bad;
        }

        @Override
        public int onData(Connection c, ByteBuffer data) {
            State st = c.attachment();
            if (st == null) {
                st = new State();
                c.attach(st);
            }
            int consumed = 0;
            if (st.id < 0) {
                if (data.remaining() < 4) {
                    return 0;
                }
                st.id = data.getInt(data.position());
                consumed = 4;
            }
            for (int p = data.position() + consumed; p < data.limit(); p++) {
                if (data.get(p) != expected(st.id, st.seen++)) {
                    st.bad = true;
                }
            }
            if (st.seen == total) {
                c.send((st.bad ? "BD" : "OK").getBytes(StandardCharsets.US_ASCII));
            }
            return data.remaining();
        }
    }
}
