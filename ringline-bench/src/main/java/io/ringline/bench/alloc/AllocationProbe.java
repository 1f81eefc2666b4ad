package io.ringline.bench.alloc;

import io.ringline.Runtime;
import io.ringline.WorkerStats;
import io.ringline.examples.ExampleServer;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Heap bytes the worker thread of an example server allocates per message in steady state.
 *
 * <p>Starts the example server of a {@link Scenario} in this JVM with one worker on the given
 * backend, drives it with a {@link LoadClient} (plain sockets, same JVM), warms it up (long enough
 * for C2 to compile the hot path), then reads the worker thread's allocation counter
 * ({@link com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long)}) before and after each
 * measured run: bytes per message = the difference / the messages of the run. Only the worker is
 * counted (the client threads allocate as they like). A run includes whatever the worker does
 * besides messages (timers, the event loop), amortized over the run.
 *
 * <pre>
 * java -cp ringline-bench.jar io.ringline.bench.alloc.AllocationProbe [--backends io_uring,nio]
 *     [--scenarios echo,get,set,ping,http] [--pipelines 1,16] [--warmup 200000] [--messages 500000] [--runs 3]
 * </pre>
 *
 * <p>Prints a Markdown table: one row per backend, scenario and pipeline depth, with the bytes per
 * message of every measured run and how many sends went without a copy ({@code sendReceived} lent
 * the receive buffer) or were copied.
 */
public final class AllocationProbe {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Client threads: two, so the client keeps the worker busy without a core of its own per connection. */
    static final int CLIENT_THREADS = 2;

    private AllocationProbe() {
    }

    /**
     * What one scenario measured.
     *
     * @param backend          the backend the server ran on
     * @param scenario         the workload
     * @param messages         messages of each measured run
     * @param bytesPerMessage  the worker's allocated bytes per message, one value per measured run
     * @param passThroughSends the worker's sends without a copy during the measured runs
     *                         ({@link io.ringline.WorkerStats#passThroughSends()})
     * @param copiedSends      the worker's copied sends during the measured runs
     */
    public record Result(String backend, Scenario scenario, long messages, double[] bytesPerMessage,
            long passThroughSends, long copiedSends) {

        /** {@return the smallest bytes per message of the runs: the steady state once everything is compiled} */
        public double best() {
            double best = Double.MAX_VALUE;
            for (double b : bytesPerMessage) {
                best = Math.min(best, b);
            }
            return best;
        }

        /** {@return one Markdown table row} */
        public String row() {
            StringBuilder runs = new StringBuilder();
            for (double b : bytesPerMessage) {
                runs.append(runs.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", b));
            }
            return String.format(Locale.ROOT, "| %s | %s | %d | %s | %d / %d |", backend, scenario.name(), messages, runs,
                    passThroughSends, copiedSends);
        }
    }

    /**
     * Measures {@code scenario} on {@code backend}.
     *
     * @param warmupMessages   messages sent before the first measurement (at least one round)
     * @param measuredMessages messages per measured run (rounded up to whole rounds)
     * @param runs             measured runs, {@code >= 1}
     * @throws io.ringline.BackendUnavailableException if {@code backend} cannot run here
     * @throws IllegalStateException if the server answered wrongly or not at all
     */
    public static Result measure(String backend, Scenario scenario, long warmupMessages, long measuredMessages,
            int runs) throws Exception {
        return measure(backend, scenario, warmupMessages, measuredMessages, runs, -1);
    }

    /**
     * As {@link #measure(String, Scenario, long, long, int)}, but stops after the first run whose
     * bytes per message are below {@code stopBelow} (the result then holds fewer runs).
     */
    public static Result measure(String backend, Scenario scenario, long warmupMessages, long measuredMessages,
            int runs, double stopBelow) throws Exception {
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be >= 1, was " + runs);
        }
        List<String> args = List.of("--port", "0", "--workers", "1", "--host", "127.0.0.1", "--idle-timeout", "0");
        try (ExampleServer server = ExampleServer.start(scenario.server(), backend, args);
                LoadClient client = new LoadClient(server.address(), scenario, CLIENT_THREADS)) {
            long worker = workerThreadId(server.runtime());
            long perRound = scenario.messagesPerRound();
            client.run(Math.max(1, (warmupMessages + perRound - 1) / perRound));
            long rounds = Math.max(1, (measuredMessages + perRound - 1) / perRound);
            double[] perMessage = new double[runs];
            long messages = 0;
            WorkerStats stats = server.runtime().worker(0).stats();
            long passThrough = stats.passThroughSends();
            long copied = stats.copiedSends();
            int done = 0;
            while (done < runs && (done == 0 || perMessage[done - 1] >= stopBelow)) {
                long before = THREADS.getThreadAllocatedBytes(worker);
                messages = client.run(rounds);
                long after = THREADS.getThreadAllocatedBytes(worker);
                if (before < 0 || after < 0) {
                    throw new IllegalStateException("the JVM does not measure thread allocation (ThreadMXBean)");
                }
                perMessage[done++] = (after - before) / (double) messages;
            }
            return new Result(server.runtime().backendName(), scenario, messages, Arrays.copyOf(perMessage, done),
                    stats.passThroughSends() - passThrough, stats.copiedSends() - copied);
        }
    }

    /** {@return the id of the runtime's only worker thread, asked on that thread} */
    static long workerThreadId(Runtime runtime) throws Exception {
        CompletableFuture<Long> id = new CompletableFuture<>();
        runtime.worker(0).execute(() -> id.complete(Thread.currentThread().threadId()));
        return id.get(10, TimeUnit.SECONDS);
    }

    public static void main(String[] argv) throws Exception {
        List<String> backends = List.of("io_uring", "nio");
        List<String> scenarios = List.of("echo", "get", "set", "ping", "http");
        List<Integer> pipelines = List.of(1, 16);
        long warmup = 200_000;
        long messages = 500_000;
        int runs = 3;
        for (int i = 0; i < argv.length; i++) {
            String name = argv[i];
            if (i + 1 >= argv.length) {
                throw new IllegalArgumentException("option " + name + " needs a value");
            }
            String value = argv[++i];
            switch (name) {
                case "--backends" -> backends = List.of(value.split(","));
                case "--scenarios" -> scenarios = List.of(value.split(","));
                case "--pipelines" -> pipelines = List.of(value.split(",")).stream().map(Integer::parseInt).toList();
                case "--warmup" -> warmup = Long.parseLong(value);
                case "--messages" -> messages = Long.parseLong(value);
                case "--runs" -> runs = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + name
                        + ": --backends, --scenarios, --pipelines, --warmup, --messages, --runs");
            }
        }
        System.out.println("| backend | scenario | messages per run | worker bytes per message, each run"
                + " | sends passed through / copied, all runs |");
        System.out.println("|---|---|---|---|---|");
        for (String backend : backends) {
            for (String name : scenarios) {
                List<Integer> depths = name.equals("echo") ? List.of(1) : pipelines;
                for (int pipeline : depths) {
                    Result r = measure(backend, Scenario.named(name, pipeline), warmup, messages, runs);
                    System.out.println(r.row());
                }
            }
        }
    }
}
