package io.ringline.uring;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import io.ringline.Runtime;

import java.io.DataInputStream;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Child JVM of {@link MemlockTest}, run without CAP_IPC_LOCK under a lowered RLIMIT_MEMLOCK
 * (args[0], bytes). Prints one line per step for the parent to check.
 */
public final class MemlockChild {

    private MemlockChild() {
    }

    public static void main(String[] args) throws Exception {
        long limit = Long.parseLong(args[0]);
        System.out.println("LIMIT " + Sys.memlockLimit());
        Config cfg = Config.builder().workers(2).backend(IoUringBackendProvider.NAME).maxRegions(4)
                .recvBufferCount(4).recvBufferSize(1024)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .shutdownGracePeriod(Duration.ofSeconds(2)).build();
        Handler echo = new Handler() {
            @Override
            public int onData(Connection c, ByteBuffer data) {
                int n = data.remaining();
                c.send(data);
                return n;
            }
        };
        try (Arena arena = Arena.ofShared(); Runtime rt = Runtime.start(cfg, w -> echo)) {
            // 60% of the limit: fits when charged once, would not fit if every worker were charged.
            long small = (limit * 6 / 10) & ~4095L;
            RegionId a = rt.shutdownHandle().registerRegion(MemoryRegion.of(arena.allocate(small, 4096)));
            System.out.println("SMALL OK " + a.slot());
            try {
                RegionId b = rt.shutdownHandle().registerRegion(MemoryRegion.of(arena.allocate(2 * limit, 4096)));
                System.out.println("BIG UNEXPECTEDLY OK " + b.slot());
            } catch (RuntimeException e) {
                Throwable t = e;
                StringBuilder msg = new StringBuilder();
                while (t != null) {
                    msg.append(t.getMessage()).append(" | ");
                    t = t.getCause();
                }
                System.out.println("BIG FAILED " + msg.toString().replace('\n', ' '));
            }
            rt.shutdownHandle().unregisterRegion(a);
            RegionId c = rt.shutdownHandle().registerRegion(MemoryRegion.of(arena.allocate(small, 4096)));
            System.out.println("AGAIN OK " + c.slot());
            InetSocketAddress addr = rt.boundAddresses().get(0);
            try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("ping".getBytes());
                System.out.println("ECHO " + new String(new DataInputStream(s.getInputStream()).readNBytes(4)));
            }
        }
        System.out.println("DONE");
    }
}
