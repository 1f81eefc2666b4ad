package io.ringline.internal;

import io.ringline.BufferRelease;
import io.ringline.Config;
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
 * One send through a connection's whole send path (thread check, limit, queue, statistics, flush
 * scheduling) and its write, on a detached worker without a socket: {@code send} (copy),
 * {@code sendOwned}, and {@code sendReceived} of the buffer an {@code onData} call is shown, lent
 * ({@code received}) or copied because the backend does not lend ({@code receivedCopied}), for
 * {@code size}-byte messages. Run with {@code -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PassThroughSendBenchmark {

    @Param({"send", "owned", "received", "receivedCopied"})
    String call;

    @Param({"64", "16384"})
    int size;

    private Worker worker;
    private ConnectionImpl connection;
    private ByteBuffer data;
    private SendQueueBenchmark.Memory memory;
    private ByteBuffer shown;
    private final BufferRelease ignore = b -> { };

    @Setup
    public void setup() {
        worker = Worker.detached(Config.builder().workers(1).build(), (c, d) -> d.remaining());
        connection = new RecvParseBenchmark.BenchConnection(worker).core;
        data = ByteBuffer.allocateDirect(size);
        memory = new SendQueueBenchmark.Memory(size);
        shown = memory.memory().slice(0, size).asReadOnlyBuffer();
        // Lent: the delivery shows the memory; copied: it shows the buffer without lendable memory.
        worker.delivery().begin(shown, call.equals("received") ? memory : null);
    }

    /** @return bytes still queued (0), so the work is not eliminated */
    @Benchmark
    public long sendAndWrite() {
        switch (call) {
            case "send" -> connection.send(data.clear());
            case "owned" -> connection.sendOwned(data.clear(), ignore);
            default -> connection.sendReceived(shown.clear());
        }
        connection.written(size);
        return connection.pendingSendBytes();
    }
}
