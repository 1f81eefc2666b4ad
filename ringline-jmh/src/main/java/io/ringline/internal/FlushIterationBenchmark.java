package io.ringline.internal;

import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * What a backend's flush reads from the send queue: {@code size()}, then {@code buffer(i)},
 * {@code address(i)} and {@code regionSlot(i)} for each of {@code entries} queued entries (owned
 * buffers and region views alternating, as a RESP GET reply of header + value does), without
 * consuming them. Should allocate nothing and cost a few ns per entry.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class FlushIterationBenchmark {

    @Param({"1", "16", "64"})
    int entries;

    private Arena arena;
    private SendQueue queue;

    @Setup(Level.Trial)
    public void setup() {
        arena = Arena.ofShared();
        RegionTable regions = new RegionTable(1);
        MemoryRegion region = MemoryRegion.of(arena.allocate(1 << 16));
        regions.install(0, region);
        queue = new SendQueue(new BufferPool(16 * 1024, 16), regions, new LentViews(16));
        RegionId id = new RegionId(0);
        for (int i = 0; i < entries; i++) {
            if (i % 2 == 0) {
                queue.appendOwned(ByteBuffer.allocateDirect(32), b -> { });
            } else {
                regions.acquire(id, 64L * i, 64);
                queue.appendRegion(region, 0, 64L * i, 64);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** @return a sum of what was read, so the reads are not eliminated */
    @Benchmark
    public long readEveryEntry() {
        long sum = 0;
        int n = queue.size();
        for (int i = 0; i < n; i++) {
            ByteBuffer b = queue.buffer(i);
            sum += b.remaining() + queue.address(i) + queue.regionSlot(i);
        }
        return sum;
    }
}
