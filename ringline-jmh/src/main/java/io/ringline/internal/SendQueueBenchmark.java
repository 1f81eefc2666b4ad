package io.ringline.internal;

import io.ringline.BufferRelease;
import io.ringline.spi.ReceivedMemory;
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
 * Send queue hot path by entry kind: {@code batch} sends of {@code size} bytes, copied
 * ({@code send}: coalesced into pooled chunks), owned ({@code sendOwned}: the buffer itself) or lent
 * ({@code sendReceived} from a backend's receive memory: a reused view), then gathered by index
 * (buffer and address, as a backend's flush does) and consumed as one write would. Run with
 * {@code -prof gc}: every kind should show 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SendQueueBenchmark {

    @Param({"copy", "owned", "lent"})
    String kind;

    @Param({"64", "16384"})
    int size;

    @Param({"1", "16"})
    int batch;

    private SendQueue queue;
    private ByteBuffer payload;
    private ByteBuffer[] owned;
    private final BufferRelease ignore = b -> { };
    private Memory memory;
    private ByteBuffer delivered;
    private final ByteBuffer[] gather = new ByteBuffer[64];
    private final long[] addresses = new long[64];

    /** A backend's receive buffer that always lends (counted, like a real one). */
    static final class Memory implements ReceivedMemory {
        final ByteBuffer memory;
        int borrows;

        Memory(int size) {
            memory = ByteBuffer.allocateDirect(size);
        }

        @Override
        public ByteBuffer memory() {
            return memory;
        }

        @Override
        public int offset() {
            return 0;
        }

        @Override
        public boolean tryRetain() {
            borrows++;
            return true;
        }

        @Override
        public void release() {
            borrows--;
        }
    }

    @Setup
    public void setup() {
        queue = new SendQueue(new BufferPool(16 * 1024, 256), new RegionTable(0), new LentViews(1024));
        payload = ByteBuffer.allocateDirect(size);
        owned = new ByteBuffer[batch];
        for (int i = 0; i < batch; i++) {
            owned[i] = ByteBuffer.allocateDirect(size);
        }
        memory = new Memory(size);
        delivered = memory.memory().slice(0, size).asReadOnlyBuffer();
    }

    /** @return bytes written, so the work is not eliminated */
    @Benchmark
    public long appendGatherConsume() {
        switch (kind) {
            case "copy" -> {
                for (int i = 0; i < batch; i++) {
                    queue.appendCopy(payload.clear());
                }
            }
            case "owned" -> {
                for (int i = 0; i < batch; i++) {
                    queue.appendOwned(owned[i].clear(), ignore);
                }
            }
            default -> {
                for (int i = 0; i < batch; i++) {
                    memory.tryRetain();
                    queue.appendLent(memory, delivered.clear());
                }
            }
        }
        long total = 0;
        while (!queue.isEmpty()) {
            int k = Math.min(gather.length, queue.size());
            long n = 0;
            for (int i = 0; i < k; i++) {
                gather[i] = queue.buffer(i);
                addresses[i] = queue.address(i);
                n += gather[i].remaining();
            }
            queue.consumed(n);
            total += n;
        }
        return total;
    }
}
