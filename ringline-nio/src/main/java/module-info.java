/** The portable java.nio Selector backend of ringline. */
module io.ringline.nio {
    requires io.ringline;
    requires org.slf4j;

    provides io.ringline.spi.BackendProvider with io.ringline.nio.NioBackendProvider;
}
