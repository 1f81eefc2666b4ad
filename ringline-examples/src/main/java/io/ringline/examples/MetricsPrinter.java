package io.ringline.examples;

import io.ringline.Runtime;
import io.ringline.WorkerStats;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code --metrics}: prints one line per interval (a second on the command line) with what the
 * workers did since the last line, from the deltas of their {@link WorkerStats} summed over all
 * workers: connections open, requests per second (TCP: sends queued, one per reply or echoed
 * piece; UDP: datagrams received), bytes in and out per second, loop iterations per second and
 * kernel entries per request.
 *
 * <pre>
 * ringline echo: metrics: 2 connections open, 41250 sends/s, in 2.6 MB/s, out 2.6 MB/s, 40730 loop iterations/s, 0.99 kernel entries/send
 * </pre>
 *
 * <p>Threading: runs on its own daemon thread, which reads the counters racily (as
 * {@link WorkerStats} allows); {@link #close()} stops it and may be called from any thread.
 */
final class MetricsPrinter implements AutoCloseable {

    /** The option name, without {@code --}. */
    static final String FLAG = "metrics";

    /** Usage text of the option. */
    static final String USAGE = "[--metrics (print connections, requests/s, bytes/s, loop iterations/s and kernel"
            + " entries per request once per second)]";

    /** How often the command line prints a line. */
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final String prefix;
    private final Runtime runtime;
    private final boolean udp;
    private final PrintStream out;
    private final Duration interval;
    private final Thread thread;
    private volatile boolean stopped;

    private MetricsPrinter(String prefix, Runtime runtime, boolean udp, PrintStream out, Duration interval) {
        this.prefix = prefix;
        this.runtime = runtime;
        this.udp = udp;
        this.out = out;
        this.interval = interval;
        this.thread = Thread.ofPlatform().daemon().name("ringline-metrics").unstarted(this::run);
    }

    /**
     * Starts printing.
     *
     * @param prefix   the start of every line, e.g. {@code "ringline echo: "}
     * @param runtime  the runtime whose workers to sum up
     * @param udp      count requests as datagrams received (a UDP-only server) instead of sends
     * @param out      where the lines go
     * @param interval time between lines, {@code > 0}
     * @return the running printer; close it when the runtime stopped
     * @throws IllegalArgumentException if {@code interval} is not positive
     */
    static MetricsPrinter start(String prefix, Runtime runtime, boolean udp, PrintStream out, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("metrics interval must be > 0, was " + interval);
        }
        MetricsPrinter printer = new MetricsPrinter(prefix, runtime, udp, out, interval);
        printer.thread.start();
        return printer;
    }

    private void run() {
        Totals last = Totals.of(runtime, udp);
        long lastNanos = System.nanoTime();
        while (!stopped) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return; // close() stops us
            }
            Totals now = Totals.of(runtime, udp);
            long nanos = System.nanoTime();
            if (stopped) {
                return;
            }
            out.println(prefix + "metrics: " + line(last, now, nanos - lastNanos));
            out.flush();
            last = now;
            lastNanos = nanos;
        }
    }

    /** {@return the line for the change from {@code before} to {@code after} over {@code nanos}} */
    String line(Totals before, Totals after, long nanos) {
        double seconds = Math.max(1, nanos) / 1e9;
        long requests = after.requests() - before.requests();
        long enters = after.kernelEnters() - before.kernelEnters();
        String unit = udp ? "datagram" : "send";
        return String.format(Locale.ROOT, "%d connections open, %.0f %ss/s, in %s/s, out %s/s, %.0f loop iterations/s,"
                        + " %s kernel entries/%s",
                after.connectionsOpen(), requests / seconds, unit,
                bytes((after.bytesIn() - before.bytesIn()) / seconds),
                bytes((after.bytesOut() - before.bytesOut()) / seconds),
                (after.loopIterations() - before.loopIterations()) / seconds,
                requests == 0 ? "-" : String.format(Locale.ROOT, "%.2f", (double) enters / requests), unit);
    }

    private static String bytes(double perSecond) {
        if (perSecond < 1e3) {
            return String.format(Locale.ROOT, "%.0f B", perSecond);
        }
        if (perSecond < 1e6) {
            return String.format(Locale.ROOT, "%.1f kB", perSecond / 1e3);
        }
        if (perSecond < 1e9) {
            return String.format(Locale.ROOT, "%.1f MB", perSecond / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f GB", perSecond / 1e9);
    }

    /** Stops the thread and waits (at most a few seconds) for it to end. Idempotent. */
    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The counters summed over all workers, at one moment. */
    record Totals(long connectionsOpen, long requests, long bytesIn, long bytesOut, long loopIterations,
                  long kernelEnters) {

        static Totals of(Runtime runtime, boolean udp) {
            long open = 0;
            long requests = 0;
            long in = 0;
            long out = 0;
            long loops = 0;
            long enters = 0;
            for (int w = 0; w < runtime.workerCount(); w++) {
                WorkerStats s = runtime.worker(w).stats();
                long closed = s.connectionsClosed(); // read before opened: a close in between cannot go negative
                open += Math.max(0, s.connectionsOpened() - closed);
                requests += udp ? s.datagramsReceived() : s.regionSends() + s.copiedSends() + s.passThroughSends();
                in += s.bytesIn();
                out += s.bytesOut();
                loops += s.loopIterations();
                enters += s.kernelEnters();
            }
            return new Totals(open, requests, in, out, loops, enters);
        }
    }
}
