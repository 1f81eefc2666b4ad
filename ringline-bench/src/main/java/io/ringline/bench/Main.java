package io.ringline.bench;

import io.ringline.bench.load.EchoLoad;
import io.netty.handler.ssl.SslContext;
import io.ringline.bench.netty.NettyServers;
import io.ringline.bench.netty.NettyTls;
import io.ringline.bench.netty.NettyTransport;
import io.ringline.bench.netty.NettyUdp;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Benchmark harness entry point.
 *
 * <pre>
 * netty-echo|netty-http|netty-resp --port N --transport io_uring|epoll|nio [--threads 1]
 *            [--allocator pooled|adaptive|default] [--max-bulk BYTES]
 *            [--tls-cert FILE --tls-key FILE [--tls-provider jdk|openssl]]
 * netty-udp-echo --port N --transport io_uring|epoll [--threads 1] [--allocator pooled|adaptive|default]
 *            [--datagram-size 2048] [--batch 16]
 * load-echo  --host H --port N --connections C --size S --duration SECONDS [--warmup SECONDS]
 *            [--rate R] [--pipeline P] [--threads T]
 * </pre>
 */
public final class Main {
    private Main() {}

    public static void main(String[] argv) throws Exception {
        if (argv.length == 0 || argv[0].equals("-h") || argv[0].equals("--help")) {
            usage();
            return;
        }
        String cmd = argv[0];
        Args a = new Args(argv, 1);
        switch (cmd) {
            case "netty-echo", "netty-http", "netty-resp" -> runServer(cmd.substring("netty-".length()), a);
            case "netty-udp-echo" -> runUdpServer(a);
            case "load-echo" -> System.exit(EchoLoad.run(a));
            default -> {
                System.err.println("unknown subcommand: " + cmd);
                usage();
                System.exit(2);
            }
        }
    }

    private static void runServer(String kind, Args a) throws Exception {
        NettyTransport transport = NettyTransport.parse(a.get("transport", "io_uring"));
        if (!transport.isAvailable()) {
            System.err.println("transport " + transport + " unavailable: " + transport.unavailabilityCause());
            System.exit(3);
        }
        SslContext tls = tlsContext(a);
        NettyTransport.Server server = NettyServers.start(kind, transport, a.getInt("port", 0), a.getInt("threads", 1),
                a.get("allocator", "pooled"), a.getInt("max-bulk", 16 << 20), tls);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stop.countDown();
        }));
        System.out.println(server.describe(kind));
        System.out.flush();
        server.channel().closeFuture().sync();
        stop.await();
    }

    private static void runUdpServer(Args a) throws Exception {
        NettyTransport transport = NettyTransport.parse(a.get("transport", "io_uring"));
        if (!transport.isAvailable()) {
            System.err.println("transport " + transport + " unavailable: " + transport.unavailabilityCause());
            System.exit(3);
        }
        NettyUdp.Server server = NettyUdp.start(transport, a.getInt("port", 0), a.getInt("threads", 1),
                a.get("allocator", "pooled"), a.getInt("datagram-size", 2048), a.getInt("batch", 16));
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stop.countDown();
        }));
        System.out.println(server.describe());
        System.out.flush();
        stop.await();
    }

    /** The SslContext of --tls-cert/--tls-key/--tls-provider, or null for a plaintext server. */
    private static SslContext tlsContext(Args a) throws Exception {
        if (!a.has("tls-cert") && !a.has("tls-key")) {
            if (a.has("tls-provider")) {
                throw new IllegalArgumentException("--tls-provider needs --tls-cert and --tls-key");
            }
            return null;
        }
        if (!a.has("tls-cert") || !a.has("tls-key")) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together (PEM certificate and PKCS#8 key)");
        }
        NettyTls.Provider provider = a.has("tls-provider")
                ? NettyTls.Provider.parse(a.get("tls-provider", ""))
                : NettyTls.Provider.fastestAvailable();
        return NettyTls.serverContext(Path.of(a.get("tls-cert", "")), Path.of(a.get("tls-key", "")), provider);
    }

    private static void usage() {
        System.out.println("""
                usage: java --enable-native-access=ALL-UNNAMED -jar ringline-bench.jar <subcommand> [options]
                  netty-echo|netty-http|netty-resp --port N --transport io_uring|epoll|nio [--threads 1]
                        [--allocator pooled|adaptive|default] [--max-bulk BYTES (resp, default 16 MiB, as ringline resp)]
                        [--tls-cert FILE --tls-key FILE (PEM; serve TLS 1.3/1.2 only, SslHandler first in the pipeline)]
                        [--tls-provider jdk|openssl (default: openssl when netty-tcnative loads, else jdk)]
                      Netty 4.2 peer servers. Add -Dio.netty.noUnsafe=false --sun-misc-unsafe-memory-access=allow
                      to let Netty use sun.misc.Unsafe on JDK 25.
                  netty-udp-echo --port N --transport io_uring|epoll [--threads 1] [--allocator pooled]
                        [--datagram-size 2048 (largest datagram of a batched read; 0: one datagram per read, any size)]
                        [--batch 16 (datagrams per read)]
                      Netty 4.2 UDP echo peer: one channel per thread on the port with SO_REUSEPORT, replies
                      flushed per read batch, a datagram dropped while the channel is not writable.
                  load-echo --host 127.0.0.1 --port N --connections C --size S --duration SECONDS
                        [--warmup SECONDS] [--rate R (total req/s: open loop)] [--pipeline P] [--threads T]
                        [--server-pid PID (report the server CPU seconds used during the measurement)]
                      Echo load generator; prints one JSON line.""");
    }
}
