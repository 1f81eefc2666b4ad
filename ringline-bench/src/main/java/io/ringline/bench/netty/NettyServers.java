package io.ringline.bench.netty;

import io.ringline.examples.resp.RespCommands;
import io.ringline.examples.resp.RespParser;
import io.ringline.examples.resp.HeapStore;

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
                RespCommands commands = new RespCommands(new HeapStore());
                yield transport.start(port, threads, allocator, ch -> ch.pipeline().addLast(
                        new RespHandler(commands, new RespParser(maxBulk, RespParser.DEFAULT_MAX_ARRAY,
                                RespParser.DEFAULT_MAX_INLINE))));
            }
            default -> throw new IllegalArgumentException("unknown server kind: " + kind);
        };
    }
}
