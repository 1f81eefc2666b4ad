package io.ringline.uring;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The kernel structures this backend writes or reads itself, each described once as a
 * {@link StructLayout} with the field names of the C headers ({@code <linux/io_uring.h>},
 * {@code <sys/socket.h>}, {@code <netinet/in.h>}, {@code <sys/uio.h>}), for x86-64 / aarch64
 * Linux (LP64). The byte offsets the rest of the backend uses are derived from these layouts;
 * {@code KernelStructsTest} checks the sizes and key offsets against the values {@code gcc}
 * reports for the headers.
 *
 * <p>Pointers and {@code size_t} are {@code JAVA_LONG} (the kernel ABI of these structs uses
 * {@code __u64} for addresses). Thread-safe (constants only).
 */
final class KernelStructs {

    private KernelStructs() {
    }

    // ------------------------------------------------------------------ io_uring_setup

    /** {@code struct io_sqring_offsets} (40 bytes). */
    static final StructLayout IO_SQRING_OFFSETS = structLayout(
            JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"), JAVA_INT.withName("flags"), JAVA_INT.withName("dropped"),
            JAVA_INT.withName("array"), JAVA_INT.withName("resv1"), JAVA_LONG.withName("user_addr"))
            .withName("io_sqring_offsets");

    /** {@code struct io_cqring_offsets} (40 bytes). */
    static final StructLayout IO_CQRING_OFFSETS = structLayout(
            JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"), JAVA_INT.withName("overflow"), JAVA_INT.withName("cqes"),
            JAVA_INT.withName("flags"), JAVA_INT.withName("resv1"), JAVA_LONG.withName("user_addr"))
            .withName("io_cqring_offsets");

    /** {@code struct io_uring_params} (120 bytes), the in/out argument of {@code io_uring_setup}. */
    static final StructLayout IO_URING_PARAMS = structLayout(
            JAVA_INT.withName("sq_entries"), JAVA_INT.withName("cq_entries"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"), JAVA_INT.withName("sq_thread_idle"), JAVA_INT.withName("features"),
            JAVA_INT.withName("wq_fd"), sequenceLayout(3, JAVA_INT).withName("resv"),
            IO_SQRING_OFFSETS.withName("sq_off"), IO_CQRING_OFFSETS.withName("cq_off"))
            .withName("io_uring_params");

    // ------------------------------------------------------------------ io_uring_register

    /** {@code struct io_uring_probe} (16 bytes, followed by {@code ops_len} {@link #IO_URING_PROBE_OP}s): {@code IORING_REGISTER_PROBE}. */
    static final StructLayout IO_URING_PROBE = structLayout(
            JAVA_BYTE.withName("last_op"), JAVA_BYTE.withName("ops_len"), JAVA_SHORT.withName("resv"),
            sequenceLayout(3, JAVA_INT).withName("resv2"))
            .withName("io_uring_probe");
    static final long PROBE_LAST_OP = offset(IO_URING_PROBE, "last_op");
    static final long PROBE_OPS_LEN = offset(IO_URING_PROBE, "ops_len");

    /** {@code struct io_uring_probe_op} (8 bytes). */
    static final StructLayout IO_URING_PROBE_OP = structLayout(
            JAVA_BYTE.withName("op"), JAVA_BYTE.withName("resv"), JAVA_SHORT.withName("flags"), JAVA_INT.withName("resv2"))
            .withName("io_uring_probe_op");
    static final long PROBE_OP_FLAGS = offset(IO_URING_PROBE_OP, "flags");
    /** {@code io_uring_probe_op.flags} bit: the opcode is supported. */
    static final int IO_URING_OP_SUPPORTED = 1;

    /** {@code struct io_uring_buf_reg} (40 bytes): {@code IORING_REGISTER_PBUF_RING}. */
    static final StructLayout IO_URING_BUF_REG = structLayout(
            JAVA_LONG.withName("ring_addr"), JAVA_INT.withName("ring_entries"), JAVA_SHORT.withName("bgid"),
            JAVA_SHORT.withName("flags"), sequenceLayout(3, JAVA_LONG).withName("resv"))
            .withName("io_uring_buf_reg");
    static final long BUF_REG_RING_ADDR = offset(IO_URING_BUF_REG, "ring_addr");
    static final long BUF_REG_RING_ENTRIES = offset(IO_URING_BUF_REG, "ring_entries");
    static final long BUF_REG_BGID = offset(IO_URING_BUF_REG, "bgid");

    /**
     * {@code struct io_uring_buf} (16 bytes), one entry of a provided-buffer ring. The ring's
     * {@code tail} ({@code struct io_uring_buf_ring}) overlays {@code resv} of entry 0.
     */
    static final StructLayout IO_URING_BUF = structLayout(
            JAVA_LONG.withName("addr"), JAVA_INT.withName("len"), JAVA_SHORT.withName("bid"), JAVA_SHORT.withName("resv"))
            .withName("io_uring_buf");
    static final long BUF_ADDR = offset(IO_URING_BUF, "addr");
    static final long BUF_LEN = offset(IO_URING_BUF, "len");
    static final long BUF_BID = offset(IO_URING_BUF, "bid");
    /** Offset of {@code io_uring_buf_ring.tail} from the start of the ring. */
    static final long BUF_RING_TAIL = offset(IO_URING_BUF, "resv");

    /** {@code struct io_uring_rsrc_register} (32 bytes): {@code IORING_REGISTER_BUFFERS2}; {@code nr_args} is its size. */
    static final StructLayout IO_URING_RSRC_REGISTER = structLayout(
            JAVA_INT.withName("nr"), JAVA_INT.withName("flags"), JAVA_LONG.withName("resv2"),
            JAVA_LONG.withName("data"), JAVA_LONG.withName("tags"))
            .withName("io_uring_rsrc_register");
    static final long RSRC_REGISTER_NR = offset(IO_URING_RSRC_REGISTER, "nr");
    static final long RSRC_REGISTER_FLAGS = offset(IO_URING_RSRC_REGISTER, "flags");

    /** {@code struct io_uring_rsrc_update2} (32 bytes): {@code IORING_REGISTER_BUFFERS_UPDATE}; {@code nr_args} is its size. */
    static final StructLayout IO_URING_RSRC_UPDATE2 = structLayout(
            JAVA_INT.withName("offset"), JAVA_INT.withName("resv"), JAVA_LONG.withName("data"),
            JAVA_LONG.withName("tags"), JAVA_INT.withName("nr"), JAVA_INT.withName("resv2"))
            .withName("io_uring_rsrc_update2");
    static final long RSRC_UPDATE2_OFFSET = offset(IO_URING_RSRC_UPDATE2, "offset");
    static final long RSRC_UPDATE2_DATA = offset(IO_URING_RSRC_UPDATE2, "data");
    static final long RSRC_UPDATE2_NR = offset(IO_URING_RSRC_UPDATE2, "nr");

    /**
     * {@code struct io_uring_clone_buffers} (32 bytes, Linux 6.12+; not in older uapi headers):
     * {@code IORING_REGISTER_CLONE_BUFFERS}.
     */
    static final StructLayout IO_URING_CLONE_BUFFERS = structLayout(
            JAVA_INT.withName("src_fd"), JAVA_INT.withName("flags"), JAVA_INT.withName("src_off"),
            JAVA_INT.withName("dst_off"), JAVA_INT.withName("nr"), sequenceLayout(3, JAVA_INT).withName("pad"))
            .withName("io_uring_clone_buffers");
    static final long CLONE_SRC_FD = offset(IO_URING_CLONE_BUFFERS, "src_fd");
    static final long CLONE_FLAGS = offset(IO_URING_CLONE_BUFFERS, "flags");
    static final long CLONE_SRC_OFF = offset(IO_URING_CLONE_BUFFERS, "src_off");
    static final long CLONE_DST_OFF = offset(IO_URING_CLONE_BUFFERS, "dst_off");
    static final long CLONE_NR = offset(IO_URING_CLONE_BUFFERS, "nr");

    // ------------------------------------------------------------------ SQE arguments

    /** {@code struct iovec} (16 bytes). */
    static final StructLayout IOVEC = structLayout(JAVA_LONG.withName("iov_base"), JAVA_LONG.withName("iov_len"))
            .withName("iovec");
    static final long IOV_BASE = offset(IOVEC, "iov_base");
    static final long IOV_LEN = offset(IOVEC, "iov_len");

    /** {@code struct msghdr} (56 bytes). */
    static final StructLayout MSGHDR = structLayout(
            JAVA_LONG.withName("msg_name"), JAVA_INT.withName("msg_namelen"), paddingLayout(4),
            JAVA_LONG.withName("msg_iov"), JAVA_LONG.withName("msg_iovlen"), JAVA_LONG.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"), JAVA_INT.withName("msg_flags"), paddingLayout(4))
            .withName("msghdr");
    static final long MSG_NAME = offset(MSGHDR, "msg_name");
    static final long MSG_NAMELEN = offset(MSGHDR, "msg_namelen");
    static final long MSG_IOV = offset(MSGHDR, "msg_iov");
    static final long MSG_CONTROL = offset(MSGHDR, "msg_control");
    static final long MSG_CONTROLLEN = offset(MSGHDR, "msg_controllen");
    static final long MSG_IOVLEN = offset(MSGHDR, "msg_iovlen");
    static final long MSGHDR_SIZE = MSGHDR.byteSize();
    static final long IOVEC_SIZE = IOVEC.byteSize();

    /**
     * {@code struct io_uring_recvmsg_out} (16 bytes): the head of each provided buffer a multishot
     * {@code RECVMSG} fills, followed by the name ({@code msg_namelen} bytes reserved), the control
     * messages ({@code msg_controllen} bytes reserved) and the payload.
     */
    static final StructLayout IO_URING_RECVMSG_OUT = structLayout(
            JAVA_INT.withName("namelen"), JAVA_INT.withName("controllen"), JAVA_INT.withName("payloadlen"),
            JAVA_INT.withName("flags"))
            .withName("io_uring_recvmsg_out");
    static final long RECVMSG_OUT_NAMELEN = offset(IO_URING_RECVMSG_OUT, "namelen");
    static final long RECVMSG_OUT_CONTROLLEN = offset(IO_URING_RECVMSG_OUT, "controllen");
    static final long RECVMSG_OUT_PAYLOADLEN = offset(IO_URING_RECVMSG_OUT, "payloadlen");
    static final long RECVMSG_OUT_FLAGS = offset(IO_URING_RECVMSG_OUT, "flags");

    /** {@code struct cmsghdr} (16 bytes), followed by its data, padded to 8 bytes ({@code CMSG_ALIGN}). */
    static final StructLayout CMSGHDR = structLayout(
            JAVA_LONG.withName("cmsg_len"), JAVA_INT.withName("cmsg_level"), JAVA_INT.withName("cmsg_type"))
            .withName("cmsghdr");
    static final long CMSG_LEN_FIELD = offset(CMSGHDR, "cmsg_len");
    static final long CMSG_LEVEL = offset(CMSGHDR, "cmsg_level");
    static final long CMSG_TYPE = offset(CMSGHDR, "cmsg_type");
    static final long CMSGHDR_SIZE = CMSGHDR.byteSize();

    /** {@return {@code CMSG_ALIGN(n)}: {@code n} rounded up to 8} */
    static long cmsgAlign(long n) {
        return (n + 7) & ~7L;
    }

    /** {@return {@code CMSG_SPACE(dataLength)}: the bytes a control message with that much data takes} */
    static long cmsgSpace(long dataLength) {
        return CMSGHDR_SIZE + cmsgAlign(dataLength);
    }

    /** {@code struct __kernel_timespec} (16 bytes), the argument of {@code IORING_OP_TIMEOUT}. */
    static final StructLayout KERNEL_TIMESPEC = structLayout(JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec"))
            .withName("__kernel_timespec");
    static final long TV_SEC = offset(KERNEL_TIMESPEC, "tv_sec");
    static final long TV_NSEC = offset(KERNEL_TIMESPEC, "tv_nsec");

    // ------------------------------------------------------------------ sockets

    private static final MemoryLayout PORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    /** {@code struct sockaddr_in} (16 bytes); the port is in network byte order. */
    static final StructLayout SOCKADDR_IN = structLayout(
            JAVA_SHORT.withName("sin_family"), PORT.withName("sin_port"), sequenceLayout(4, JAVA_BYTE).withName("sin_addr"),
            sequenceLayout(8, JAVA_BYTE).withName("sin_zero"))
            .withName("sockaddr_in");
    static final long SIN_ADDR = offset(SOCKADDR_IN, "sin_addr");

    /** {@code struct sockaddr_in6} (28 bytes); the port is in network byte order. */
    static final StructLayout SOCKADDR_IN6 = structLayout(
            JAVA_SHORT.withName("sin6_family"), PORT.withName("sin6_port"), JAVA_INT.withName("sin6_flowinfo"),
            sequenceLayout(16, JAVA_BYTE).withName("sin6_addr"), JAVA_INT.withName("sin6_scope_id"))
            .withName("sockaddr_in6");
    static final long SIN6_ADDR = offset(SOCKADDR_IN6, "sin6_addr");
    static final long SIN6_SCOPE_ID = offset(SOCKADDR_IN6, "sin6_scope_id");

    /** {@code struct sockaddr_storage} (128 bytes, 8-aligned): room for any address; starts with the family. */
    static final StructLayout SOCKADDR_STORAGE = structLayout(JAVA_SHORT.withName("ss_family"), paddingLayout(126))
            .withByteAlignment(8).withName("sockaddr_storage");

    /** The family field, shared by every sockaddr ({@code (MemorySegment, long offset) -> short}). */
    static final VarHandle SA_FAMILY = SOCKADDR_STORAGE.varHandle(groupElement("ss_family"));
    /** Offset of the family field of every sockaddr. */
    static final long SA_FAMILY_OFFSET = offset(SOCKADDR_IN, "sin_family");
    /** Offset of the port (network order) of a {@code sockaddr_in} or {@code sockaddr_in6}. */
    static final long SA_PORT_OFFSET = offset(SOCKADDR_IN, "sin_port");
    /** The port of a {@code sockaddr_in} or {@code sockaddr_in6} (same offset, network order). */
    static final VarHandle SA_PORT = SOCKADDR_IN.varHandle(groupElement("sin_port"));

    /** {@code struct linger} (8 bytes), {@code SO_LINGER}. */
    static final StructLayout LINGER = structLayout(JAVA_INT.withName("l_onoff"), JAVA_INT.withName("l_linger"))
            .withName("linger");
    static final long L_ONOFF = offset(LINGER, "l_onoff");
    static final long L_LINGER = offset(LINGER, "l_linger");

    /** {@code struct rlimit} (16 bytes). */
    static final StructLayout RLIMIT = structLayout(JAVA_LONG.withName("rlim_cur"), JAVA_LONG.withName("rlim_max"))
            .withName("rlimit");
    static final long RLIM_CUR = offset(RLIMIT, "rlim_cur");

    /** {@return the byte offset of the top-level field {@code name} of {@code struct}} */
    static long offset(StructLayout struct, String name) {
        return struct.byteOffset(groupElement(name));
    }

    /** {@return the bytes of a {@code msghdr} followed by {@code maxIov} {@code iovec}s, as one send's gather memory} */
    static long msghdrWithIovecs(int maxIov) {
        return MSGHDR_SIZE + IOVEC_SIZE * maxIov;
    }

    /** {@return the offset of iovec {@code n} in memory laid out as by {@link #msghdrWithIovecs}} */
    static long iovecAt(int n) {
        return MSGHDR_SIZE + IOVEC_SIZE * n;
    }
}
