package io.ringline.uring;

import io.netty.channel.uring.IoUringIoOps;

/**
 * Builds every submission queue entry this backend submits, one factory per operation with named
 * parameters. This is the only place that calls Netty's {@link IoUringIoOps} constructor (the
 * non-deprecated one with a {@code long} user data; the {@code short} variant is deprecated in
 * Netty 4.2.18).
 *
 * <p>Netty's fields are the raw {@code struct io_uring_sqe} unions: {@code union1} = {@code off}
 * / {@code addr2}, {@code union2} = {@code addr}, {@code union3} = the op-specific flags
 * ({@code msg_flags}, {@code accept_flags}, {@code cancel_flags}, {@code timeout_flags}),
 * {@code union4} = {@code buf_index} / {@code buf_group}, {@code union5} = {@code file_index} /
 * {@code addr_len}, {@code union6} = {@code addr3}. The user data is the registration-local
 * value that comes back in the completion ({@link io.netty.channel.uring.IoUringIoEvent#userData()});
 * Netty keeps only its low 16 bits on its fast path.
 *
 * <p>Thread-safe (stateless); allocates the one {@code IoUringIoOps} per call.
 */
final class Sqe {

    private Sqe() {
    }

    /** {@code IORING_OP_NOP}: completes at once with res 0. */
    static IoUringIoOps nop(long userData) {
        return sqe(Uring.OP_NOP, (byte) 0, (short) 0, -1, 0, 0, 0, 0, (short) 0, userData);
    }

    /**
     * {@code IORING_OP_TIMEOUT} of a relative {@code __kernel_timespec} (no completion count):
     * completes with {@code -ETIME} when it expires, {@code -ECANCELED} when cancelled.
     *
     * @param timespec address of a {@link KernelStructs#KERNEL_TIMESPEC}, valid until the completion
     */
    static IoUringIoOps timeout(long timespec, long userData) {
        return sqe(Uring.OP_TIMEOUT, (byte) 0, (short) 0, -1, 0, timespec, 1, 0, (short) 0, userData);
    }

    /**
     * {@code IORING_OP_TIMEOUT} at an absolute {@link System#nanoTime()} ({@code CLOCK_MONOTONIC})
     * deadline ({@code IORING_TIMEOUT_ABS}, no completion count): completes with {@code -ETIME} then.
     *
     * @param timespec address of a {@link KernelStructs#KERNEL_TIMESPEC}; the kernel reads it at submission
     */
    static IoUringIoOps timeoutAt(long timespec, long userData) {
        return sqe(Uring.OP_TIMEOUT, (byte) 0, (short) 0, -1, 0, timespec, 1, Uring.IORING_TIMEOUT_ABS, (short) 0, userData);
    }

    /**
     * {@code IORING_OP_TIMEOUT_REMOVE} with {@code IORING_TIMEOUT_UPDATE}: moves the pending timeout
     * whose user data {@code target} a submit returned to the absolute deadline at {@code timespec};
     * completes with 0, or {@code -ENOENT} if that timeout already completed.
     */
    static IoUringIoOps timeoutUpdate(long target, long timespec, long userData) {
        return sqe(Uring.OP_TIMEOUT_REMOVE, (byte) 0, (short) 0, -1, timespec, target, 0,
                Uring.IORING_TIMEOUT_UPDATE | Uring.IORING_TIMEOUT_ABS, (short) 0, userData);
    }

    /** {@code IORING_OP_TIMEOUT_REMOVE} of the pending timeout {@code target}: it completes with {@code -ECANCELED}. */
    static IoUringIoOps timeoutRemove(long target, long userData) {
        return sqe(Uring.OP_TIMEOUT_REMOVE, (byte) 0, (short) 0, -1, 0, target, 0, 0, (short) 0, userData);
    }

    /**
     * Multishot {@code IORING_OP_RECV} picking buffers from provided-buffer group {@code bufferGroup}.
     *
     * @param pollFirst wait for readability before the first attempt ({@code IORING_RECVSEND_POLL_FIRST})
     */
    static IoUringIoOps recvMultishot(int fd, short bufferGroup, boolean pollFirst, long userData) {
        short prio = (short) (Uring.IORING_RECV_MULTISHOT | pollFirst(pollFirst));
        return sqe(Uring.OP_RECV, Uring.IOSQE_BUFFER_SELECT, prio, fd, 0, 0, 0, 0, bufferGroup, userData);
    }

    /**
     * Multishot {@code IORING_OP_RECVMSG} with the {@link KernelStructs#MSGHDR} at {@code msghdr}
     * (only its name and control lengths are used), picking buffers from group {@code bufferGroup}:
     * each buffer then holds a {@link KernelStructs#IO_URING_RECVMSG_OUT}, the name, the control
     * messages and the payload.
     */
    static IoUringIoOps recvmsgMultishot(int fd, long msghdr, short bufferGroup, long userData) {
        return sqe(Uring.OP_RECVMSG, Uring.IOSQE_BUFFER_SELECT, Uring.IORING_RECV_MULTISHOT, fd, 0, msghdr, 1, 0,
                bufferGroup, userData);
    }

    /** Single-shot {@code IORING_OP_RECV} into {@code length} bytes at {@code address}. */
    static IoUringIoOps recv(int fd, long address, int length, boolean pollFirst, long userData) {
        return sqe(Uring.OP_RECV, (byte) 0, pollFirst(pollFirst), fd, 0, address, length, 0, (short) 0, userData);
    }

    /** {@code IORING_OP_SEND} of {@code length} bytes at {@code address} with {@code msgFlags} (e.g. MSG_NOSIGNAL). */
    static IoUringIoOps send(int fd, long address, int length, int msgFlags, boolean pollFirst, long userData) {
        return sqe(Uring.OP_SEND, (byte) 0, pollFirst(pollFirst), fd, 0, address, length, msgFlags, (short) 0, userData);
    }

    /** {@code IORING_OP_SENDMSG} of the {@link KernelStructs#MSGHDR} at {@code msghdr}. */
    static IoUringIoOps sendmsg(int fd, long msghdr, int msgFlags, boolean pollFirst, long userData) {
        return sqe(Uring.OP_SENDMSG, (byte) 0, pollFirst(pollFirst), fd, 0, msghdr, 1, msgFlags, (short) 0, userData);
    }

    /**
     * {@code IORING_OP_SEND_ZC} from registered (fixed) buffer {@code bufIndex}
     * ({@code IORING_RECVSEND_FIXED_BUF}); {@code address} lies inside that buffer.
     */
    static IoUringIoOps sendZcFixed(int fd, long address, int length, int msgFlags, short bufIndex, boolean pollFirst,
                                    long userData) {
        short prio = (short) (Uring.IORING_RECVSEND_FIXED_BUF | pollFirst(pollFirst));
        return sqe(Uring.OP_SEND_ZC, (byte) 0, prio, fd, 0, address, length, msgFlags, bufIndex, userData);
    }

    /** {@code IORING_OP_ASYNC_CANCEL} of the one operation whose user data {@code target} a submit returned. */
    static IoUringIoOps cancel(long target, long userData) {
        return sqe(Uring.OP_ASYNC_CANCEL, (byte) 0, (short) 0, -1, 0, target, 0, 0, (short) 0, userData);
    }

    /** {@code IORING_OP_ASYNC_CANCEL} of every operation on {@code fd} ({@code IORING_ASYNC_CANCEL_ALL | _FD}). */
    static IoUringIoOps cancelAllOnFd(int fd, long userData) {
        return sqe(Uring.OP_ASYNC_CANCEL, (byte) 0, (short) 0, fd, 0, 0, 0,
                Uring.IORING_ASYNC_CANCEL_ALL | Uring.IORING_ASYNC_CANCEL_FD, (short) 0, userData);
    }

    /** Multishot {@code IORING_OP_ACCEPT} on listening socket {@code fd}; {@code socketFlags} for the accepted sockets. */
    static IoUringIoOps acceptMultishot(int fd, int socketFlags, long userData) {
        return sqe(Uring.OP_ACCEPT, (byte) 0, Uring.IORING_ACCEPT_MULTISHOT, fd, 0, 0, 0, socketFlags, (short) 0, userData);
    }

    /**
     * {@code IORING_OP_CONNECT} to the socket address at {@code sockaddr} ({@code addrLength} bytes,
     * passed in {@code off} as the kernel expects).
     */
    static IoUringIoOps connect(int fd, long sockaddr, int addrLength, long userData) {
        return sqe(Uring.OP_CONNECT, (byte) 0, (short) 0, fd, addrLength, sockaddr, 0, 0, (short) 0, userData);
    }

    private static short pollFirst(boolean pollFirst) {
        return pollFirst ? Uring.IORING_RECVSEND_POLL_FIRST : 0;
    }

    /** The one call of Netty's constructor; the fields this backend never sets are zero. */
    private static IoUringIoOps sqe(byte opcode, byte sqeFlags, short ioPrio, int fd, long off, long addr, int len,
                                    int opFlags, short bufIndexOrGroup, long userData) {
        return new IoUringIoOps(opcode, sqeFlags, ioPrio, fd,
                off,             // union1: off / addr2
                addr,            // union2: addr
                len,
                opFlags,         // union3: msg_flags / accept_flags / cancel_flags / timeout_flags
                userData,        // data
                bufIndexOrGroup, // union4: buf_index / buf_group
                (short) 0,       // personality
                0,               // union5: file_index / addr_len
                0L);             // union6: addr3
    }
}
