package io.ringline.bench.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.CharsetUtil;
import io.netty.util.ReferenceCountUtil;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;

/**
 * TechEmpower "plaintext" in the shape of TechEmpower's own Netty entry: Netty's
 * {@link HttpServerCodec} (header validation off), one pre-built response body, headers from
 * constants, the Date header cached and refreshed once per second, writes flushed once per read
 * batch (channelReadComplete) so pipelined requests share one flush. {@code GET /plaintext}
 * answers 200 {@code Hello, World!}; any other path answers 404 with an empty body.
 */
public final class HttpPlaintextHandler extends ChannelInboundHandlerAdapter {

    private static final ByteBuf BODY = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer().writeBytes("Hello, World!".getBytes(CharsetUtil.US_ASCII))).asReadOnly();
    private static final CharSequence BODY_LENGTH = AsciiString.cached(String.valueOf(BODY.readableBytes()));
    private static final CharSequence ZERO = AsciiString.cached("0");
    private static final CharSequence TEXT_PLAIN = AsciiString.cached("text/plain");
    private static final CharSequence SERVER_NAME = AsciiString.cached("Netty");
    private static final DateTimeFormatter RFC_1123 = DateTimeFormatter.RFC_1123_DATE_TIME;

    private static volatile CharSequence date = formatDate();

    private static CharSequence formatDate() {
        return new AsciiString(RFC_1123.format(ZonedDateTime.now(ZoneOffset.UTC)));
    }

    /** Starts the once-per-second Date refresh on one loop of the group. */
    public static void startDateTicker(EventLoopGroup group) {
        group.next().scheduleAtFixedRate(() -> date = formatDate(), 1000, 1000, TimeUnit.MILLISECONDS);
    }

    public static HttpServerCodec newCodec() {
        return new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(4096)
                .setMaxHeaderSize(8192)
                .setMaxChunkSize(8192)
                .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValidation(false)));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest req) {
                boolean keepAlive = HttpUtil.isKeepAlive(req);
                FullHttpResponse res;
                if ("/plaintext".equals(req.uri())) {
                    res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, BODY.duplicate(),
                            DefaultHttpHeadersFactory.headersFactory().withValidation(false),
                            DefaultHttpHeadersFactory.trailersFactory().withValidation(false));
                    HttpHeaders h = res.headers();
                    h.set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN);
                    h.set(HttpHeaderNames.SERVER, SERVER_NAME);
                    h.set(HttpHeaderNames.DATE, date);
                    h.set(HttpHeaderNames.CONTENT_LENGTH, BODY_LENGTH);
                } else {
                    res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                            Unpooled.EMPTY_BUFFER,
                            DefaultHttpHeadersFactory.headersFactory().withValidation(false),
                            DefaultHttpHeadersFactory.trailersFactory().withValidation(false));
                    HttpHeaders h = res.headers();
                    h.set(HttpHeaderNames.SERVER, SERVER_NAME);
                    h.set(HttpHeaderNames.DATE, date);
                    h.set(HttpHeaderNames.CONTENT_LENGTH, ZERO);
                }
                if (keepAlive) {
                    ctx.write(res, ctx.voidPromise());
                } else {
                    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        Backpressure.afterFlush(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Backpressure.writabilityChanged(ctx);
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
