package io.ringline.bench.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.util.internal.PlatformDependent;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The Netty UDP echo peer in its fastest shape: one {@link DatagramChannel} per event loop, all
 * bound to the same port with {@code SO_REUSEPORT} (the kernel spreads senders over them, as over
 * ringline's per-worker sockets), native transports only ({@link EpollDatagramChannel},
 * {@link IoUringDatagramChannel}). Reads are batched: with {@code datagramSize > 0} every read gets a
 * buffer of {@code batch} slots of {@code datagramSize} bytes and fills as many as are queued in one
 * go (epoll: one {@code recvmmsg}; io_uring: one RECVMSG per slot, submitted together); a datagram
 * larger than {@code datagramSize} is then cut by the kernel. {@code datagramSize = 0} reads one
 * datagram per call into a 64 KiB buffer (any size echoed whole, no batching).
 */
public final class NettyUdp {

    /** Receive buffer of a read when not batching: holds the largest UDP payload. */
    static final int UNBATCHED_BUFFER = 64 * 1024;

    private NettyUdp() {}

    /** A started UDP echo server: {@link #close()} closes its channels and shuts its event loops down. */
    public record Server(List<Channel> channels, EventLoopGroup group, NettyTransport transport, String allocator,
            int datagramSize, int batch) implements AutoCloseable {

        /** {@return the port every channel is bound to} */
        public int port() {
            return ((InetSocketAddress) channels.getFirst().localAddress()).getPort();
        }

        @Override
        public void close() {
            for (Channel ch : channels) {
                ch.close().syncUninterruptibly();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }

        /** One JSON line describing the server configuration (logged at start-up). */
        public String describe() {
            return "{\"server\":\"netty-udp-echo\",\"transport\":\"" + transport.name().toLowerCase(Locale.ROOT)
                    + "\",\"port\":" + port() + ",\"netty\":\"" + NettyTransport.nettyVersion()
                    + "\",\"allocator\":\"" + allocator + "\",\"hasUnsafe\":" + PlatformDependent.hasUnsafe()
                    + ",\"channels\":" + channels.size() + ",\"reusePort\":true"
                    + ",\"datagramSize\":" + datagramSize + ",\"batch\":" + batch + "}";
        }
    }

    /**
     * Binds {@code threads} echo channels, one per event loop, on {@code 0.0.0.0:port} (0: a free port,
     * then the same for all).
     *
     * @param datagramSize largest datagram of a batched read, 1..65507, or 0 for unbatched reads
     * @param batch        datagrams per read when batching, 1..1024
     * @throws IllegalArgumentException for the nio transport (no {@code SO_REUSEPORT} channel option), or a
     *                                  size or batch out of range (the message names the value)
     * @throws IllegalStateException    if the transport is unavailable
     */
    public static Server start(NettyTransport transport, int port, int threads, String allocatorName, int datagramSize,
            int batch) throws InterruptedException {
        if (transport == NettyTransport.NIO) {
            throw new IllegalArgumentException("netty-udp-echo needs SO_REUSEPORT: transport epoll or io_uring, was nio");
        }
        if (datagramSize < 0 || datagramSize > 65_507) {
            throw new IllegalArgumentException("datagram size must be in [0, 65507], was " + datagramSize);
        }
        if (batch < 1 || batch > 1024) {
            throw new IllegalArgumentException("batch must be in [1, 1024], was " + batch);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        if (!transport.isAvailable()) {
            throw new IllegalStateException(transport + " transport unavailable", transport.unavailabilityCause());
        }
        ByteBufAllocator alloc = NettyTransport.allocator(allocatorName);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, transport.ioHandlerFactory());
        List<Channel> channels = new ArrayList<>();
        try {
            Bootstrap b = new Bootstrap()
                    .group(group)
                    .channel(transport == NettyTransport.EPOLL ? EpollDatagramChannel.class : IoUringDatagramChannel.class)
                    .option(transport == NettyTransport.EPOLL ? EpollChannelOption.SO_REUSEPORT
                            : IoUringChannelOption.SO_REUSEPORT, true)
                    .option(ChannelOption.ALLOCATOR, alloc)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(
                            datagramSize == 0 ? UNBATCHED_BUFFER : datagramSize * batch))
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 1024 * 1024))
                    .handler(DatagramEchoHandler.INSTANCE);
            if (datagramSize > 0) {
                b.option(transport == NettyTransport.EPOLL ? EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE
                        : IoUringChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, datagramSize);
            }
            int bound = port;
            for (int i = 0; i < threads; i++) { // each bind registers the channel with the group's next event loop
                Channel ch = b.bind(bound).sync().channel();
                channels.add(ch);
                bound = ((InetSocketAddress) ch.localAddress()).getPort();
            }
            return new Server(List.copyOf(channels), group, transport, allocatorName, datagramSize, batch);
        } catch (Throwable t) {
            for (Channel ch : channels) {
                ch.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw t;
        }
    }
}
