package io.ringline.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Writes a send's target as the {@code sockaddr} of one UDP socket's family without allocating in
 * steady state. IPv4 targets are written from {@link Inet4Address#hashCode()} (which is the
 * address), as {@code sockaddr_in} or, on an AF_INET6 socket, v4-mapped {@code sockaddr_in6}. IPv6
 * targets need {@link InetAddress#getAddress()}, which copies: their encoded form is kept in a
 * small direct-mapped cache keyed by the target's identity (the core hands the same instance for
 * repeated sends to one peer).
 *
 * <p>Worker thread only.
 */
final class UdpTargetEncoder {

    private static final int SLOTS = 32;
    private static final int SOCKADDR_IN6_SIZE = (int) KernelStructs.SOCKADDR_IN6.byteSize();

    private final boolean ipv6Socket;
    private final InetSocketAddress[] keys = new InetSocketAddress[SLOTS];
    private final MemorySegment encoded;
    /** A whole {@code sockaddr_storage} for {@link Sys#encodeSockaddr} on a cache miss. */
    private final MemorySegment scratch;

    /** @param arena where the cache's encoded addresses live (the socket's arena) */
    UdpTargetEncoder(Arena arena, boolean ipv6Socket) {
        this.ipv6Socket = ipv6Socket;
        this.encoded = arena.allocate((long) SLOTS * SOCKADDR_IN6_SIZE, 8);
        this.scratch = arena.allocate(KernelStructs.SOCKADDR_STORAGE);
    }

    /**
     * Writes {@code target} at offset {@code at} of {@code memory} (room for a {@code sockaddr_in6},
     * 8-aligned).
     *
     * @return the length written
     * @throws UnknownHostException if {@code target} is unresolved
     */
    int encode(InetSocketAddress target, MemorySegment memory, long at) throws UnknownHostException {
        InetAddress ip = target.getAddress();
        if (ip instanceof Inet4Address v4) {
            return encode4(v4.hashCode(), target.getPort(), memory, at);
        }
        if (!(ip instanceof Inet6Address)) {
            throw new UnknownHostException("unresolved address: " + target.getHostString());
        }
        int slot = System.identityHashCode(target) & (SLOTS - 1);
        long from = (long) slot * SOCKADDR_IN6_SIZE;
        if (keys[slot] != target) {
            Sys.encodeSockaddr(target, scratch);
            MemorySegment.copy(scratch, 0, encoded, from, SOCKADDR_IN6_SIZE);
            keys[slot] = target;
        }
        MemorySegment.copy(encoded, from, memory, at, SOCKADDR_IN6_SIZE);
        return SOCKADDR_IN6_SIZE;
    }

    private int encode4(int address, int port, MemorySegment memory, long base) {
        byte a = (byte) (address >>> 24);
        byte b = (byte) (address >>> 16);
        byte c = (byte) (address >>> 8);
        byte d = (byte) address;
        // Plain writes, not the sockaddr_storage var handles: those want room for a whole 128-byte
        // sockaddr_storage, more than a send slot's name area.
        memory.set(JAVA_SHORT, base + KernelStructs.SA_PORT_OFFSET, Short.reverseBytes((short) port));
        if (!ipv6Socket) {
            memory.set(JAVA_SHORT, base + KernelStructs.SA_FAMILY_OFFSET, (short) Sys.AF_INET);
            long at = base + KernelStructs.SIN_ADDR;
            memory.set(JAVA_BYTE, at, a);
            memory.set(JAVA_BYTE, at + 1, b);
            memory.set(JAVA_BYTE, at + 2, c);
            memory.set(JAVA_BYTE, at + 3, d);
            memory.set(JAVA_INT, base + 8, 0); // sin_zero
            memory.set(JAVA_INT, base + 12, 0);
            return (int) KernelStructs.SOCKADDR_IN.byteSize();
        }
        memory.set(JAVA_SHORT, base + KernelStructs.SA_FAMILY_OFFSET, (short) Sys.AF_INET6);
        memory.set(JAVA_INT, base + 4, 0); // sin6_flowinfo
        long at = base + KernelStructs.SIN6_ADDR;
        memory.set(JAVA_INT, at, 0);
        memory.set(JAVA_INT, at + 4, 0);
        memory.set(JAVA_BYTE, at + 8, (byte) 0);
        memory.set(JAVA_BYTE, at + 9, (byte) 0);
        memory.set(JAVA_BYTE, at + 10, (byte) 0xff);
        memory.set(JAVA_BYTE, at + 11, (byte) 0xff);
        memory.set(JAVA_BYTE, at + 12, a);
        memory.set(JAVA_BYTE, at + 13, b);
        memory.set(JAVA_BYTE, at + 14, c);
        memory.set(JAVA_BYTE, at + 15, d);
        memory.set(JAVA_INT, base + KernelStructs.SIN6_SCOPE_ID, 0);
        return SOCKADDR_IN6_SIZE;
    }
}
