package io.ringline.internal;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
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
 * Receive accumulation of a large frame (issue 7): one operation delivers a frame of
 * {@code frameMiB} MiB in 16 KiB reads to a handler that consumes nothing until the whole frame is
 * there and then consumes all of it. Linear accumulation keeps the time per MiB constant across
 * frame sizes; a buffer that is compacted on every read makes it grow with the frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class FrameAccumulationBenchmark {

    static final int READ_SIZE = 16 * 1024;

    @Param({"1", "4", "16"})
    int frameMiB;

    private RecvParseBenchmark.BenchConnection connection;
    private WholeFrame handler;
    private ByteBuffer read;

    /** Needs the whole frame: consumes 0 until {@code frameSize} bytes are there, then all of them. */
    static final class WholeFrame implements Handler {
        final int frameSize;
        long frames;

        WholeFrame(int frameSize) {
            this.frameSize = frameSize;
        }

        @Override
        public int onData(Connection c, ByteBuffer data) {
            if (data.remaining() < frameSize) {
                return 0;
            }
            frames++;
            return frameSize;
        }
    }

    @Setup
    public void setup() {
        int frameSize = frameMiB << 20;
        handler = new WholeFrame(frameSize);
        connection = new RecvParseBenchmark.BenchConnection(Worker.detached(Config.builder().workers(1).build(), handler));
        read = ByteBuffer.allocateDirect(READ_SIZE);
        for (int i = 0; i < READ_SIZE; i++) {
            read.put(i, (byte) i);
        }
    }

    /** @return frames parsed so far */
    @Benchmark
    public long deliverOneFrame() {
        int reads = (frameMiB << 20) / READ_SIZE;
        for (int i = 0; i < reads; i++) {
            read.clear();
            connection.core.received(read);
        }
        return handler.frames;
    }
}
