package io.ringline.uring;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The layouts match the kernel ABI (x86-64): sizes and offsets as gcc 12 reports them for the
 * headers of linux-libc-dev 6.1 ({@code sizeof}/{@code offsetof}); {@code io_uring_clone_buffers}
 * (not in the 6.1 headers) from {@code include/uapi/linux/io_uring.h} of Linux 6.13.
 */
class KernelStructsTest {

    private static void assertSize(long expected, MemoryLayout layout) {
        assertEquals(expected, layout.byteSize(), "sizeof(struct " + layout.name().orElse("?") + ")");
    }

    @Test
    void sizesMatchTheKernelHeaders() {
        assertSize(120, KernelStructs.IO_URING_PARAMS);
        assertSize(40, KernelStructs.IO_SQRING_OFFSETS);
        assertSize(40, KernelStructs.IO_CQRING_OFFSETS);
        assertSize(16, KernelStructs.IO_URING_PROBE);
        assertSize(8, KernelStructs.IO_URING_PROBE_OP);
        assertSize(40, KernelStructs.IO_URING_BUF_REG);
        assertSize(16, KernelStructs.IO_URING_BUF);
        assertSize(32, KernelStructs.IO_URING_RSRC_REGISTER);
        assertSize(32, KernelStructs.IO_URING_RSRC_UPDATE2);
        assertSize(32, KernelStructs.IO_URING_CLONE_BUFFERS);
        assertSize(16, KernelStructs.IOVEC);
        assertSize(56, KernelStructs.MSGHDR);
        assertSize(16, KernelStructs.KERNEL_TIMESPEC);
        assertSize(16, KernelStructs.SOCKADDR_IN);
        assertSize(28, KernelStructs.SOCKADDR_IN6);
        assertSize(128, KernelStructs.SOCKADDR_STORAGE);
        assertSize(8, KernelStructs.LINGER);
        assertSize(16, KernelStructs.RLIMIT);
        assertEquals(8, KernelStructs.SOCKADDR_STORAGE.byteAlignment());
    }

    @Test
    void offsetsMatchTheKernelHeaders() {
        assertEquals(20, KernelStructs.offset(KernelStructs.IO_URING_PARAMS, "features"));
        assertEquals(40, KernelStructs.offset(KernelStructs.IO_URING_PARAMS, "sq_off"));
        assertEquals(80, KernelStructs.offset(KernelStructs.IO_URING_PARAMS, "cq_off"));
        assertEquals(16, KernelStructs.MSG_IOV);
        assertEquals(24, KernelStructs.MSG_IOVLEN);
        assertEquals(48, KernelStructs.offset(KernelStructs.MSGHDR, "msg_flags"));
        assertEquals(12, KernelStructs.BUF_REG_BGID);
        assertEquals(12, KernelStructs.BUF_BID);
        assertEquals(14, KernelStructs.BUF_RING_TAIL, "offsetof(struct io_uring_buf_ring, tail)");
        assertEquals(8, KernelStructs.RSRC_UPDATE2_DATA);
        assertEquals(24, KernelStructs.RSRC_UPDATE2_NR);
        assertEquals(16, KernelStructs.CLONE_NR);
        assertEquals(4, KernelStructs.SIN_ADDR);
        assertEquals(8, KernelStructs.SIN6_ADDR);
        assertEquals(24, KernelStructs.SIN6_SCOPE_ID);
        assertEquals(2, KernelStructs.PROBE_OP_FLAGS);
        assertEquals(1, KernelStructs.PROBE_OPS_LEN);
    }

    @Test
    void gatherMemoryIsAMsghdrFollowedByIovecs() {
        assertEquals(56 + 16 * 64, KernelStructs.msghdrWithIovecs(64));
        assertEquals(56, KernelStructs.iovecAt(0));
        assertEquals(56 + 16 * 3, KernelStructs.iovecAt(3));
    }
}
