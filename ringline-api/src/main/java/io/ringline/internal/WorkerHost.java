package io.ringline.internal;

import io.ringline.ShutdownHandle;

/** What a {@link Worker} needs from its runtime (implemented by {@link RuntimeImpl}). */
interface WorkerHost {

    /** A worker freed a connection or hand-off place: an accepting thread waiting for capacity may go on. Any thread. */
    void capacityFreed();

    /** {@return the runtime's pool for {@code runBlocking}} */
    BlockingPool blockingPool();

    /** {@return the name of the runtime's backend (for error messages)} */
    String backendName();

    /** {@return the runtime's shutdown and region handle} */
    ShutdownHandle shutdownHandle();

    /** The worker's thread is about to end; {@code death} is what killed it, or null after a shutdown. */
    void workerTerminated(Worker worker, Throwable death);
}
