package io.ringline;

/** How a UDP binding ({@link Config.Builder#bindUdp(java.net.InetSocketAddress, UdpMode)}) is spread over the workers. */
public enum UdpMode {

    /**
     * Every worker binds its own socket to the address with {@code SO_REUSEPORT}; the kernel spreads
     * datagrams over them by a hash of the sender's address and port, so one sender always reaches
     * the same worker. The default. (On a system without {@code SO_REUSEPORT}, starting fails.)
     */
    PER_WORKER,

    /** One socket, served by worker 0 alone: for a single socket's ordering, or few senders. */
    SHARED
}
