package io.ringline.tests.support;

import io.ringline.Config;
import io.ringline.HandlerFactory;
import io.ringline.Runtime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Base of every conformance test class: the class runs once per backend of {@link Backends#ALL}
 * (a JUnit class template), with {@link #backend} set to the backend's name. Tests of a backend
 * that is unavailable here are skipped with the provider's reason (or fail, see
 * {@link Backends#assumeAvailable}).
 */
@ParameterizedClass(name = "[{0}]")
@MethodSource("io.ringline.tests.support.Backends#names")
public abstract class BackendTest {

    /** The backend under test. */
    @Parameter
    protected String backend;

    @BeforeEach
    void requireBackend() {
        Backends.assumeAvailable(backend);
    }

    /** {@return the loopback address with port 0 (any free port)} */
    protected static InetSocketAddress loopbackAnyPort() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /**
     * {@return a small configuration on the backend under test: 2 workers, listening on a loopback
     * port chosen by the kernel, 2 s grace period}
     */
    protected Config.Builder serverConfig() {
        return clientConfig().bind(loopbackAnyPort());
    }

    /** {@return like {@link #serverConfig()} but without a listener (outbound connections, timers, regions)} */
    protected Config.Builder clientConfig() {
        return Config.builder()
                .backend(backend)
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
}
