package io.ringline.examples.resp;

import java.util.concurrent.atomic.AtomicLong;

/** {@link RespCommandsTest} on the Netty peer's heap store. */
class HeapStoreCommandsTest extends RespCommandsTest {
    @Override
    Store store(AtomicLong clock) {
        return new HeapStore(clock::get);
    }
}
