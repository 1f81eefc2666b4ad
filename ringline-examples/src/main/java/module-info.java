/**
 * The example servers (echo, resp, http). The backends are found by service binding: put
 * {@code io.ringline.nio} and/or {@code io.ringline.iouring} on the module path.
 *
 * <p>TLS with {@code --tls-provider openssl} uses Netty's SslContext ({@code io.netty.handler},
 * with {@code io.netty.buffer} for its allocator) and the BoringSSL classes and native library of
 * netty-tcnative, which {@code io.netty.handler} only {@code requires static}: on the module path
 * add {@code --add-modules io.netty.tcnative.classes.openssl,io.netty.internal.tcnative.openssl.linux.x86_64},
 * else the provider falls back to the JDK's and says why.
 */
module io.ringline.examples {
    requires io.ringline;
    requires org.slf4j;
    requires io.netty.handler;
    requires io.netty.buffer;
}
