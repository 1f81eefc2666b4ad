package io.ringline.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Child JVM of {@link AvailabilityTest}: installs a seccomp filter that makes {@code io_uring_setup}
 * fail with EPERM in every thread (as container runtimes do), then runs the real availability probe
 * and prints its result.
 */
public final class SeccompChild {

    private static final int SYS_PRCTL = 157;
    private static final int SYS_SECCOMP = 317;
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int SECCOMP_SET_MODE_FILTER = 1;
    private static final int SECCOMP_FILTER_FLAG_TSYNC = 1;

    private SeccompChild() {
    }

    public static void main(String[] args) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment prog = arena.allocate(4 * 8, 8);
            insn(prog, 0, 0x20, 0, 0, 0);                       // ld [nr]
            insn(prog, 1, 0x15, 0, 1, Sys.SYS_IO_URING_SETUP); // jeq io_uring_setup ? next : skip
            insn(prog, 2, 0x06, 0, 0, 0x00050000 | Sys.EPERM); // ret ERRNO(EPERM)
            insn(prog, 3, 0x06, 0, 0, 0x7fff0000);             // ret ALLOW
            MemorySegment fprog = arena.allocate(16, 8);
            fprog.set(JAVA_SHORT, 0, (short) 4);
            fprog.set(JAVA_LONG, 8, prog.address());
            long r = Sys.syscall(SYS_PRCTL, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
            long s = Sys.syscall(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, fprog.address(), 0);
            System.out.println("FILTER " + r + " " + s);
        }
        var a = new IoUringBackendProvider().availability();
        System.out.println("AVAILABLE " + a.available());
        System.out.println("REASON " + a.reason());
    }

    private static void insn(MemorySegment prog, int i, int code, int jt, int jf, int k) {
        prog.set(JAVA_SHORT, i * 8L, (short) code);
        prog.set(JAVA_BYTE, i * 8L + 2, (byte) jt);
        prog.set(JAVA_BYTE, i * 8L + 3, (byte) jf);
        prog.set(JAVA_INT, i * 8L + 4, k);
    }
}
