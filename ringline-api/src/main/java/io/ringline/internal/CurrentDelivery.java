package io.ringline.internal;

import io.ringline.spi.ReceivedMemory;

import java.nio.ByteBuffer;

/**
 * What a {@code Handler.onData} call of this worker is being shown right now: the buffer, and the
 * backend memory behind it when the backend can lend it ({@link ReceivedMemory}). A
 * {@code sendReceived} on any connection of the worker asks here whether its argument can be sent
 * from lent memory instead of being copied. One per worker; worker thread only.
 */
final class CurrentDelivery {

    private ByteBuffer view;
    private ReceivedMemory memory;

    /** An {@code onData} call is about to be shown {@code view}; {@code memory} is null when it cannot be lent. */
    void begin(ByteBuffer view, ReceivedMemory memory) {
        this.view = view;
        this.memory = memory;
    }

    /** The {@code onData} call returned (or threw). */
    void end() {
        view = null;
        memory = null;
    }

    /**
     * {@return the memory behind {@code data} if {@code data} is the very buffer being shown and that
     * memory can be lent, else null (the caller copies)}
     */
    ReceivedMemory lendable(ByteBuffer data) {
        return data == view ? memory : null;
    }
}
