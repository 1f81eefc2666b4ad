package io.ringline.internal;

import io.ringline.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Optional CPU pinning of worker threads ({@link Config#pinWorkers()}): a worker pins its own
 * thread when it starts, with {@code sched_setaffinity(0, size, mask)} called through the FFM API
 * ({@code errno} captured). Worker {@code i} runs on {@code workerCpus[i % length]}, or, without
 * explicit CPUs, on the {@code i}-th CPU (wrapping) of the set the thread is allowed to run on
 * when it starts ({@code sched_getaffinity}, inherited from the thread that started the runtime).
 *
 * <p>Pinning never fails the runtime: on another OS than Linux, without native access, or when the
 * kernel refuses (a CPU offline or outside the process's cpuset), the worker runs unpinned and one
 * line gives the reason. Each worker logs at INFO which CPU it got.
 *
 * <p>Public only for {@link Config.Builder#workerCpus(int...)}'s validation ({@link #cpuCount()});
 * the package is not exported.
 *
 * <p>Threading: {@link #pinCurrentThread} pins the calling thread; the rest is thread-safe.
 */
public final class CpuPinning {

    private static final Logger log = LoggerFactory.getLogger(CpuPinning.class);
    private static final Path POSSIBLE_CPUS = Path.of("/sys/devices/system/cpu/possible");
    /** Bytes of the smallest CPU mask passed to the kernel: glibc's {@code cpu_set_t}, 1024 CPUs. */
    private static final int MIN_MASK_BYTES = 128;
    /** Bytes of the largest CPU mask tried when the kernel wants a larger one (EINVAL). */
    private static final int MAX_MASK_BYTES = 1 << 16;
    private static final int EINVAL = 22;

    private CpuPinning() {
    }

    /**
     * {@return the number of CPUs of this machine the kernel can address (highest possible CPU
     * number + 1), the bound of a CPU number} From {@code /sys/devices/system/cpu/possible} on
     * Linux, else {@link java.lang.Runtime#availableProcessors()}.
     */
    public static int cpuCount() {
        try {
            String possible = Files.readString(POSSIBLE_CPUS).strip();
            int highest = -1;
            for (String range : possible.split(",")) {
                String[] ends = range.split("-");
                highest = Math.max(highest, Integer.parseInt(ends[ends.length - 1].strip()));
            }
            if (highest >= 0) {
                return highest + 1;
            }
        } catch (IOException | RuntimeException notLinux) {
            // fall back below
        }
        return java.lang.Runtime.getRuntime().availableProcessors();
    }

    /**
     * Pins the calling thread, worker {@code workerId}'s, as {@code config} says: nothing if pinning
     * is off. Never throws: if pinning is impossible the thread stays as it is and one line says why.
     *
     * @return the CPU the thread now runs on, or -1 if it was not pinned
     */
    static int pinCurrentThread(int workerId, Config config) {
        if (!config.pinWorkers()) {
            return -1;
        }
        String os = System.getProperty("os.name", "?");
        if (!os.toLowerCase(Locale.ROOT).contains("linux")) {
            log.warn("ringline worker {}: not pinned to a CPU, sched_setaffinity is Linux-only and this is {}", workerId, os);
            return -1;
        }
        int cpu;
        try {
            int[] cpus = config.workerCpus();
            if (cpus.length > 0) {
                cpu = cpus[workerId % cpus.length];
            } else {
                int[] allowed = Native.allowedCpus();
                if (allowed.length == 0) {
                    log.warn("ringline worker {}: not pinned to a CPU, sched_getaffinity reported no allowed CPU", workerId);
                    return -1;
                }
                cpu = allowed[workerId % allowed.length];
            }
            Native.pin(cpu);
        } catch (Throwable t) {
            Throwables.rethrowIfFatal(t);
            log.warn("ringline worker {}: not pinned to a CPU: {}", workerId, t.toString());
            return -1;
        }
        log.info("ringline worker {} pinned to CPU {}", workerId, cpu);
        return cpu;
    }

    /**
     * The FFM calls, linked when first used (never when pinning is off). If linking fails (no
     * native access: {@code --illegal-native-access=deny} without {@code --enable-native-access})
     * every call throws, naming why.
     */
    private static final class Native {
        private static final StructLayout CAPTURED = Linker.Option.captureStateLayout();
        private static final VarHandle ERRNO =
                CAPTURED.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        private static final MethodHandle SCHED_SETAFFINITY;
        private static final MethodHandle SCHED_GETAFFINITY;
        /** Why linking failed, or null. */
        private static final Throwable UNLINKED;

        static {
            MethodHandle set = null;
            MethodHandle get = null;
            Throwable failure = null;
            try {
                set = libc("sched_setaffinity");
                get = libc("sched_getaffinity");
            } catch (RuntimeException e) { // IllegalCallerException without native access, or a missing symbol
                failure = e;
            }
            SCHED_SETAFFINITY = set;
            SCHED_GETAFFINITY = get;
            UNLINKED = failure;
        }

        /** @throws IllegalStateException naming why, if the calls could not be linked */
        private static void requireLinked() {
            if (UNLINKED != null) {
                throw new IllegalStateException("cannot call sched_setaffinity through FFM (" + UNLINKED
                        + "); run with --enable-native-access=io.ringline (or ALL-UNNAMED on the class path)", UNLINKED);
            }
        }

        /** {@code int f(pid_t pid, size_t cpusetsize, cpu_set_t *mask)}, errno captured. */
        private static MethodHandle libc(String name) {
            Linker linker = Linker.nativeLinker();
            MemorySegment symbol = linker.defaultLookup().find(name)
                    .orElseThrow(() -> new UnsupportedOperationException(name + " not found in the C library"));
            return linker.downcallHandle(symbol,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
                    Linker.Option.captureCallState("errno"));
        }

        /** Pins the calling thread to {@code cpu} alone. @throws IllegalStateException naming errno if refused */
        static void pin(int cpu) throws Throwable {
            requireLinked();
            int bytes = maskBytes(cpu + 1);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment mask = arena.allocate(bytes, 8);
                long word = (long) (cpu / 64) * 8;
                mask.set(ValueLayout.JAVA_LONG, word, 1L << (cpu % 64));
                MemorySegment errno = arena.allocate(CAPTURED);
                int rc = (int) SCHED_SETAFFINITY.invokeExact(errno, 0, (long) bytes, mask);
                if (rc != 0) {
                    int e = (int) ERRNO.get(errno, 0L);
                    throw new IllegalStateException("sched_setaffinity(CPU " + cpu + ") failed with errno " + e
                            + (e == EINVAL ? " (EINVAL: the CPU is offline, or outside the process's cpuset)" : ""));
                }
            }
        }

        /** {@return the CPUs the calling thread may run on, ascending} @throws IllegalStateException naming errno */
        static int[] allowedCpus() throws Throwable {
            requireLinked();
            for (int bytes = maskBytes(cpuCount()); ; bytes *= 2) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment mask = arena.allocate(bytes, 8);
                    MemorySegment errno = arena.allocate(CAPTURED);
                    int rc = (int) SCHED_GETAFFINITY.invokeExact(errno, 0, (long) bytes, mask);
                    if (rc == 0) {
                        return cpusOf(mask);
                    }
                    int e = (int) ERRNO.get(errno, 0L);
                    if (e != EINVAL || bytes >= MAX_MASK_BYTES) { // EINVAL: the kernel's mask is larger
                        throw new IllegalStateException("sched_getaffinity failed with errno " + e);
                    }
                }
            }
        }

        private static int[] cpusOf(MemorySegment mask) {
            int[] cpus = new int[64];
            int n = 0;
            for (long w = 0; w < mask.byteSize() / 8; w++) {
                long bits = mask.get(ValueLayout.JAVA_LONG, w * 8);
                while (bits != 0) {
                    int bit = Long.numberOfTrailingZeros(bits);
                    bits &= bits - 1;
                    if (n == cpus.length) {
                        cpus = Arrays.copyOf(cpus, n * 2);
                    }
                    cpus[n++] = (int) (w * 64 + bit);
                }
            }
            return Arrays.copyOf(cpus, n);
        }

        /** {@return mask bytes for CPUs {@code 0..cpus-1}: whole 64-bit words, at least glibc's cpu_set_t} */
        private static int maskBytes(int cpus) {
            return Math.max(MIN_MASK_BYTES, (cpus + 63) / 64 * 8);
        }
    }
}
