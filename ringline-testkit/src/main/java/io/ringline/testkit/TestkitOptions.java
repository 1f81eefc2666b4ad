package io.ringline.testkit;

import io.ringline.spi.BackendOption;

import java.util.List;

/**
 * The options of the testkit backend, set per runtime with
 * {@code Config.builder().option(TestkitOptions.MAX_READ_CHUNK.name(), 7)} (or as a default with the
 * system property {@code ringline.<name>}). They inject faults deterministically: a handler that is
 * correct under TCP's rules must stay correct with any of them.
 *
 * <p>Immutable constants; thread-safe.
 */
public final class TestkitOptions {

    /** Largest {@link #WINDOW}: 64 MiB. */
    public static final int MAX_WINDOW = 64 << 20;
    /** Largest {@link #MAX_WRITE_CHUNK}: 64 MiB. */
    public static final int MAX_WRITE_CHUNK_LIMIT = 64 << 20;
    /** Largest {@link #MAX_READ_CHUNK}: 16 MiB (the largest {@code Config.recvBufferSize}). */
    public static final int MAX_READ_CHUNK_LIMIT = 16 << 20;
    /** Largest {@link #READ_DELAY_MILLIS}: one minute. */
    public static final int MAX_READ_DELAY_MILLIS = 60_000;

    /**
     * {@code testkit.window}: bytes in flight in one direction of a connection (written, not yet
     * read) before the writer must wait, like a TCP window: a flush takes at most what fits (a
     * short write), a {@link TestPeer} output blocks. The reading side's value applies; a
     * {@link TestPeer} uses the server's for both directions. Default 256 KiB, range [1, 64 MiB].
     */
    public static final BackendOption<Integer> WINDOW = BackendOption.intRange("testkit.window",
            256 * 1024, 1, MAX_WINDOW, "bytes in flight per direction of a connection before the writer waits");

    /**
     * {@code testkit.maxWriteChunk}: the most bytes one flush writes (short writes: the core gets
     * to flush the rest later). 0 (the default): only the window limits. Range [0, 64 MiB].
     */
    public static final BackendOption<Integer> MAX_WRITE_CHUNK = BackendOption.intRange("testkit.maxWriteChunk",
            0, 0, MAX_WRITE_CHUNK_LIMIT, "most bytes one flush writes (short writes); 0: only the window limits");

    /**
     * {@code testkit.maxReadChunk}: received bytes are delivered to the core in chunks of at most
     * this many (split reads); never more than {@code Config.recvBufferSize} (the driver's read
     * buffer). 0 (the default): {@code Config.recvBufferSize}. Range [0, 16 MiB].
     */
    public static final BackendOption<Integer> MAX_READ_CHUNK = BackendOption.intRange("testkit.maxReadChunk",
            0, 0, MAX_READ_CHUNK_LIMIT, "most bytes delivered per read (split reads); 0: Config.recvBufferSize");

    /**
     * {@code testkit.readDelayMillis}: bytes become readable by the core this long after they were
     * written (delayed reads; the end of stream follows the last byte). 0 (the default): at once.
     * Range [0, 60000].
     */
    public static final BackendOption<Integer> READ_DELAY_MILLIS = BackendOption.intRange("testkit.readDelayMillis",
            0, 0, MAX_READ_DELAY_MILLIS, "milliseconds before written bytes become readable by the core (delayed reads)");

    /**
     * {@code testkit.seed}: 0 (the default) makes every chunk as large as allowed (and available);
     * any other value draws each chunk's size uniformly from [1, the maximum] with a generator
     * seeded from it and the connection's sequence number on its worker, so a run repeats: every
     * read (the maximum: {@link #MAX_READ_CHUNK}, or {@code Config.recvBufferSize}), and every
     * flush if {@link #MAX_WRITE_CHUNK} is set. Range [0, 2^31-1].
     */
    public static final BackendOption<Integer> SEED = BackendOption.intRange("testkit.seed",
            0, 0, Integer.MAX_VALUE, "0: fixed chunk sizes; else the seed of random chunk sizes in [1, max chunk]");

    private static final List<BackendOption<?>> ALL =
            List.of(WINDOW, MAX_WRITE_CHUNK, MAX_READ_CHUNK, READ_DELAY_MILLIS, SEED);

    private TestkitOptions() {
    }

    /** {@return every option of the testkit backend, as {@link TestkitBackendProvider#options()} declares them} */
    public static List<BackendOption<?>> all() {
        return ALL;
    }
}
