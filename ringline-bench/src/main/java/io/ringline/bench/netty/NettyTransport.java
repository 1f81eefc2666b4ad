package io.ringline.bench.netty;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.Channel;
import io.netty.handler.ssl.OpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.function.Consumer;

/** Netty transport selection (io_uring, epoll, nio) and the common server bootstrap. */
public enum NettyTransport {
    IO_URING, EPOLL, NIO;

    public static NettyTransport parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT).replace("-", "_")) {
            case "io_uring", "iouring", "uring" -> IO_URING;
            case "epoll" -> EPOLL;
            case "nio" -> NIO;
            default -> throw new IllegalArgumentException("unknown transport: " + s + " (io_uring|epoll|nio)");
        };
    }

    public boolean isAvailable() {
        return switch (this) {
            case IO_URING -> IoUring.isAvailable();
            case EPOLL -> Epoll.isAvailable();
            case NIO -> true;
        };
    }

    public Throwable unavailabilityCause() {
        return switch (this) {
            case IO_URING -> IoUring.unavailabilityCause();
            case EPOLL -> Epoll.unavailabilityCause();
            case NIO -> null;
        };
    }

    public IoHandlerFactory ioHandlerFactory() {
        return switch (this) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
    }

    public Class<? extends ServerChannel> serverChannelClass() {
        return switch (this) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    public static ByteBufAllocator allocator(String name) {
        return switch (name) {
            case "pooled" -> PooledByteBufAllocator.DEFAULT;
            case "adaptive" -> new AdaptiveByteBufAllocator();
            case "default" -> ByteBufAllocator.DEFAULT;
            default -> throw new IllegalArgumentException("unknown allocator: " + name + " (pooled|adaptive|default)");
        };
    }

    /** A started server: close() shuts it down. {@code tls} is null for a plaintext server. */
    public record Server(Channel channel, EventLoopGroup group, NettyTransport transport, String allocator,
            SslContext tls) implements AutoCloseable {
        public int port() {
            return ((java.net.InetSocketAddress) channel.localAddress()).getPort();
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }

        /** One JSON line describing the server configuration (logged at start-up). */
        public String describe(String kind) {
            return "{\"server\":\"netty-" + kind + "\",\"transport\":\"" + transport.name().toLowerCase(Locale.ROOT)
                    + "\",\"port\":" + port() + ",\"netty\":\"" + nettyVersion() + "\",\"allocator\":\"" + allocator
                    + "\",\"hasUnsafe\":" + PlatformDependent.hasUnsafe()
                    + ",\"directBufferPreferred\":" + PlatformDependent.directBufferPreferred()
                    + ",\"threads\":" + threads(group)
                    + ",\"tls\":\"" + tlsProvider() + "\""
                    + ",\"jvmArgs\":\"" + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())
                            .replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        }

        /** none, jdk or openssl. */
        public String tlsProvider() {
            if (tls == null) {
                return "none";
            }
            return tls instanceof OpenSslContext ? "openssl" : "jdk";
        }

        private static int threads(EventLoopGroup g) {
            int n = 0;
            for (var ignored : g) {
                n++;
            }
            return n;
        }
    }

    static String nettyVersion() {
        var v = io.netty.util.Version.identify().get("netty-transport");
        return v == null ? "?" : v.artifactVersion();
    }

    /**
     * Binds a server on 0.0.0.0:port (0 = ephemeral) with one event loop group of {@code threads}
     * loops doing both accept and I/O, TCP_NODELAY on, and the given allocator.
     */
    public Server start(int port, int threads, String allocatorName, Consumer<SocketChannel> pipeline)
            throws InterruptedException {
        return start(port, threads, allocatorName, null, pipeline);
    }

    /**
     * As {@link #start(int, int, String, Consumer)}; {@code tls} (may be null) is only recorded in the
     * returned {@link Server}: {@code pipeline} adds the {@code SslHandler}.
     */
    public Server start(int port, int threads, String allocatorName, SslContext tls, Consumer<SocketChannel> pipeline)
            throws InterruptedException {
        if (!isAvailable()) {
            throw new IllegalStateException(this + " transport unavailable", unavailabilityCause());
        }
        ByteBufAllocator alloc = allocator(allocatorName);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, ioHandlerFactory());
        try {
            ServerBootstrap b = new ServerBootstrap()
                    .group(group)
                    .channel(serverChannelClass())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.ALLOCATOR, alloc)
                    .childOption(ChannelOption.ALLOCATOR, alloc)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            pipeline.accept(ch);
                        }
                    });
            Channel ch = b.bind(port).sync().channel();
            return new Server(ch, group, this, allocatorName, tls);
        } catch (Throwable t) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            throw t;
        }
    }
}
