package io.ringline.bench.netty;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;

/**
 * UDP echo: writes every received {@link DatagramPacket} back to its sender, flushes once per read
 * batch ({@code channelReadComplete}, so epoll sends the batch with one {@code sendmmsg} and io_uring
 * submits its SENDMSGs together). The reply takes over the received buffer (no copy, no
 * retain/release pair). While the channel is not writable (outbound bytes above the high-water mark)
 * a datagram is dropped instead, as ringline's udp-echo drops an echo its full send queue refuses:
 * UDP has no flow control to slow the sender down. Errors (a refused send) are ignored: one bad
 * datagram must not close the socket. Stateless, so shared.
 */
@ChannelHandler.Sharable
public final class DatagramEchoHandler extends ChannelInboundHandlerAdapter {
    public static final DatagramEchoHandler INSTANCE = new DatagramEchoHandler();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DatagramPacket packet = (DatagramPacket) msg;
        if (!ctx.channel().isWritable()) {
            packet.release();
            return;
        }
        ctx.write(new DatagramPacket(packet.content(), packet.sender()), ctx.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a send the kernel refused, or a receive error: the socket stays open
    }
}
