/**
 * ringline: the public API ({@code io.ringline}), the backend SPI ({@code io.ringline.spi}) and the
 * shared core ({@code io.ringline.internal}).
 *
 * <p>The core is exported to no module: a backend is written against {@code io.ringline.spi}
 * alone (the nio, io_uring and testkit backends import nothing else), so no qualified export is
 * needed and none is given; a module that tries to reach the core fails to compile.
 *
 * <p>{@code io.ringline.jfr} holds the Flight Recorder events the core emits (see its package
 * documentation and {@code io/ringline/jfr/ringline.jfc}).
 */
module io.ringline {
    requires org.slf4j;
    requires jdk.jfr;

    exports io.ringline;
    exports io.ringline.spi;
    exports io.ringline.jfr;

    uses io.ringline.spi.BackendProvider;
    uses io.ringline.spi.RuntimeFactory;

    provides io.ringline.spi.RuntimeFactory with io.ringline.internal.CoreRuntimeFactory;
}
