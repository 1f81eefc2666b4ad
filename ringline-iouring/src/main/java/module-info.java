/**
 * The Linux io_uring backend of ringline, on Netty's native io_uring ring. On the module path it
 * needs {@code --add-opens io.netty.transport.classes.io_uring/io.netty.channel.uring=io.ringline.iouring}
 * (it reads the ring's file descriptor from Netty) and
 * {@code --enable-native-access=io.ringline,io.ringline.iouring,io.netty.common}; without the
 * {@code --add-opens}, the probe reports io_uring unavailable with that reason and auto-selection
 * falls back to NIO. It requires Netty's x86_64 native library module so that the library is
 * resolved (nothing else names that module).
 */
module io.ringline.iouring {
    requires io.ringline;
    requires org.slf4j;
    requires io.netty.common;
    requires io.netty.buffer;
    requires io.netty.transport;
    requires io.netty.transport.unix.common;
    requires io.netty.transport.classes.io_uring;
    requires io.netty.transport.io_uring.linux.x86_64;

    provides io.ringline.spi.BackendProvider with io.ringline.uring.IoUringBackendProvider;
}
