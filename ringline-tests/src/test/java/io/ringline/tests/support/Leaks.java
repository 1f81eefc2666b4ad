package io.ringline.tests.support;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

/** Counts what a runtime must release: its threads (named {@code ringline-*}) and file descriptors. */
public final class Leaks {

    /** Prefix of every thread a runtime starts. */
    public static final String THREAD_PREFIX = "ringline-";

    private Leaks() {
    }

    /** {@return the live threads whose name starts with {@value #THREAD_PREFIX}} */
    public static Set<Thread> ringlineThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(THREAD_PREFIX))
                .collect(Collectors.toSet());
    }

    /**
     * Waits (with a deadline) until no {@code ringline-*} thread is alive except those in {@code before}
     * (threads of runtimes that other code still runs), and fails naming the survivors.
     */
    public static void awaitNoNewRinglineThreads(Set<Thread> before, Duration timeout) {
        Await.until(timeout, () -> newThreads(before).isEmpty(),
                () -> "ringline threads still alive: " + newThreads(before).stream().map(Thread::getName).sorted().toList());
    }

    private static Set<Thread> newThreads(Set<Thread> before) {
        Set<Thread> now = ringlineThreads();
        now.removeAll(before);
        return now;
    }

    /** {@return the number of open file descriptors of this process, or -1 if it cannot be counted here} */
    public static long openFileDescriptors() {
        File fds = new File("/proc/self/fd");
        if (fds.isDirectory()) {
            String[] names = fds.list();
            if (names != null) {
                return names.length - 1; // the listing itself holds one descriptor while it runs
            }
        }
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getOpenFileDescriptorCount();
        }
        return -1;
    }
}
