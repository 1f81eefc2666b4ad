package io.ringline.testkit;

import io.ringline.Config;
import io.ringline.IdleStrategy;
import io.ringline.Runtime;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Byte-exact echo through the in-memory network, also with short writes and split reads. */
class EchoTest {

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Connects {@code peers} peers, each writing {@code size} bytes in writes of random size while reading the echo. */
    private static void echo(Config config, int peers, int size) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2 * peers);
        try (Runtime runtime = Runtime.start(config, worker -> new Echo())) {
            List<Future<byte[]>> echoes = new ArrayList<>();
            List<byte[]> sent = new ArrayList<>();
            for (int p = 0; p < peers; p++) {
                byte[] data = random(size, p);
                sent.add(data);
                TestPeer peer = TestPeer.connect(runtime.boundAddresses().getFirst());
                long seed = p;
                pool.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    for (int off = 0; off < data.length; ) {
                        int n = Math.min(data.length - off, 1 + rnd.nextInt(64 * 1024));
                        peer.output().write(data, off, n);
                        off += n;
                    }
                    peer.shutdownOutput();
                    return null;
                });
                echoes.add(pool.submit(() -> {
                    try (peer) {
                        byte[] back = peer.input().readNBytes(size + 1);
                        return back;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }));
            }
            for (int p = 0; p < peers; p++) {
                byte[] back = echoes.get(p).get(60, TimeUnit.SECONDS);
                assertEquals(size, back.length, "peer " + p + ": every byte, then the end of stream");
                assertArrayEquals(sent.get(p), back, "peer " + p + ": byte-exact");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void echoesOneMebibyteByteExactToManyPeers() throws Exception {
        echo(Testkit.config().workers(2).build(), 8, 1 << 20);
    }

    @Test
    void echoesByteExactWhenTheWorkerPollsWithoutBlocking() throws Exception {
        echo(Testkit.config().workers(2)
                .idleStrategy(IdleStrategy.backoff(10, 10, Duration.ofNanos(1000), Duration.ofMillis(1)))
                .option(TestkitOptions.MAX_READ_CHUNK.name(), 1000)
                .build(), 4, 256 * 1024);
    }

    @Test
    void echoesByteExactWithFixedShortWritesAndSplitReads() throws Exception {
        echo(Testkit.config()
                .option(TestkitOptions.MAX_WRITE_CHUNK.name(), 7)
                .option(TestkitOptions.MAX_READ_CHUNK.name(), 5)
                .build(), 2, 64 * 1024);
    }

    @Test
    void echoesByteExactWithSeededRandomChunksAndATinyWindow() throws Exception {
        echo(Testkit.config().workers(2)
                .option(TestkitOptions.MAX_WRITE_CHUNK.name(), 13)
                .option(TestkitOptions.MAX_READ_CHUNK.name(), 11)
                .option(TestkitOptions.WINDOW.name(), 100)
                .option(TestkitOptions.SEED.name(), 42)
                .build(), 4, 128 * 1024);
    }
}
