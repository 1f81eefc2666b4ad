/**
 * ringline-testkit: an in-memory, deterministic backend for unit tests of handlers, written
 * against {@code io.ringline.spi} alone. Export: {@code io.ringline.testkit} ({@code Testkit},
 * {@code TestPeer}, {@code TestkitOptions}).
 */
module io.ringline.testkit {
    requires io.ringline;
    requires org.slf4j;

    exports io.ringline.testkit;

    provides io.ringline.spi.BackendProvider with io.ringline.testkit.TestkitBackendProvider;
}
