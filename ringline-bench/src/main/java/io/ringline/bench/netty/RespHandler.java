package io.ringline.bench.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.ringline.examples.resp.Resp;
import io.ringline.examples.resp.RespArgs;
import io.ringline.examples.resp.RespCommands;
import io.ringline.examples.resp.RespOutput;
import io.ringline.examples.resp.RespParser;
import io.ringline.examples.resp.RespProtocolException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Thin Netty adapter around {@link RespParser} and {@link RespCommands}: the cumulation of
 * {@link ByteToMessageDecoder} is parsed in place (through an NIO view), replies of a read batch
 * are gathered in one buffer written and flushed on channelReadComplete. A protocol error is
 * answered with an error reply, then the connection is closed.
 */
public final class RespHandler extends ByteToMessageDecoder {

    private final RespCommands commands;
    private final RespParser parser;
    private ByteBuf pending;
    private boolean closing;

    private final RespOutput output = new RespOutput() {
        @Override
        public void writeByte(int b) {
            pending.writeByte(b);
        }

        @Override
        public void writeBytes(byte[] bytes, int offset, int length) {
            pending.writeBytes(bytes, offset, length);
        }
    };

    public RespHandler(RespCommands commands, RespParser parser) {
        this.commands = commands;
        this.parser = parser;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (closing) {
            in.skipBytes(in.readableBytes());
            return;
        }
        ByteBuffer view = in.nioBuffer(in.readerIndex(), in.readableBytes());
        int start = view.position();
        try {
            while (true) {
                RespArgs args = parser.next(view);
                if (args == null) {
                    break;
                }
                if (args.count() == 0) {
                    continue;
                }
                if (pending == null) {
                    pending = ctx.alloc().ioBuffer(256);
                }
                if (commands.execute(args, output) == RespCommands.After.CLOSE) {
                    closeAfterReply(ctx);
                    break;
                }
            }
        } catch (RespProtocolException e) {
            if (pending == null) {
                pending = ctx.alloc().ioBuffer(256);
            }
            Resp.error(output, e.getMessage());
            closeAfterReply(ctx);
        }
        in.skipBytes(closing ? in.readableBytes() : view.position() - start);
    }

    private void closeAfterReply(ChannelHandlerContext ctx) {
        closing = true;
        ByteBuf buf = pending;
        pending = null;
        ctx.writeAndFlush(buf).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        ByteBuf buf = pending;
        if (buf != null) {
            pending = null;
            ctx.writeAndFlush(buf, ctx.voidPromise());
            Backpressure.afterFlush(ctx);
        }
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        Backpressure.writabilityChanged(ctx);
        super.channelWritabilityChanged(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
