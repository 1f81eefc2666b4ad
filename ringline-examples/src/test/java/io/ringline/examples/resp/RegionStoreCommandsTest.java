package io.ringline.examples.resp;

import java.util.concurrent.atomic.AtomicLong;

/** {@link RespCommandsTest} on ringline's arena store (tiny threshold: values go through the region path when it can). */
class RegionStoreCommandsTest extends RespCommandsTest {
    @Override
    Store store(AtomicLong clock) {
        return new RegionStore(64 * 1024, 16, clock::get);
    }
}
