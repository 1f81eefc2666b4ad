package io.ringline.uring;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import io.ringline.Runtime;

import java.io.DataInputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

/**
 * Child JVM of {@link FeatureSwitchesTest}: echo and a region send with the feature switches given
 * as system properties; prints the availability detail, "ECHO OK"/"REGION OK" and the counters.
 */
public final class FeaturesOffChild {

    private FeaturesOffChild() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("DETAIL " + new IoUringBackendProvider().availability().reason());
        try (Arena arena = Arena.ofShared()) {
            int size = 256 * 1024;
            MemorySegment seg = arena.allocate(size, 4096);
            for (int i = 0; i < size; i++) {
                seg.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 17 + (i >>> 10)));
            }
            Config cfg = Config.builder().workers(2).backend(IoUringBackendProvider.NAME).recvBufferSize(512)
                    .initialRegion(MemoryRegion.of(seg))
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .shutdownGracePeriod(Duration.ofSeconds(2)).build();
            Handler h = new Handler() {
                @Override
                public int onData(Connection c, ByteBuffer data) {
                    if (data.get(data.position()) == 'R') {
                        c.sendRegion(new RegionId(0), 0, size);
                        return 1;
                    }
                    int n = data.remaining();
                    c.send(data);
                    return n;
                }
            };
            try (Runtime rt = Runtime.start(cfg, w -> h)) {
                InetSocketAddress addr = rt.boundAddresses().get(0);
                try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
                    s.setSoTimeout(10_000);
                    byte[] msg = new byte[200_000];
                    for (int i = 0; i < msg.length; i++) {
                        msg[i] = (byte) ('a' + i % 26); // never 'R'
                    }
                    s.getOutputStream().write(msg);
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    System.out.println(Arrays.equals(msg, in.readNBytes(msg.length)) ? "ECHO OK" : "ECHO BAD");
                    s.getOutputStream().write('R');
                    byte[] region = in.readNBytes(size);
                    System.out.println(Arrays.equals(seg.toArray(ValueLayout.JAVA_BYTE), region) ? "REGION OK" : "REGION BAD");
                }
                long fixed = 0;
                for (int i = 0; i < rt.workerCount(); i++) {
                    fixed += rt.worker(i).stats().zeroCopySends();
                }
                System.out.println("FIXED " + fixed);
            }
        }
        System.out.println("DONE");
    }
}
