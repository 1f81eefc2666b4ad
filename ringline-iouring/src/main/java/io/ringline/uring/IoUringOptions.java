package io.ringline.uring;

import io.ringline.spi.BackendOption;

import java.util.List;

/**
 * The per-runtime knobs of the io_uring backend. Set one with
 * {@code Config.builder().option(IoUringOptions.SEND_ZC.name(), false)}; the system property
 * {@code ringline.<name>} (for example {@code -Dringline.io_uring.sendZc=false}) only changes the
 * default, read once when this class is loaded.
 *
 * <p>The feature flags ask for a feature; the runtime gets it only if the kernel and Netty have it
 * too (see {@link UringFeatures}): a flag set to {@code true} on a kernel without the feature falls
 * back, with the reason logged, instead of failing the start.
 *
 * <p>Immutable and thread-safe (constants only).
 */
public final class IoUringOptions {

    /** Largest ring the kernel accepts ({@code IORING_MAX_ENTRIES}). */
    static final int MAX_RING_ENTRIES = 32768;

    /**
     * Receives use multishot {@code RECV} with a provided buffer ring per worker (default
     * {@code true}); {@code false}: one single-shot {@code RECV} into a per-connection buffer at a time.
     */
    public static final BackendOption<Boolean> BUFFER_RING = BackendOption.flag("io_uring.bufferRing", true,
            "receive with multishot RECV from a provided buffer ring per worker (else single-shot into per-connection buffers)");

    /**
     * Receive buffers of a worker's buffer ring that may be held back at a time for send queue
     * entries borrowing their bytes ({@code Connection.sendReceived}); beyond it the bytes are
     * copied, so lent buffers never starve the receives. Default -1: half the receive buffers;
     * otherwise in [0, {@code Config.recvBufferCount()} - 1] (0: never lend).
     */
    public static final BackendOption<Integer> LEND_BUDGET = BackendOption.intRange("io_uring.lendBudget", -1, -1,
            MAX_RING_ENTRIES - 1, "receive buffers a worker may hold back for sendReceived at a time (-1: half of them), "
                    + "below Config.recvBufferCount");

    /**
     * Registered regions go into the kernel's fixed-buffer table of every ring (default
     * {@code true}); {@code false}: region sends are plain sends from the region's memory.
     */
    public static final BackendOption<Boolean> FIXED_BUFFERS = BackendOption.flag("io_uring.fixedBuffers", true,
            "install registered regions as fixed buffers in every ring (cloned from a donor ring)");

    /**
     * Region sends of at least {@link #SEND_ZC_THRESHOLD} bytes go out as {@code SEND_ZC} from the
     * fixed buffer (default {@code true}; needs {@link #FIXED_BUFFERS}); smaller ones are gathered
     * into plain sends.
     */
    public static final BackendOption<Boolean> SEND_ZC = BackendOption.flag("io_uring.sendZc", true,
            "send region entries of at least io_uring.sendZcThreshold bytes with SEND_ZC from the fixed buffer");

    /**
     * The smallest region send, in bytes, that goes out as {@code SEND_ZC} (default 64 KiB, range
     * [0, 1 GiB]). Measured on loopback (Linux 6.18, 2 cores), where the kernel copies zero-copy
     * sends anyway: per byte, SEND_ZC cost 2.8x the CPU of a plain gathered send at 1 KiB, 1.6x at
     * 4 KiB, 1.4x at 16 KiB and 1.2-1.4x from 64 KiB on; on a real NIC the copy it saves grows
     * with the size, hence the 64 KiB default.
     */
    public static final BackendOption<Integer> SEND_ZC_THRESHOLD = BackendOption.intRange("io_uring.sendZcThreshold",
            64 * 1024, 0, 1 << 30, "smallest region send in bytes that goes out as SEND_ZC");

    /** Submission queue entries of each worker's ring (default 256; a power of two in [8, 32768]). */
    public static final BackendOption<Integer> RING_SIZE = BackendOption.intRange("io_uring.ringSize", 256, 8,
            MAX_RING_ENTRIES, "submission queue entries of each worker's ring, a power of two");

    /** Queue entries gathered into one {@code SENDMSG} (default 64, range [1, 1024], 1024 being {@code IOV_MAX}). */
    public static final BackendOption<Integer> MAX_IOV = BackendOption.intRange("io_uring.maxIov", 64, 1, 1024,
            "send-queue entries gathered into one SENDMSG");

    /** Submission queue entries of each listener's acceptor ring (default 16; a power of two in [8, 32768]). */
    public static final BackendOption<Integer> ACCEPTOR_RING_SIZE = BackendOption.intRange("io_uring.acceptorRingSize",
            16, 8, MAX_RING_ENTRIES, "submission queue entries of each listener's acceptor ring, a power of two");

    /** Milliseconds an acceptor waits before re-arming an accept the kernel ended (default 100, range [1, 60000]). */
    public static final BackendOption<Integer> ACCEPT_RETRY_MILLIS = BackendOption.intRange("io_uring.acceptRetryMillis",
            100, 1, 60_000, "milliseconds before a listener re-arms an accept that the kernel ended");

    /**
     * Milliseconds a closing worker waits for the kernel to return its connections' operations
     * before it tears the ring down and leaves their memory to the process (default 5000, range [0, 600000]).
     */
    public static final BackendOption<Integer> CLOSE_DRAIN_MILLIS = BackendOption.intRange("io_uring.closeDrainMillis",
            5000, 0, 600_000, "milliseconds a closing worker waits for in-flight operations to complete");

    /** Largest {@link #UDP_BUFFER_COUNT}: 8192 GRO-sized buffers are about 512 MiB per socket. */
    static final int MAX_UDP_BUFFERS = 8192;

    /**
     * Receive buffers in the provided buffer ring of each UDP socket (default 64; a power of two in
     * [1, 8192]). Each holds one datagram, or with {@link #UDP_GRO} one coalesced batch (64 KiB).
     * When all are in use the kernel keeps further datagrams in the socket's receive queue, and
     * drops them (counted in {@code WorkerStats.datagramsDropped}) once that is full.
     */
    public static final BackendOption<Integer> UDP_BUFFER_COUNT = BackendOption.intRange("io_uring.udpBufferCount", 64, 1,
            MAX_UDP_BUFFERS, "receive buffers of each UDP socket's provided buffer ring, a power of two");

    /**
     * Segmented UDP sends ({@code UDP_SEGMENT}, one send of up to 64 datagrams) when the kernel has
     * them (default {@code true}); {@code false}: the core queues single datagrams only.
     */
    public static final BackendOption<Boolean> UDP_GSO = BackendOption.flag("io_uring.udpGso", true,
            "send batches of equal-sized datagrams as one UDP_SEGMENT send when the kernel supports it");

    /**
     * Coalesced UDP receives ({@code UDP_GRO}; default {@code true}): the kernel may hand several
     * datagrams from one sender in one buffer, which the driver splits. Each receive buffer then
     * has a 64 KiB payload area whatever {@code Config.maxDatagramSize()} (longer datagrams are still
     * reported truncated to it); {@code false}: buffers of {@code maxDatagramSize}, one datagram each.
     */
    public static final BackendOption<Boolean> UDP_GRO = BackendOption.flag("io_uring.udpGro", true,
            "let the kernel coalesce received UDP datagrams (UDP_GRO) into 64 KiB receive buffers, split by the driver");

    private static final List<BackendOption<?>> ALL = List.of(BUFFER_RING, LEND_BUDGET, FIXED_BUFFERS, SEND_ZC, SEND_ZC_THRESHOLD,
            RING_SIZE, MAX_IOV, ACCEPTOR_RING_SIZE, ACCEPT_RETRY_MILLIS, CLOSE_DRAIN_MILLIS, UDP_BUFFER_COUNT, UDP_GSO, UDP_GRO);

    private IoUringOptions() {
    }

    /** {@return every option of the io_uring backend, in declaration order} */
    public static List<BackendOption<?>> all() {
        return ALL;
    }
}
