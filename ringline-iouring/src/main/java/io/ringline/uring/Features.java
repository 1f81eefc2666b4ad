package io.ringline.uring;

/**
 * Per-feature switches, read once from system properties. Setting one to {@code false} turns the
 * feature off, for diagnosis:
 * <ul>
 *   <li>{@value #FIXED_BUFFERS}: registered regions go into the kernel's fixed-buffer table of
 *       every ring (else region sends are plain sends from the region's memory);</li>
 *   <li>{@value #SEND_ZC}: region sends of at least {@value #ZC_THRESHOLD} bytes (default 64 KiB)
 *       go out as {@code SEND_ZC} from the fixed buffer; smaller ones are gathered into plain
 *       sends from the region's memory. Measured on loopback (Linux 6.18, 2 cores), where the kernel
 *       copies zero-copy sends anyway: per byte, SEND_ZC cost 2.8x the CPU of a plain gathered
 *       send at 1 KiB, 1.6x at 4 KiB, 1.4x at 16 KiB and 1.2-1.4x from 64 KiB on; on a real NIC
 *       the copy it saves grows with the size, hence the 64 KiB default;</li>
 *   <li>{@value #BUFFER_RING}: receives use multishot {@code RECV} with a provided buffer ring per
 *       worker (else one single-shot {@code RECV} into a per-connection buffer at a time).</li>
 * </ul>
 */
final class Features {
    static final String FIXED_BUFFERS = "ringline.iouring.fixedBuffers";
    static final String SEND_ZC = "ringline.iouring.sendZc";
    static final String BUFFER_RING = "ringline.iouring.bufferRing";
    static final String ZC_THRESHOLD = "ringline.iouring.sendZcThreshold";

    static final boolean fixedBuffers = flag(FIXED_BUFFERS);
    static final boolean sendZc = flag(SEND_ZC);
    static final boolean bufferRing = flag(BUFFER_RING);
    static final int zcThreshold = Integer.getInteger(ZC_THRESHOLD, 64 * 1024);

    private Features() {
    }

    private static boolean flag(String name) {
        return !"false".equalsIgnoreCase(System.getProperty(name, "true").trim());
    }
}
