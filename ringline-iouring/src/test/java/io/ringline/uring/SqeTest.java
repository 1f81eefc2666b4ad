package io.ringline.uring;

import io.netty.channel.uring.IoUringIoOps;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every factory puts its named arguments into the right {@code io_uring_sqe} field (read back
 * through {@link IoUringIoOps#toString()}, the only public view of the fields).
 */
class SqeTest {

    /** {@return the fields of {@code op} by Netty's names} */
    private static Map<String, Long> fields(IoUringIoOps op) {
        String s = op.toString();
        String body = s.substring(s.indexOf('{') + 1, s.lastIndexOf('}'));
        Map<String, Long> m = new LinkedHashMap<>();
        for (String kv : body.split(", ")) {
            String[] p = kv.split("=");
            m.put(p[0], Long.parseLong(p[1]));
        }
        return m;
    }

    /** Expected fields: all zero but those given as name/value pairs. */
    private static Map<String, Long> expected(Object... pairs) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String f : new String[] {"opcode", "flags", "ioPrio", "fd", "union1", "union2", "len", "union3", "data",
                "union4", "personality", "union5", "union6"}) {
            m.put(f, 0L);
        }
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], ((Number) pairs[i + 1]).longValue());
        }
        return m;
    }

    @Test
    void nopAndTimeout() {
        assertEquals(expected("opcode", 0, "fd", -1, "data", 7), fields(Sqe.nop(7)));
        assertEquals(expected("opcode", 11, "fd", -1, "union2", 0x1000, "len", 1, "data", 2), fields(Sqe.timeout(0x1000, 2)));
    }

    @Test
    void wakeTimerOperations() {
        // TIMEOUT: len 1, no count (off 0), IORING_TIMEOUT_ABS; TIMEOUT_REMOVE: target in addr, new
        // timespec in addr2 (union1), IORING_TIMEOUT_UPDATE | ABS
        assertEquals(expected("opcode", 11, "fd", -1, "union2", 0x1000, "len", 1, "union3", 1, "data", 1),
                fields(Sqe.timeoutAt(0x1000, 1)));
        assertEquals(expected("opcode", 12, "fd", -1, "union1", 0x1000, "union2", 0x77, "union3", 2 | 1, "data", 2),
                fields(Sqe.timeoutUpdate(0x77, 0x1000, 2)));
        assertEquals(expected("opcode", 12, "fd", -1, "union2", 0x77, "data", 3), fields(Sqe.timeoutRemove(0x77, 3)));
    }

    @Test
    void receives() {
        assertEquals(expected("opcode", 27, "flags", 1 << 5, "ioPrio", 2, "fd", 9, "union4", 3, "data", 1),
                fields(Sqe.recvMultishot(9, (short) 3, false, 1)));
        assertEquals(expected("opcode", 27, "flags", 1 << 5, "ioPrio", 2 | 1, "fd", 9, "union4", 3, "data", 1),
                fields(Sqe.recvMultishot(9, (short) 3, true, 1)));
        assertEquals(expected("opcode", 27, "ioPrio", 1, "fd", 9, "union2", 0xabc0, "len", 512, "data", 1),
                fields(Sqe.recv(9, 0xabc0, 512, true, 1)));
    }

    @Test
    void sends() {
        assertEquals(expected("opcode", 26, "fd", 5, "union2", 0x2000, "len", 100, "union3", 0x4000, "data", 2),
                fields(Sqe.send(5, 0x2000, 100, Uring.MSG_NOSIGNAL, false, 2)));
        assertEquals(expected("opcode", 9, "ioPrio", 1, "fd", 5, "union2", 0x3000, "len", 1, "union3", 0x4000, "data", 2),
                fields(Sqe.sendmsg(5, 0x3000, Uring.MSG_NOSIGNAL, true, 2)));
        assertEquals(expected("opcode", 47, "ioPrio", 4, "fd", 5, "union2", 0x4000, "len", 65536, "union3", 0x4000,
                        "union4", 6, "data", 3),
                fields(Sqe.sendZcFixed(5, 0x4000, 65536, Uring.MSG_NOSIGNAL, (short) 6, false, 3)));
        assertEquals(4 | 1, fields(Sqe.sendZcFixed(5, 0x4000, 1, 0, (short) 6, true, 3)).get("ioPrio"));
    }

    @Test
    void cancels() {
        assertEquals(expected("opcode", 14, "fd", -1, "union2", 0x1234_5678_9abcL, "data", 4),
                fields(Sqe.cancel(0x1234_5678_9abcL, 4)));
        assertEquals(expected("opcode", 14, "fd", 8, "union3", 1 | 2, "data", 4), fields(Sqe.cancelAllOnFd(8, 4)));
    }

    @Test
    void acceptAndConnect() {
        assertEquals(expected("opcode", 13, "ioPrio", 1, "fd", 3, "union3", 0x800 | 0x80000, "data", 1),
                fields(Sqe.acceptMultishot(3, Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC, 1)));
        assertEquals(expected("opcode", 16, "fd", 3, "union1", 28, "union2", 0x5000, "data", 1),
                fields(Sqe.connect(3, 0x5000, 28, 1)));
    }
}
