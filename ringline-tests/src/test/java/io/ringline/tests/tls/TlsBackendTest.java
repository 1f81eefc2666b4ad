package io.ringline.tests.tls;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.HandlerFactory;
import io.ringline.Runtime;
import io.ringline.TlsConfig;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;

import java.io.IOException;
import java.time.Duration;
import java.util.function.ToLongFunction;

/**
 * Base of the TLS conformance classes: a {@link BackendTest} (every spec) with a TLS listener
 * ({@link #startTls}) and JDK {@link TlsClient}s for it.
 */
abstract class TlsBackendTest extends BackendTest {

    /** {@return {@link #clientConfig()} listening on a loopback port with {@code tls}} */
    protected Config.Builder tlsServerConfig(TlsConfig tls) {
        return clientConfig().bind(loopbackAnyPort(), tls);
    }

    /** Starts a runtime serving {@code tls} on one loopback listener. */
    protected Runtime startTls(TlsConfig tls, HandlerFactory factory) {
        return start(tlsServerConfig(tls), factory);
    }

    /** {@return a TLS client with the default options connected to {@code runtime}'s listener} */
    protected TlsClient connectTls(Runtime runtime) throws IOException {
        return TlsClient.connect(spec, address(runtime));
    }

    /** {@return a TLS client with {@code options} connected to {@code runtime}'s listener} */
    protected TlsClient connectTls(Runtime runtime, TlsClient.Options options) throws IOException {
        return TlsClient.connect(spec, address(runtime), options);
    }

    /**
     * Waits until the server side of {@code c} completed its handshake (the client finished its
     * own already): a few seconds at most, since nothing but the client's last flight is awaited.
     */
    protected static void awaitServerHandshake(Connection c) {
        Await.until(Duration.ofSeconds(5), () -> c.tls().isPresent(),
                "the server's handshake completes once the client's handshake did");
    }

    /** {@return the sum of a counter over every worker of {@code runtime}} */
    protected static long sum(Runtime runtime, ToLongFunction<io.ringline.WorkerStats> counter) {
        long n = 0;
        for (int i = 0; i < runtime.workerCount(); i++) {
            n += counter.applyAsLong(runtime.worker(i).stats());
        }
        return n;
    }
}
