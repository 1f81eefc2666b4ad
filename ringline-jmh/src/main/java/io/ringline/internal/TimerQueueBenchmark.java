package io.ringline.internal;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Timer hot path: with {@code pending} timers outstanding (e.g. one idle timeout per connection),
 * schedule one, cancel one (the common fate of a timeout), and run one that is due.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class TimerQueueBenchmark {

    @Param({"16", "10000"})
    int pending;

    private TimerQueue timers;
    private long now;
    private long ran;
    private final Runnable task = () -> ran++;

    @Setup
    public void setup() {
        timers = new TimerQueue();
        for (int i = 0; i < pending; i++) {
            timers.schedule(1_000_000_000L + i, task);
        }
    }

    /** @return timers run so far */
    @Benchmark
    public long scheduleCancelRunDue() {
        now++;
        timers.schedule(now + 1_000_000_000L, task).cancel();
        timers.schedule(now, task);
        TimerQueue.Timer due = timers.pollDue(now);
        if (due != null) {
            due.run();
        }
        return ran;
    }
}
