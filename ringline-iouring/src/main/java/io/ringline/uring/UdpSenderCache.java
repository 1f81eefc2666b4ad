package io.ringline.uring;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * Turns the sender {@code sockaddr} of a received datagram into an {@link InetSocketAddress}
 * without allocating for a sender seen recently: a small direct-mapped cache keyed by the raw
 * address bytes (family, port, address, IPv6 scope). A miss decodes the address (allocating) and
 * replaces the slot's entry; two senders that collide in one slot take turns.
 *
 * <p>Worker thread only.
 */
final class UdpSenderCache {

    private static final int SLOTS = 64;

    private final long[] keyHigh = new long[SLOTS];
    private final long[] keyLow = new long[SLOTS];
    private final long[] keyMeta = new long[SLOTS];
    private final InetSocketAddress[] values = new InetSocketAddress[SLOTS];
    private long misses;
    /** A whole zeroed {@code sockaddr_storage} for {@link Sys#decodeSockaddr} on a miss. */
    private final MemorySegment scratch = MemorySegment.ofArray(new long[Sys.SOCKADDR_SIZE / 8]);

    /**
     * {@return the address in the {@code sockaddr_in}/{@code sockaddr_in6} at {@code offset} of
     * {@code memory}, or null for another family}
     */
    InetSocketAddress sender(MemorySegment memory, long offset) {
        // Plain reads, not the sockaddr_storage var handles: those want room for a whole 128-byte
        // sockaddr_storage, more than a buffer's name area.
        int family = memory.get(JAVA_SHORT_UNALIGNED, offset + KernelStructs.SA_FAMILY_OFFSET);
        int port = Short.toUnsignedInt(Short.reverseBytes(memory.get(JAVA_SHORT_UNALIGNED, offset + KernelStructs.SA_PORT_OFFSET)));
        long high;
        long low;
        long meta;
        if (family == Sys.AF_INET) {
            high = 0;
            low = Integer.toUnsignedLong(memory.get(JAVA_INT_UNALIGNED, offset + KernelStructs.SIN_ADDR));
            meta = ((long) family << 48) | ((long) port << 32);
        } else if (family == Sys.AF_INET6) {
            high = memory.get(JAVA_LONG_UNALIGNED, offset + KernelStructs.SIN6_ADDR);
            low = memory.get(JAVA_LONG_UNALIGNED, offset + KernelStructs.SIN6_ADDR + 8);
            meta = ((long) family << 48) | ((long) port << 32)
                    | Integer.toUnsignedLong(memory.get(JAVA_INT_UNALIGNED, offset + KernelStructs.SIN6_SCOPE_ID));
        } else {
            return null;
        }
        int slot = slot(high, low, meta);
        InetSocketAddress cached = values[slot];
        if (cached != null && keyHigh[slot] == high && keyLow[slot] == low && keyMeta[slot] == meta) {
            return cached;
        }
        misses++;
        MemorySegment.copy(memory, offset, scratch, 0, KernelStructs.SOCKADDR_IN6.byteSize());
        InetSocketAddress decoded = Sys.decodeSockaddr(scratch);
        keyHigh[slot] = high;
        keyLow[slot] = low;
        keyMeta[slot] = meta;
        values[slot] = decoded;
        return decoded;
    }

    /** {@return how many lookups decoded (allocated) an address (for tests)} */
    long misses() {
        return misses;
    }

    private static int slot(long high, long low, long meta) {
        long h = (high * 0x9E3779B97F4A7C15L) ^ (low * 0xC2B2AE3D27D4EB4FL) ^ (meta * 0x165667B19E3779F9L);
        return (int) (h ^ (h >>> 29)) & (SLOTS - 1);
    }
}
