package io.ringline.uring;

/**
 * Per-feature switches, read once from system properties. Setting one to {@code false} turns the
 * feature off, for diagnosis:
 * <ul>
 *   <li>{@value #FIXED_BUFFERS}: registered regions go into the kernel's fixed-buffer table of
 *       every ring (else region sends are plain sends from the region's memory);</li>
 *   <li>{@value #SEND_ZC}: region sends of at least {@value #ZC_THRESHOLD} bytes (default 4096)
 *       go out as {@code SEND_ZC} from the fixed buffer;</li>
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
    static final int zcThreshold = Integer.getInteger(ZC_THRESHOLD, 4096);

    private Features() {
    }

    private static boolean flag(String name) {
        return !"false".equalsIgnoreCase(System.getProperty(name, "true").trim());
    }
}
