package io.ringline.uring;

import io.ringline.spi.BackendOption;
import io.ringline.spi.BackendOptions;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The io_uring feature set and sizes of one runtime: what its {@link IoUringOptions} ask for,
 * limited to what the kernel and Netty offer ({@link UringProbe.Support}). Computed once per
 * runtime when the backend opens, then handed to the backend, its workers and listeners.
 *
 * @param bufferRing       receives use multishot RECV from a provided buffer ring per worker
 * @param lendBudget       receive buffers a worker may hold back for sendReceived, -1 for half of them
 * @param fixedBuffers     regions are installed in every ring's fixed-buffer table
 * @param sendZc           region sends of at least {@code sendZcThreshold} bytes go out as SEND_ZC
 * @param sendZcThreshold  smallest zero-copy send in bytes
 * @param ringSize         submission queue entries of each worker ring
 * @param maxIov           queue entries gathered into one SENDMSG
 * @param acceptorRingSize submission queue entries of each acceptor ring
 * @param acceptRetryNanos wait before a listener re-arms an accept the kernel ended
 * @param closeDrainNanos  how long a closing worker waits for in-flight operations
 * @param udpBufferCount   receive buffers of each UDP socket's provided buffer ring (a power of two)
 * @param udpGso           segmented UDP sends asked for (used when the kernel accepts {@code UDP_SEGMENT})
 * @param udpGro           coalesced UDP receives ({@code UDP_GRO})
 * @param off              why each feature that is off is off, by feature name
 */
record UringFeatures(boolean bufferRing, int lendBudget, boolean fixedBuffers, boolean sendZc, int sendZcThreshold, int ringSize,
                     int maxIov, int acceptorRingSize, long acceptRetryNanos, long closeDrainNanos, int udpBufferCount,
                     boolean udpGso, boolean udpGro, Map<String, String> off) {

    UringFeatures {
        off = Map.copyOf(off);
    }

    /**
     * Resolves {@code options} against what the kernel offers.
     *
     * @throws IllegalArgumentException if a ring size is not a power of two (naming the option and the value)
     */
    static UringFeatures resolve(UringProbe.Support kernel, BackendOptions options) {
        Map<String, String> off = new LinkedHashMap<>();
        boolean bufferRing = feature(off, "buffer ring", options, IoUringOptions.BUFFER_RING, kernel.noBufferRing());
        boolean fixed = feature(off, "fixed buffers", options, IoUringOptions.FIXED_BUFFERS, kernel.noCloneBuffers());
        boolean zc = feature(off, "SEND_ZC", options, IoUringOptions.SEND_ZC, kernel.noSendZc());
        if (zc && !fixed) {
            zc = false;
            off.put("SEND_ZC", "it sends from fixed buffers, which are off");
        }
        return new UringFeatures(bufferRing, options.get(IoUringOptions.LEND_BUDGET), fixed, zc, options.get(IoUringOptions.SEND_ZC_THRESHOLD),
                powerOfTwo(options, IoUringOptions.RING_SIZE), options.get(IoUringOptions.MAX_IOV),
                powerOfTwo(options, IoUringOptions.ACCEPTOR_RING_SIZE),
                TimeUnit.MILLISECONDS.toNanos(options.get(IoUringOptions.ACCEPT_RETRY_MILLIS)),
                TimeUnit.MILLISECONDS.toNanos(options.get(IoUringOptions.CLOSE_DRAIN_MILLIS)),
                powerOfTwo(options, IoUringOptions.UDP_BUFFER_COUNT), options.get(IoUringOptions.UDP_GSO),
                options.get(IoUringOptions.UDP_GRO), off);
    }

    private static boolean feature(Map<String, String> off, String name, BackendOptions options,
                                   BackendOption<Boolean> option, String kernelReason) {
        if (!options.get(option)) {
            off.put(name, option.name() + "=false");
            return false;
        }
        if (kernelReason != null) {
            off.put(name, kernelReason);
            return false;
        }
        return true;
    }

    private static int powerOfTwo(BackendOptions options, BackendOption<Integer> option) {
        int v = options.get(option);
        if (Integer.bitCount(v) != 1) {
            throw new IllegalArgumentException("invalid value '" + v + "' for backend option " + option.name()
                    + ": must be a power of two, " + option.allowed() + " (" + option.description() + ")");
        }
        return v;
    }

    /** {@return e.g. "buffer ring on; fixed buffers off (io_uring.fixedBuffers=false); SEND_ZC off (...); ring size 256"} */
    String describe() {
        return state("buffer ring", bufferRing) + "; " + state("fixed buffers", fixedBuffers) + "; "
                + state("SEND_ZC", sendZc) + (sendZc ? " (from " + sendZcThreshold + " bytes)" : "")
                + "; ring size " + ringSize + "; max iov " + maxIov
                + "; UDP " + udpBufferCount + " buffers, GSO " + (udpGso ? "asked" : "off") + ", GRO " + (udpGro ? "on" : "off");
    }

    /**
     * {@return the features in use, for the runtime's startup line, e.g. "buffer ring 256 x 16384 B
     * (multishot RECV); fixed buffers on (64 region slots); SEND_ZC from 16384 B; multishot ACCEPT;
     * ring 256 entries, 64 iov; UDP 64 buffers, GSO on, GRO on"}
     *
     * @param recvBufferCount buffers of each worker's buffer ring ({@code Config.recvBufferCount})
     * @param recvBufferSize  bytes of each of them ({@code Config.recvBufferSize})
     * @param maxRegions      fixed-buffer slots of each ring ({@code Config.maxRegions})
     * @param gsoUnsupported  why the kernel refuses {@code UDP_SEGMENT}, or null if it takes it
     */
    String describeInUse(int recvBufferCount, int recvBufferSize, int maxRegions, String gsoUnsupported) {
        String recv = bufferRing ? "buffer ring " + recvBufferCount + " x " + recvBufferSize + " B (multishot RECV)"
                : state("buffer ring", false) + ", single-shot RECV";
        String fixed = fixedBuffers ? "fixed buffers on (" + maxRegions + " region slots)" : state("fixed buffers", false);
        String zc = sendZc ? "SEND_ZC from " + sendZcThreshold + " B" : state("SEND_ZC", false);
        String gso = !udpGso ? "GSO off (" + IoUringOptions.UDP_GSO.name() + "=false)"
                : gsoUnsupported != null ? "GSO off (" + gsoUnsupported + ")" : "GSO on";
        String gro = udpGro ? "GRO on" : "GRO off (" + IoUringOptions.UDP_GRO.name() + "=false)";
        return recv + "; " + fixed + "; " + zc + "; multishot ACCEPT; ring " + ringSize + " entries, " + maxIov + " iov; UDP "
                + udpBufferCount + " buffers, " + gso + ", " + gro;
    }

    private String state(String name, boolean on) {
        return name + (on ? " on" : " off (" + off.get(name) + ")");
    }
}
