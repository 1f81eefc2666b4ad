/**
 * The example servers (echo, resp, http). The backends are found by service binding: put
 * {@code io.ringline.nio} and/or {@code io.ringline.iouring} on the module path.
 */
module io.ringline.examples {
    requires io.ringline;
    requires org.slf4j;
}
