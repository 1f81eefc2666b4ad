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

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Send queue hot path: {@code batch} copied sends of {@code size} bytes coalesced into pooled
 * chunks, gathered, then consumed as one write would.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SendQueueBenchmark {

    @Param({"64", "1024", "16384"})
    int size;

    @Param({"1", "16"})
    int batch;

    private SendQueue queue;
    private RegionTable regions;
    private ByteBuffer payload;
    private final ByteBuffer[] gather = new ByteBuffer[64];

    @Setup
    public void setup() {
        BufferPool pool = new BufferPool(16 * 1024, 256);
        regions = new RegionTable(0);
        queue = new SendQueue(pool, regions, new LentViews(16));
        payload = ByteBuffer.allocateDirect(size);
    }

    /** @return bytes written, so the work is not eliminated */
    @Benchmark
    public long appendGatherConsume() {
        for (int i = 0; i < batch; i++) {
            queue.appendCopy(payload.clear());
        }
        long total = 0;
        while (!queue.isEmpty()) {
            int k = Math.min(gather.length, queue.size());
            long n = 0;
            for (int i = 0; i < k; i++) {
                gather[i] = queue.buffer(i);
                n += gather[i].remaining();
            }
            queue.consumed(n);
            total += n;
        }
        return total;
    }
}
