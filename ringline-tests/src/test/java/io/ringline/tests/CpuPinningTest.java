package io.ringline.tests;

import io.ringline.Runtime;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.OncePerBackendTest;
import io.ringline.tests.support.Recorder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code Config.pinWorkers} and {@code Config.workerCpus}: each worker thread runs on exactly the
 * CPU chosen for it, read on the worker itself from {@code /proc/thread-self/status}. On another
 * OS than Linux pinning is a no-op: the runtime still starts and every worker keeps the CPUs it
 * inherited.
 */
class CpuPinningTest extends OncePerBackendTest {

    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");

    /**
     * {@return the CPUs the calling thread may run on, ascending (its {@code Cpus_allowed_list});
     * elsewhere than on Linux the same placeholder, {@code [0]}, for every thread}
     */
    static List<Integer> allowedCpusOfThisThread() throws IOException {
        if (!LINUX) {
            return List.of(0);
        }
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                List<Integer> cpus = new ArrayList<>();
                for (String range : line.substring(line.indexOf(':') + 1).strip().split(",")) {
                    String[] ends = range.split("-");
                    int from = Integer.parseInt(ends[0]);
                    int to = Integer.parseInt(ends[ends.length - 1]);
                    for (int c = from; c <= to; c++) {
                        cpus.add(c);
                    }
                }
                return cpus;
            }
        }
        throw new AssertionError("no Cpus_allowed_list in /proc/thread-self/status");
    }

    /** {@return what each worker of {@code rt} may run on, read on the worker} */
    private static List<List<Integer>> workerCpus(Runtime rt) {
        List<List<Integer>> cpus = new ArrayList<>();
        for (int w = 0; w < rt.workerCount(); w++) {
            cpus.add(OnWorker.call(rt.worker(w), CpuPinningTest::allowedCpusOfThisThread));
        }
        return cpus;
    }

    @Test
    void workerCpusPinsEveryWorkerToItsCpuWrapping() throws Exception {
        List<Integer> mine = allowedCpusOfThisThread();
        int last = mine.getLast();
        try (Runtime rt = start(clientConfig().workers(3).workerCpus(last, mine.getFirst()), w -> new Recorder())) {
            if (LINUX) {
                assertEquals(List.of(List.of(last), List.of(mine.getFirst()), List.of(last)), workerCpus(rt));
            } else {
                assertEquals(List.of(mine, mine, mine), workerCpus(rt), "no-op elsewhere");
            }
        }
    }

    @Test
    void workerCpusWithOneCpuPinsEveryWorkerThere() throws Exception {
        List<Integer> mine = allowedCpusOfThisThread();
        int cpu = mine.getLast();
        try (Runtime rt = start(clientConfig().workers(2).workerCpus(cpu), w -> new Recorder())) {
            assertEquals(LINUX ? List.of(List.of(cpu), List.of(cpu)) : List.of(mine, mine), workerCpus(rt));
        }
    }

    @Test
    void pinWorkersPinsWorkerIToTheIthAllowedCpuWrapping() throws Exception {
        List<Integer> mine = allowedCpusOfThisThread(); // the workers inherit the starting thread's set
        int workers = mine.size() + 1; // one more than CPUs: the last wraps to the first CPU
        try (Runtime rt = start(clientConfig().workers(workers).pinWorkers(true), w -> new Recorder())) {
            List<List<Integer>> expected = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                expected.add(LINUX ? List.of(mine.get(i % mine.size())) : mine);
            }
            assertEquals(expected, workerCpus(rt));
        }
    }

    @Test
    void withoutPinningWorkersKeepTheInheritedCpus() throws Exception {
        List<Integer> mine = allowedCpusOfThisThread();
        try (Runtime rt = start(clientConfig().workers(2), w -> new Recorder())) {
            assertEquals(List.of(mine, mine), workerCpus(rt));
        }
    }
}
