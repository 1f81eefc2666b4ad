package io.ringline.spi;

/** Something a backend can do beyond the contract every backend fulfils (see {@link BackendProvider#capabilities()}). */
public enum Capability {

    /**
     * Listeners and connects use operating-system sockets: peers outside this runtime (a
     * {@link java.net.Socket}, another process) can connect, and TCP behaviour (resets, kernel
     * buffers, descriptors) is the kernel's. An in-memory backend does not have it.
     */
    OS_SOCKETS,

    /**
     * Registered regions are installed in a kernel table and region sends go out without a
     * user-space copy (io_uring fixed buffers). Every backend supports regions; this says only how.
     */
    KERNEL_REGISTERED_REGIONS,

    /**
     * UDP sockets ({@link io.ringline.Config#udpBindings()}, {@link io.ringline.WorkerContext#openUdp}):
     * the backend implements {@link WorkerIo#openUdp}. Without it a runtime with UDP bindings
     * fails to start, naming the backend.
     */
    UDP
}
