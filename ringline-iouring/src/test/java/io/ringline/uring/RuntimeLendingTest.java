package io.ringline.uring;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sendReceived through the real core on io_uring: sent from the lent provided buffers, byte-exact. */
class RuntimeLendingTest {

    @BeforeEach
    void requireIoUring() {
        UringTestSupport.requireIoUring();
    }

    private static Handler echo() {
        return new Handler() {
            @Override
            public int onData(Connection c, ByteBuffer data) {
                int n = data.remaining();
                c.sendReceived(data);
                return n;
            }
        };
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed + (i >>> 9));
        }
        return b;
    }

    private static void echoOnce(InetSocketAddress addr, byte[] msg) throws Exception {
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
            s.setSoTimeout(20_000);
            Future<?> w = ex.submit(() -> { s.getOutputStream().write(msg); return null; });
            assertArrayEquals(msg, new DataInputStream(s.getInputStream()).readNBytes(msg.length));
            w.get();
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void sendReceivedEchoSendsFromTheProvidedBuffersWithoutCopying() throws Exception {
        Config cfg = Config.builder().workers(1).backend(IoUringBackendProvider.NAME)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build();
        try (Runtime rt = Runtime.start(cfg, w -> echo())) {
            InetSocketAddress addr = rt.boundAddresses().get(0);
            for (int i = 0; i < 20; i++) {
                echoOnce(addr, pattern(100, i)); // one receive, one send, one round trip at a time
            }
            var st = rt.worker(0).stats();
            assertTrue(st.passThroughSends() >= 20, "passThroughSends " + st.passThroughSends());
            assertEquals(0, st.copiedSends(), "copiedSends");
        }
    }

    @Test
    void beyondTheLendingBudgetTheBytesAreCopiedByteExact() throws Exception {
        Config cfg = Config.builder().workers(1).backend(IoUringBackendProvider.NAME)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .recvBufferCount(8).recvBufferSize(4096).option(IoUringOptions.LEND_BUDGET.name(), 0).build();
        try (Runtime rt = Runtime.start(cfg, w -> echo())) {
            echoOnce(rt.boundAddresses().get(0), pattern(1 << 20, 7));
            var st = rt.worker(0).stats();
            assertEquals(0, st.passThroughSends(), "a budget of 0 lends nothing");
            assertTrue(st.copiedSends() > 0);
        }
    }
}
