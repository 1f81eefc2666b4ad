package io.ringline.testkit;

import io.ringline.Config;
import io.ringline.HandlerFactory;
import io.ringline.Runtime;

import java.net.ConnectException;
import java.net.InetSocketAddress;

/**
 * Runs handlers on the in-memory testkit backend in unit tests: no sockets, no ports of the
 * machine, deterministic fault injection ({@link TestkitOptions}).
 *
 * <pre>{@code
 * try (Runtime runtime = Testkit.start(worker -> new MyHandler());
 *      TestPeer peer = Testkit.connect(runtime)) {
 *     peer.output().write(request);
 *     assertArrayEquals(expected, peer.input().readNBytes(expected.length));
 * }
 *
 * // with faults: replies written 3 bytes at a time, requests delivered 1 byte at a time
 * Config config = Testkit.config()
 *         .option(TestkitOptions.MAX_WRITE_CHUNK.name(), 3)
 *         .option(TestkitOptions.MAX_READ_CHUNK.name(), 1)
 *         .build();
 * try (Runtime runtime = Runtime.start(config, worker -> new MyHandler())) { ... }
 * }</pre>
 *
 * <p>Thread-safe (static helpers).
 */
public final class Testkit {

    private Testkit() {
    }

    /**
     * {@return a configuration builder for the testkit backend: 1 worker, one listener on
     * {@code 127.0.0.1} with a fresh port} Add options or other settings, then
     * {@code Runtime.start(builder.build(), factory)}.
     */
    public static Config.Builder config() {
        return Config.builder()
                .backend(TestkitBackendProvider.NAME)
                .workers(1)
                .bind(new InetSocketAddress(TestkitNetwork.HOST, 0));
    }

    /**
     * Starts a runtime on the testkit backend with {@link #config()}.
     *
     * @param factory creates the handler (of the one worker)
     * @return the started runtime; close it at the end of the test
     * @throws io.ringline.RinglineException as {@link Runtime#start} does
     */
    public static Runtime start(HandlerFactory factory) {
        return Runtime.start(config().build(), factory);
    }

    /**
     * Connects a {@link TestPeer} to the first listener of {@code runtime}.
     *
     * @param runtime a runtime on the testkit backend with a listener
     * @return the connected peer
     * @throws IllegalArgumentException if {@code runtime} does not run the testkit backend or has no listener
     * @throws ConnectException         if the listener closed meanwhile
     */
    public static TestPeer connect(Runtime runtime) throws ConnectException {
        if (!TestkitBackendProvider.NAME.equals(runtime.backendName())) {
            throw new IllegalArgumentException("runtime runs the " + runtime.backendName() + " backend, not "
                    + TestkitBackendProvider.NAME + ": connect a java.net.Socket instead");
        }
        if (runtime.boundAddresses().isEmpty()) {
            throw new IllegalArgumentException("runtime has no listener: add Config.Builder.bind");
        }
        return TestPeer.connect(runtime.boundAddresses().getFirst());
    }
}
