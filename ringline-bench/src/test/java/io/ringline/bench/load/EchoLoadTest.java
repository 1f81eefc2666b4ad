package io.ringline.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringline.bench.netty.NettyServers;
import io.ringline.bench.netty.NettyTransport;
import org.junit.jupiter.api.Test;

class EchoLoadTest {

    static NettyTransport transport() {
        return NettyTransport.EPOLL.isAvailable() ? NettyTransport.EPOLL : NettyTransport.NIO;
    }

    @Test
    void closedLoopAgainstNettyEcho() throws Exception {
        try (var s = NettyServers.start("echo", transport(), 0, 1, "pooled", 1 << 20)) {
            var r = EchoLoad.run(new EchoLoad.Config("127.0.0.1", s.port(), 8, 1024, 1.0, 0.2, 0, 2, 1));
            String json = r.json();
            assertEquals(0, r.errors(), json);
            assertTrue(r.requests() > 100, json);
            assertTrue(r.seconds() > 0.9 && r.seconds() < 1.5, json);
            assertTrue(r.histogram().getValueAtPercentile(50) > 0, json);
            assertTrue(r.bytesVerified() >= r.requests() * 1024, json);
            assertTrue(json.startsWith("{\"tool\":\"load-echo\",\"mode\":\"closed\""), json);
            assertTrue(json.contains("\"p999_us\":"), json);
        }
    }

    @Test
    void openLoopHitsTargetRate() throws Exception {
        try (var s = NettyServers.start("echo", transport(), 0, 1, "pooled", 1 << 20)) {
            var r = EchoLoad.run(new EchoLoad.Config("127.0.0.1", s.port(), 4, 64, 1.0, 0.2, 2000, 1, 1));
            String json = r.json();
            assertEquals(0, r.errors(), json);
            // 2000/s for ~1 s, allowing for scheduling noise on a busy machine
            assertTrue(r.requests() > 1500 && r.requests() < 2500, json);
            assertTrue(json.contains("\"mode\":\"open\""), json);
        }
    }

    @Test
    void detectsCorruptedEcho() throws Exception {
        // A "server" that answers with the wrong bytes: the generator must count errors, not hang.
        try (var ss = new java.net.ServerSocket(0)) {
            Thread t = Thread.ofVirtual().start(() -> {
                try (var sock = ss.accept()) {
                    var in = sock.getInputStream();
                    var out = sock.getOutputStream();
                    byte[] buf = new byte[64];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        for (int i = 0; i < n; i++) {
                            buf[i] ^= 0x5a;
                        }
                        out.write(buf, 0, n);
                    }
                } catch (Exception ignored) {
                    // test server
                }
            });
            var r = EchoLoad.run(new EchoLoad.Config("127.0.0.1", ss.getLocalPort(), 1, 64, 0.3, 0, 0, 1, 1));
            assertTrue(r.errors() > 0, r.json());
            t.join(2000);
        }
    }
}
