package io.ringline.bench.netty;

import io.ringline.bench.resp.RespCommands;
import io.ringline.bench.resp.RespParser;
import io.ringline.bench.resp.Store;

/** Starts the Netty peer servers: echo, http (plaintext), resp. */
public final class NettyServers {
    private NettyServers() {}

    public static NettyTransport.Server start(String kind, NettyTransport transport, int port, int threads,
            String allocator, int maxBulk) throws InterruptedException {
        return switch (kind) {
            case "echo" -> transport.start(port, threads, allocator, ch -> ch.pipeline().addLast(EchoHandler.INSTANCE));
            case "http" -> {
                NettyTransport.Server s = transport.start(port, threads, allocator,
                        ch -> ch.pipeline().addLast(HttpPlaintextHandler.newCodec(), new HttpPlaintextHandler()));
                HttpPlaintextHandler.startDateTicker(s.group());
                yield s;
            }
            case "resp" -> {
                RespCommands commands = new RespCommands(new Store());
                yield transport.start(port, threads, allocator, ch -> ch.pipeline().addLast(
                        new RespHandler(commands, new RespParser(maxBulk, RespParser.DEFAULT_MAX_ARRAY,
                                RespParser.DEFAULT_MAX_INLINE))));
            }
            default -> throw new IllegalArgumentException("unknown server kind: " + kind);
        };
    }
}
