package io.ringline.testkit;

import io.ringline.Config;
import io.ringline.spi.BackendOptions;

import java.util.concurrent.TimeUnit;

/**
 * The resolved {@link TestkitOptions} of one runtime.
 *
 * @param window          {@link TestkitOptions#WINDOW}, bytes
 * @param maxWriteChunk   {@link TestkitOptions#MAX_WRITE_CHUNK}, bytes, 0: none
 * @param maxReadChunk    the most bytes per delivery: {@link TestkitOptions#MAX_READ_CHUNK}, capped
 *                        by (and when 0 equal to) {@link Config#recvBufferSize()}
 * @param readDelayNanos  {@link TestkitOptions#READ_DELAY_MILLIS} in nanoseconds
 * @param seed            {@link TestkitOptions#SEED}, 0: fixed chunk sizes
 */
record TestkitSettings(int window, int maxWriteChunk, int maxReadChunk, long readDelayNanos, int seed) {

    static TestkitSettings of(Config config, BackendOptions options) {
        int readChunk = options.get(TestkitOptions.MAX_READ_CHUNK);
        int buffer = config.recvBufferSize();
        return new TestkitSettings(
                options.get(TestkitOptions.WINDOW),
                options.get(TestkitOptions.MAX_WRITE_CHUNK),
                readChunk == 0 ? buffer : Math.min(readChunk, buffer),
                TimeUnit.MILLISECONDS.toNanos(options.get(TestkitOptions.READ_DELAY_MILLIS)),
                options.get(TestkitOptions.SEED));
    }
}
