package io.ringline.uring;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few Linux system calls this backend makes itself, through {@code java.lang.foreign} (no JNI):
 * {@code io_uring_setup}/{@code io_uring_register} via {@code syscall(2)}, and the socket calls of
 * libc. Every call returns a non-negative result or {@code -errno}.
 *
 * <p>Thread-safe (stateless). Linkage happens on first use; {@link #linkError()} reports whether it worked.
 */
final class Sys {

    static final int SYS_IO_URING_SETUP = 425;
    static final int SYS_IO_URING_REGISTER = 427;

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int ENOMEM = 12;
    static final int EPIPE = 32;
    static final int ENOSYS = 38;
    static final int ECONNRESET = 104;
    static final int ENOBUFS = 105;
    static final int EAGAIN = 11;
    static final int ENOTCONN = 107;
    static final int ECANCELED = 125;
    static final int ETIME = 62;
    static final int EDESTADDRREQ = 89;
    static final int EMSGSIZE = 90;
    static final int ECONNREFUSED = 111;

    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int SO_LINGER = 13;
    static final int SO_REUSEPORT = 15;
    static final int SO_RXQ_OVFL = 40;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_V6ONLY = 26;
    static final int SOL_UDP = 17;
    static final int UDP_SEGMENT = 103;
    static final int UDP_GRO = 104;
    static final int IPPROTO_TCP = 6;
    static final int TCP_NODELAY = 1;
    static final int SHUT_RD = 0;
    static final int SHUT_WR = 1;
    static final int RLIMIT_MEMLOCK = 8;
    /** Size of {@code struct sockaddr_storage}. */
    static final int SOCKADDR_SIZE = (int) KernelStructs.SOCKADDR_STORAGE.byteSize();

    private static final Linked H = new Linked();

    private Sys() {
    }

    /** Holds the linked method handles; initialised lazily so a failed link can be reported, not thrown. */
    private static final class Linked {
        final Throwable linkError;
        final MethodHandle syscall;
        final MethodHandle socket;
        final MethodHandle bind;
        final MethodHandle listen;
        final MethodHandle getsockname;
        final MethodHandle getpeername;
        final MethodHandle setsockopt;
        final MethodHandle shutdown;
        final MethodHandle close;
        final MethodHandle getrlimit;
        final MethodHandle strerror;
        final MethodHandle connect;
        final MemoryLayout errnoLayout;
        final long errnoOffset;

        Linked() {
            Throwable error = null;
            MethodHandle[] h = new MethodHandle[12];
            MemoryLayout errLayout = null;
            long errOffset = 0;
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                Linker.Option errno = Linker.Option.captureCallState("errno");
                errLayout = Linker.Option.captureStateLayout();
                errOffset = errLayout.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
                h[0] = linker.downcallHandle(find(libc, "syscall"), FunctionDescriptor.of(JAVA_LONG,
                        JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1), errno);
                h[1] = linker.downcallHandle(find(libc, "socket"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), errno);
                h[2] = linker.downcallHandle(find(libc, "bind"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), errno);
                h[3] = linker.downcallHandle(find(libc, "listen"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errno);
                h[4] = linker.downcallHandle(find(libc, "getsockname"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), errno);
                h[5] = linker.downcallHandle(find(libc, "getpeername"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), errno);
                h[6] = linker.downcallHandle(find(libc, "setsockopt"),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), errno);
                h[7] = linker.downcallHandle(find(libc, "shutdown"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errno);
                h[8] = linker.downcallHandle(find(libc, "close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT), errno);
                h[9] = linker.downcallHandle(find(libc, "getrlimit"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), errno);
                h[10] = linker.downcallHandle(find(libc, "strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));
                h[11] = linker.downcallHandle(find(libc, "connect"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), errno);
            } catch (Throwable t) {
                error = t;
            }
            linkError = error;
            syscall = h[0];
            socket = h[1];
            bind = h[2];
            listen = h[3];
            getsockname = h[4];
            getpeername = h[5];
            setsockopt = h[6];
            shutdown = h[7];
            close = h[8];
            getrlimit = h[9];
            strerror = h[10];
            connect = h[11];
            errnoLayout = errLayout;
            errnoOffset = errOffset;
        }

        private static MemorySegment find(SymbolLookup lookup, String name) {
            return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc symbol not found: " + name));
        }
    }

    /** {@return why the native calls could not be linked (e.g. native access disabled), or null} */
    static Throwable linkError() {
        return H.linkError;
    }

    private static MethodHandle handle(MethodHandle h) {
        if (h == null) {
            throw new IllegalStateException("native calls unavailable: " + H.linkError, H.linkError);
        }
        return h;
    }

    private static int errno(MemorySegment state) {
        return state.get(JAVA_INT, H.errnoOffset);
    }

    /** {@code syscall(nr, a, b, c, d, 0)}; {@return the result or -errno} */
    static long syscall(long nr, long a, long b, long c, long d) {
        return syscall(nr, a, b, c, d, 0);
    }

    /** {@code syscall(nr, a, b, c, d, e)}; {@return the result or -errno} */
    static long syscall(long nr, long a, long b, long c, long d, long e) {
        MethodHandle h = handle(H.syscall);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(H.errnoLayout);
            long r = (long) h.invokeExact(state, nr, a, b, c, d, e);
            return r < 0 ? -errno(state) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code io_uring_register(fd, opcode, arg, nrArgs)}; {@return the result or -errno} */
    static int ioUringRegister(int ringFd, int opcode, MemorySegment arg, int nrArgs) {
        return (int) syscall(SYS_IO_URING_REGISTER, ringFd, opcode, arg.address(), nrArgs);
    }

    /** Creates a plain ring (no flags); {@return its fd or -errno} */
    static int ioUringSetup(int entries) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(KernelStructs.IO_URING_PARAMS); // zeroed
            return (int) syscall(SYS_IO_URING_SETUP, entries, params.address(), 0, 0);
        }
    }

    /** {@return a new TCP socket fd or -errno} */
    static int socket(int family) {
        MethodHandle h = handle(H.socket);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(H.errnoLayout);
            int r = (int) h.invokeExact(state, family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            return r < 0 ? -errno(state) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@return a new non-blocking UDP socket fd or -errno} */
    static int datagramSocket(int family) {
        MethodHandle h = handle(H.socket);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(H.errnoLayout);
            int r = (int) h.invokeExact(state, family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            return r < 0 ? -errno(state) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code connect(2)} of a socket to {@code address} (for a UDP socket this only sets the peer:
     * it completes at once); {@return 0 or -errno}
     *
     * @param ipv6Socket whether the socket is AF_INET6 (an IPv4 address is then written v4-mapped)
     */
    static int connect(int fd, InetSocketAddress address, boolean ipv6Socket) throws UnknownHostException {
        MethodHandle h = handle(H.connect);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(KernelStructs.SOCKADDR_STORAGE);
            int len = ipv6Socket ? encodeSockaddr6(address, sa) : encodeSockaddr(address, sa);
            MemorySegment state = arena.allocate(H.errnoLayout);
            int r = (int) h.invokeExact(state, fd, sa, len);
            return r < 0 ? -errno(state) : r;
        } catch (UnknownHostException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code bind(2)}, an IPv4 address written v4-mapped when {@code ipv6Socket}; {@return 0 or -errno} */
    static int bind(int fd, InetSocketAddress address, boolean ipv6Socket) throws UnknownHostException {
        if (!ipv6Socket) {
            return bind(fd, address);
        }
        MethodHandle h = handle(H.bind);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(KernelStructs.SOCKADDR_STORAGE);
            int len = encodeSockaddr6(address, sa);
            MemorySegment state = arena.allocate(H.errnoLayout);
            int r = (int) h.invokeExact(state, fd, sa, len);
            return r < 0 ? -errno(state) : r;
        } catch (UnknownHostException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@return 0 or -errno} */
    static int bind(int fd, InetSocketAddress address) throws UnknownHostException {
        MethodHandle h = handle(H.bind);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(KernelStructs.SOCKADDR_STORAGE);
            int len = encodeSockaddr(address, sa);
            MemorySegment state = arena.allocate(H.errnoLayout);
            int r = (int) h.invokeExact(state, fd, sa, len);
            return r < 0 ? -errno(state) : r;
        } catch (UnknownHostException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@return 0 or -errno} */
    static int listen(int fd, int backlog) {
        MethodHandle h = handle(H.listen);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(H.errnoLayout);
            int r = (int) h.invokeExact(state, fd, backlog);
            return r < 0 ? -errno(state) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@return 0 or -errno} */
    static int setIntOption(int fd, int level, int option, int value) {
        MethodHandle h = handle(H.setsockopt);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_INT, value);
            MemorySegment state = arena.allocate(H.errnoLayout);
            int r = (int) h.invokeExact(state, fd, level, option, v, 4);
            return r < 0 ? -errno(state) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sets {@code SO_LINGER} to {on, 0 s}: close then resets the connection and drops unsent data; {@return 0 or -errno} */
    static int setLingerZero(int fd) {
        MethodHandle h = handle(H.setsockopt);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment linger = arena.allocate(KernelStructs.LINGER);
            linger.set(JAVA_INT, KernelStructs.L_ONOFF, 1);
            linger.set(JAVA_INT, KernelStructs.L_LINGER, 0);
            MemorySegment state = arena.allocate(H.errnoLayout);
            int r = (int) h.invokeExact(state, fd, SOL_SOCKET, SO_LINGER, linger, (int) KernelStructs.LINGER.byteSize());
            return r < 0 ? -errno(state) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@return 0 or -errno} */
    static int shutdown(int fd, int how) {
        MethodHandle h = handle(H.shutdown);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(H.errnoLayout);
            int r = (int) h.invokeExact(state, fd, how);
            return r < 0 ? -errno(state) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Closes {@code fd}, ignoring errors (the fd is released by the kernel even on EINTR). */
    static void close(int fd) {
        if (fd < 0) {
            return;
        }
        MethodHandle h = handle(H.close);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(H.errnoLayout);
            int ignored = (int) h.invokeExact(state, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@return the local (peer=false) or remote address of a socket, or null if unknown} */
    static InetSocketAddress address(int fd, boolean peer) {
        MethodHandle h = handle(peer ? H.getpeername : H.getsockname);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(KernelStructs.SOCKADDR_STORAGE);
            MemorySegment len = arena.allocateFrom(JAVA_INT, SOCKADDR_SIZE);
            MemorySegment state = arena.allocate(H.errnoLayout);
            int r = (int) h.invokeExact(state, fd, sa, len);
            return r < 0 ? null : decodeSockaddr(sa);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@return the soft RLIMIT_MEMLOCK in bytes, -1 for unlimited, or -2 if unknown} */
    static long memlockLimit() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rl = arena.allocate(KernelStructs.RLIMIT);
            MemorySegment state = arena.allocate(H.errnoLayout);
            int r = (int) handle(H.getrlimit).invokeExact(state, RLIMIT_MEMLOCK, rl);
            if (r < 0) {
                return -2;
            }
            long cur = rl.get(JAVA_LONG, KernelStructs.RLIM_CUR);
            return cur == -1L ? -1 : cur;
        } catch (Throwable t) {
            return -2;
        }
    }

    /** {@return the C library's name for an errno value, e.g. "Cannot allocate memory (errno 12)"} */
    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) handle(H.strerror).invokeExact(errno);
            return s.reinterpret(256).getString(0) + " (errno " + errno + ")";
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** {@return an IOException for a failed call: "{@code what}: message (errno n)"} */
    static IOException error(String what, int negErrno) {
        return new IOException(what + ": " + strerror(-negErrno));
    }

    /**
     * Writes {@code address} as a {@code sockaddr_in}/{@code sockaddr_in6} into {@code sa}.
     *
     * @return the length of the written structure
     * @throws UnknownHostException if the address is unresolved
     */
    static int encodeSockaddr(InetSocketAddress address, MemorySegment sa) throws UnknownHostException {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new UnknownHostException("unresolved address: " + address.getHostString());
        }
        sa.asSlice(0, SOCKADDR_SIZE).fill((byte) 0);
        byte[] raw = ip.getAddress();
        KernelStructs.SA_PORT.set(sa, 0L, (short) address.getPort());
        if (ip instanceof Inet4Address) {
            KernelStructs.SA_FAMILY.set(sa, 0L, (short) AF_INET);
            MemorySegment.copy(raw, 0, sa, ValueLayout.JAVA_BYTE, KernelStructs.SIN_ADDR, raw.length);
            return (int) KernelStructs.SOCKADDR_IN.byteSize();
        }
        KernelStructs.SA_FAMILY.set(sa, 0L, (short) AF_INET6);
        MemorySegment.copy(raw, 0, sa, ValueLayout.JAVA_BYTE, KernelStructs.SIN6_ADDR, raw.length);
        sa.set(JAVA_INT, KernelStructs.SIN6_SCOPE_ID, ((Inet6Address) ip).getScopeId());
        return (int) KernelStructs.SOCKADDR_IN6.byteSize();
    }

    /**
     * Writes {@code address} as a {@code sockaddr_in6} into {@code sa}, an IPv4 address v4-mapped
     * ({@code ::ffff:a.b.c.d}), as an AF_INET6 socket needs it.
     *
     * @return the length of the written structure
     * @throws UnknownHostException if the address is unresolved
     */
    static int encodeSockaddr6(InetSocketAddress address, MemorySegment sa) throws UnknownHostException {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new UnknownHostException("unresolved address: " + address.getHostString());
        }
        if (ip instanceof Inet6Address) {
            return encodeSockaddr(address, sa);
        }
        sa.asSlice(0, SOCKADDR_SIZE).fill((byte) 0);
        byte[] raw = ip.getAddress();
        KernelStructs.SA_FAMILY.set(sa, 0L, (short) AF_INET6);
        KernelStructs.SA_PORT.set(sa, 0L, (short) address.getPort());
        sa.set(ValueLayout.JAVA_BYTE, KernelStructs.SIN6_ADDR + 10, (byte) 0xff);
        sa.set(ValueLayout.JAVA_BYTE, KernelStructs.SIN6_ADDR + 11, (byte) 0xff);
        MemorySegment.copy(raw, 0, sa, ValueLayout.JAVA_BYTE, KernelStructs.SIN6_ADDR + 12, raw.length);
        return (int) KernelStructs.SOCKADDR_IN6.byteSize();
    }

    /** {@return the address in a {@code sockaddr_in}/{@code sockaddr_in6}, or null for another family} */
    static InetSocketAddress decodeSockaddr(MemorySegment sa) {
        int family = (short) KernelStructs.SA_FAMILY.get(sa, 0L);
        int port = Short.toUnsignedInt((short) KernelStructs.SA_PORT.get(sa, 0L));
        try {
            if (family == AF_INET) {
                byte[] a = new byte[4];
                MemorySegment.copy(sa, ValueLayout.JAVA_BYTE, KernelStructs.SIN_ADDR, a, 0, a.length);
                return new InetSocketAddress(InetAddress.getByAddress(a), port);
            }
            if (family == AF_INET6) {
                byte[] a = new byte[16];
                MemorySegment.copy(sa, ValueLayout.JAVA_BYTE, KernelStructs.SIN6_ADDR, a, 0, a.length);
                int scope = sa.get(JAVA_INT, KernelStructs.SIN6_SCOPE_ID);
                InetAddress ip = scope != 0 ? Inet6Address.getByAddress(null, a, scope) : InetAddress.getByAddress(a);
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException e) {
            return null;
        }
        return null;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
