package io.ringline.internal;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.spi.Transport;
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
 * Receive hot path: {@link ConnectionImpl#received} with a length-prefixed parser as the handler,
 * which is called once per message on the read buffer itself (in place) or on the accumulator's
 * view, parsing relative to {@code data.position()}.
 * One operation delivers one read of {@code readSize} bytes holding {@code msgSize}-byte messages;
 * when the read size is not a multiple of the message size, every read ends inside a message, so
 * the accumulator keeps the tail and presents it again with the next read.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RecvParseBenchmark {

    @Param({"64", "1024"})
    int msgSize;

    @Param({"16384", "16000"})
    int readSize;

    private BenchConnection connection;
    private ByteBuffer stream;
    private ByteBuffer read;
    /** Read-only twin of {@link #read}, what a backend reports (the SPI requires read-only direct). */
    private ByteBuffer shown;
    private LengthPrefixed parser;

    /** Consumes whole messages (4-byte length + body), one per call, like a typical protocol handler. */
    static final class LengthPrefixed implements Handler {
        long messages;

        @Override
        public int onData(Connection c, ByteBuffer data) {
            if (data.remaining() < 4) {
                return 0;
            }
            int len = data.getInt(data.position());
            if (data.remaining() < 4 + len) {
                return 0;
            }
            messages++;
            return 4 + len;
        }
    }

    /** A connection without a socket: only the core's receive path runs ({@link #core} is its core). */
    static final class BenchConnection implements Transport {
        final ConnectionImpl core;

        BenchConnection(Worker worker) {
            this.core = new ConnectionImpl(worker, this, null, null);
        }

        @Override
        public void flush() {
        }

        @Override
        public void shutdownOutput() {
        }

        @Override
        public void close(boolean reset) {
        }

        @Override
        public void readingPausedChanged(boolean paused) {
        }
    }

    @Setup
    public void setup() {
        parser = new LengthPrefixed();
        Config config = Config.builder().workers(1).build();
        connection = new BenchConnection(Worker.detached(config, parser));
        // A long stream of messages; reads are taken from it cyclically.
        int count = Math.max(64, 4 * readSize / msgSize);
        stream = ByteBuffer.allocateDirect(count * msgSize);
        for (int i = 0; i < count; i++) {
            stream.putInt(msgSize - 4);
            stream.position(stream.position() + msgSize - 4);
        }
        stream.clear();
        read = ByteBuffer.allocateDirect(readSize);
        shown = read.asReadOnlyBuffer();
    }

    /** @return messages parsed so far */
    @Benchmark
    public long deliverOneRead() {
        read.clear();
        while (read.hasRemaining()) {
            if (!stream.hasRemaining()) {
                stream.clear();
            }
            int n = Math.min(read.remaining(), stream.remaining());
            read.put(read.position(), stream, stream.position(), n);
            read.position(read.position() + n);
            stream.position(stream.position() + n);
        }
        connection.core.received(shown.clear().limit(read.position()));
        return parser.messages;
    }
}
