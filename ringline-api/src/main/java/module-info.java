/**
 * ringline: the public API ({@code io.ringline}), the backend SPI ({@code io.ringline.spi}) and the
 * shared core, which only the backend modules built with it may read.
 */
module io.ringline {
    requires org.slf4j;

    exports io.ringline;
    exports io.ringline.spi;
    exports io.ringline.internal to io.ringline.nio, io.ringline.iouring;

    uses io.ringline.spi.BackendProvider;
}
