package io.ringline.tests.support;

import io.ringline.Config;
import io.ringline.HandlerFactory;
import io.ringline.Runtime;
import io.ringline.spi.Capability;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.Parameter;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What every conformance test class gets: the {@link BackendSpec} under test ({@link #spec}, a
 * JUnit class-template parameter), its configuration ({@link #serverConfig()}, {@link #clientConfig()})
 * and clients for it ({@link #connect(Runtime)}). Extend {@link BackendTest} (every spec) or
 * {@link OncePerBackendTest} (the default spec of each backend), not this class.
 */
public abstract class ConformanceTest {

    /** The configuration under test. */
    @Parameter
    protected BackendSpec spec;

    /**
     * Fails or skips the test unless the spec can run it: its backend is present and available
     * ({@link Backends#require(BackendSpec)}) and declares what {@link Requires} on the test class
     * or method asks for.
     */
    @BeforeEach
    void requireBackend(TestInfo test) {
        Backends.require(spec);
        List<Requires> declared = new ArrayList<>();
        test.getTestClass().map(c -> c.getAnnotation(Requires.class)).ifPresent(declared::add);
        test.getTestMethod().map(m -> m.getAnnotation(Requires.class)).ifPresent(declared::add);
        for (Requires r : declared) {
            Backends.require(spec, List.of(r.value()), r.why());
        }
    }

    /** Skips the rest of the test (naming the spec and {@code why}) unless the spec's backend declares {@code capability}. */
    protected void requires(Capability capability, String why) {
        Backends.require(spec, List.of(capability), why);
    }

    /** {@return the loopback address with port 0 (any free port)} */
    protected static InetSocketAddress loopbackAnyPort() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /**
     * {@return a small configuration on the spec under test: 2 workers, listening on a loopback
     * port chosen by the kernel, 2 s grace period}
     */
    protected Config.Builder serverConfig() {
        return clientConfig().bind(loopbackAnyPort());
    }

    /** {@return like {@link #serverConfig()} but without a listener (outbound connections, timers, regions)} */
    protected Config.Builder clientConfig() {
        return spec.applyTo(Config.builder())
                .workers(2)
                .maxConnectionsPerWorker(1024)
                .blockingPoolSize(4)
                .shutdownGracePeriod(Duration.ofSeconds(2));
    }

    /** Starts a runtime; the caller closes it (try-with-resources). */
    protected static Runtime start(Config.Builder config, HandlerFactory factory) {
        return Runtime.start(config.build(), factory);
    }

    /** {@return the first listen address of {@code runtime}} */
    protected static InetSocketAddress address(Runtime runtime) {
        return runtime.boundAddresses().get(0);
    }

    /** {@return a client connected to {@code runtime}'s first listener} */
    protected Client connect(Runtime runtime) throws IOException {
        return connect(address(runtime));
    }

    /** {@return a client of the kind the spec's backend serves, connected to {@code address}} */
    protected Client connect(InetSocketAddress address) throws IOException {
        return Backends.connector(spec).connect(address);
    }

    /**
     * {@return a client whose reading side holds few bytes, so that the server's sends back up
     * quickly when it does not read: with OS sockets a receive buffer of {@code bytes} (set before
     * connecting); otherwise the backend's own flow-control window applies}
     */
    protected Client connectWithSmallReceiveBuffer(Runtime runtime, int bytes) throws IOException {
        return Backends.hasOsSockets(spec) ? SocketClient.connect(address(runtime), bytes) : connect(runtime);
    }
}
