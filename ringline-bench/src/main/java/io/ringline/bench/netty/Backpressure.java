package io.ringline.bench.netty;

import io.netty.channel.ChannelHandlerContext;

/** Stop reading while the outbound buffer is above its high-water mark; resume when it drains. */
final class Backpressure {
    private Backpressure() {}

    static void afterFlush(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    static void writabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
    }
}
