package io.ringline.internal;

import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;

/**
 * Region send bookkeeping: validate and reference a region slice, queue it without copying, write
 * it, release the reference — everything a region send costs besides the syscall.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RegionSendBenchmark {

    private Arena arena;
    private RegionTable regions;
    private SendQueue queue;
    private final RegionId id = new RegionId(3);
    private long offset;

    @Setup
    public void setup() {
        arena = Arena.ofShared();
        regions = new RegionTable(8);
        regions.install(3, MemoryRegion.of(arena.allocate(1 << 20)));
        queue = new SendQueue(new BufferPool(16 * 1024, 16), regions, new LentViews(16));
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    /** @return bytes queued and written */
    @Benchmark
    public long acquireQueueRelease() {
        offset = (offset + 4096) & ((1 << 20) - 1);
        MemoryRegion r = regions.acquire(id, offset, 4096);
        queue.appendRegion(r, id.slot(), offset, 4096);
        long n = queue.bytes();
        queue.consumed(n);
        return n;
    }
}
