package io.ringline.uring;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Helpers of the io_uring backend tests. */
final class UringTestSupport {

    private static final Pattern OCCUPIED = Pattern.compile("^\\s*\\d+: (0x[0-9a-f]+)/(\\d+)\\s*$");

    private UringTestSupport() {
    }

    /** Skips the test if io_uring is unavailable here, or fails it when RINGLINE_REQUIRE_IOURING=1. */
    static void requireIoUring() {
        var a = new IoUringBackendProvider().availability();
        if (!a.available()) {
            if ("1".equals(System.getenv("RINGLINE_REQUIRE_IOURING"))) {
                Assertions.fail("io_uring is required (RINGLINE_REQUIRE_IOURING=1) but unavailable: " + a.reason());
            }
            Assumptions.abort("io_uring unavailable: " + a.reason());
        }
    }

    /** Waits for {@code condition} until {@code timeout} (polling with a back-off), failing with {@code what}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        await(() -> what, timeout, condition);
    }

    /** Waits for {@code condition} until {@code timeout}, failing with the description {@code what} gives then. */
    static void await(java.util.function.Supplier<String> what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseNanos = 100_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                Assertions.fail("timed out after " + timeout + " waiting for: " + what.get());
            }
            // Back off from 0.1 ms to 10 ms between polls (not a spin: the CPU is shared with the workers under test).
            LockSupport.parkNanos(pauseNanos);
            pauseNanos = Math.min(pauseNanos * 2, 10_000_000);
        }
    }

    /** {@return the fds of this process that are io_uring instances} */
    static List<Integer> ringFds() throws IOException {
        List<Integer> fds = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : s.toList()) {
                try {
                    if (Files.readSymbolicLink(p).toString().equals("anon_inode:[io_uring]")) {
                        fds.add(Integer.parseInt(p.getFileName().toString()));
                    }
                } catch (IOException ignored) {
                    // closed meanwhile
                }
            }
        }
        fds.sort(null);
        return fds;
    }

    /**
     * {@return the occupied slots of ring {@code fd}'s registered-buffer table as "0xaddr/len"
     * strings, from /proc/self/fdinfo; null if the kernel skipped the table (ring lock busy)}
     */
    static List<String> userBufs(int fd) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd));
        List<String> occupied = new ArrayList<>();
        int size = -1;
        int slotLines = 0;
        for (String l : lines) {
            if (l.startsWith("UserBufs:")) {
                size = Integer.parseInt(l.substring("UserBufs:".length()).trim());
                continue;
            }
            if (size >= 0 && slotLines < size) {
                if (!l.matches("^\\s*\\d+: .*")) {
                    break;
                }
                slotLines++;
                Matcher m = OCCUPIED.matcher(l);
                if (m.matches()) {
                    occupied.add(m.group(1) + "/" + m.group(2));
                }
            }
        }
        // The kernel prints the slots only when it gets the ring's lock without waiting.
        return size >= 0 && slotLines == size ? occupied : null;
    }

    /** {@return {@link #userBufs}, retrying while the kernel skips the table} */
    static List<String> userBufsStable(int fd) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<String> r;
        while ((r = userBufs(fd)) == null && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000); // the ring's lock is busy: try again in 1 ms
        }
        if (r == null) {
            throw new AssertionError("fdinfo of ring " + fd + " never showed UserBufs");
        }
        return r;
    }

    /** {@return the fdinfo form of a region: "0x{address}/{length}"} */
    static String fdinfoForm(io.ringline.MemoryRegion r) {
        return "0x" + Long.toHexString(r.address()) + "/" + r.length();
    }
}
