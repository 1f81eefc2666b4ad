package io.ringline.uring;

/** io_uring ABI constants (from {@code <linux/io_uring.h>}); Netty keeps its own copies package-private. */
final class Uring {
    static final byte OP_NOP = 0;
    static final byte OP_SENDMSG = 9;
    static final byte OP_RECVMSG = 10;
    static final byte OP_TIMEOUT = 11;
    static final byte OP_TIMEOUT_REMOVE = 12;
    static final byte OP_ACCEPT = 13;
    static final byte OP_ASYNC_CANCEL = 14;
    static final byte OP_CONNECT = 16;
    static final byte OP_SEND = 26;
    static final byte OP_RECV = 27;
    static final byte OP_SEND_ZC = 47;

    static final byte IOSQE_BUFFER_SELECT = 1 << 5;

    static final short IORING_RECV_MULTISHOT = 2;
    static final short IORING_RECVSEND_FIXED_BUF = 4;
    /** send/recv ioprio flag: wait for socket readiness before trying (no EAGAIN to user space again). */
    static final short IORING_RECVSEND_POLL_FIRST = 1;
    static final short IORING_ACCEPT_MULTISHOT = 1;

    static final int IORING_TIMEOUT_ABS = 1;
    static final int IORING_TIMEOUT_UPDATE = 2;

    static final int IORING_ASYNC_CANCEL_ALL = 1;
    static final int IORING_ASYNC_CANCEL_FD = 2;

    static final int IORING_CQE_F_BUFFER = 1;
    static final int IORING_CQE_F_MORE = 2;
    static final int IORING_CQE_F_NOTIF = 8;
    static final int IORING_CQE_BUFFER_SHIFT = 16;

    static final int REGISTER_PROBE = 8;
    static final int REGISTER_BUFFERS2 = 15;
    static final int REGISTER_BUFFERS_UPDATE = 16;
    static final int REGISTER_PBUF_RING = 22;
    static final int UNREGISTER_PBUF_RING = 23;
    static final int REGISTER_CLONE_BUFFERS = 30;
    static final int IORING_RSRC_REGISTER_SPARSE = 1;
    static final int IORING_REGISTER_DST_REPLACE = 2;

    static final int MSG_NOSIGNAL = 0x4000;
    /** {@code io_uring_recvmsg_out.flags} / {@code msg_flags}: the datagram was longer than the buffer. */
    static final int MSG_TRUNC = 0x20;

    private Uring() {
    }
}
