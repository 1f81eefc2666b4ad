package io.ringline.bench.netty;

import io.netty.handler.ssl.SslContext;
import io.netty.channel.socket.SocketChannel;
import io.ringline.examples.resp.RespCommands;
import io.ringline.examples.resp.RespParser;
import io.ringline.examples.resp.HeapStore;

/** Starts the Netty peer servers: echo, http (plaintext), resp; in plaintext or over TLS. */
public final class NettyServers {
    private NettyServers() {}

    /** A plaintext server: {@link #start(String, NettyTransport, int, int, String, int, SslContext)} without TLS. */
    public static NettyTransport.Server start(String kind, NettyTransport transport, int port, int threads,
            String allocator, int maxBulk) throws InterruptedException {
        return start(kind, transport, port, threads, allocator, maxBulk, null);
    }

    /**
     * Starts a server of {@code kind} (echo, http, resp).
     *
     * @param tls when not null, every channel gets {@code tls.newHandler(ch.alloc())} first in its pipeline
     *     (see {@link NettyTls}) and serves TLS only
     * @throws IllegalArgumentException for an unknown kind
     */
    public static NettyTransport.Server start(String kind, NettyTransport transport, int port, int threads,
            String allocator, int maxBulk, SslContext tls) throws InterruptedException {
        return switch (kind) {
            case "echo" -> transport.start(port, threads, allocator, tls,
                    ch -> withTls(ch, tls).addLast(EchoHandler.INSTANCE));
            case "http" -> {
                NettyTransport.Server s = transport.start(port, threads, allocator, tls,
                        ch -> withTls(ch, tls).addLast(HttpPlaintextHandler.newCodec(), new HttpPlaintextHandler()));
                HttpPlaintextHandler.startDateTicker(s.group());
                yield s;
            }
            case "resp" -> {
                RespCommands commands = new RespCommands(new HeapStore());
                yield transport.start(port, threads, allocator, tls, ch -> withTls(ch, tls).addLast(
                        new RespHandler(commands, new RespParser(maxBulk, RespParser.DEFAULT_MAX_ARRAY,
                                RespParser.DEFAULT_MAX_INLINE))));
            }
            default -> throw new IllegalArgumentException("unknown server kind: " + kind);
        };
    }

    private static io.netty.channel.ChannelPipeline withTls(SocketChannel ch, SslContext tls) {
        if (tls != null) {
            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
        }
        return ch.pipeline();
    }
}
