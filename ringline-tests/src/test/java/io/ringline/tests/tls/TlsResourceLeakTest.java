package io.ringline.tests.tls;

import io.ringline.Runtime;
import io.ringline.spi.Capability;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.EchoHandler;
import io.ringline.tests.support.Leaks;
import io.ringline.tests.support.OncePerBackendTest;
import io.ringline.tests.support.Requires;
import org.junit.jupiter.api.Test;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Runtimes serving TLS connections (both providers) release their threads, descriptors and direct memory. */
@Requires(value = Capability.OS_SOCKETS, why = "counts file descriptors")
class TlsResourceLeakTest extends OncePerBackendTest {

    private static final int ITERATIONS = 8;
    private static final int CONNECTIONS = 3;
    /** Descriptors the JVM may open on its own meanwhile; a leak of one per connection would show as 24. */
    private static final int FD_TOLERANCE = 3;
    /** Direct memory the JDK may keep meanwhile (its own caches); a leaked receive or send buffer per connection would show as megabytes. */
    private static final long DIRECT_TOLERANCE = 512 * 1024;

    @Test
    void tlsConnectionsAndRuntimesLeakNothing() throws Exception {
        Set<Thread> threadsBefore = Leaks.ringlineThreads();
        cycle(TlsProviders.JDK); // warm-up: classes, the JVM's own descriptors, Netty's and BoringSSL's one-time state
        cycle(TlsProviders.BORINGSSL);
        Leaks.awaitNoNewRinglineThreads(threadsBefore, Duration.ofSeconds(20));
        long fdsBefore = Leaks.openFileDescriptors();
        long directBefore = direct();
        for (int i = 0; i < ITERATIONS; i++) {
            cycle(TlsProviders.values()[i % 2]);
        }
        Leaks.awaitNoNewRinglineThreads(threadsBefore, Duration.ofSeconds(20));
        Await.until(Duration.ofSeconds(20), () -> Leaks.openFileDescriptors() <= fdsBefore + FD_TOLERANCE,
                () -> "descriptors: " + fdsBefore + " before " + ITERATIONS + " TLS runtimes, " + Leaks.openFileDescriptors() + " after");
        Await.until(Duration.ofSeconds(20), () -> {
            System.gc(); // buffers the runtime dropped are freed by their cleaners
            return direct() <= directBefore + DIRECT_TOLERANCE;
        }, () -> "direct memory: " + directBefore + " B before " + ITERATIONS + " TLS runtimes, " + direct() + " B after");
    }

    private static long direct() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }

    /** One runtime: a few TLS connections echo and close, then the runtime shuts down. */
    private void cycle(TlsProviders provider) throws Exception {
        EchoHandler echo = EchoHandler.plain();
        try (Runtime rt = start(clientConfig().bind(loopbackAnyPort(), provider.server().build()), w -> echo)) {
            for (int i = 0; i < CONNECTIONS; i++) {
                try (TlsClient client = TlsClient.connect(spec, rt.boundAddresses().get(0))) {
                    client.write(new byte[] {1, 2, 3});
                    assertArrayEquals(new byte[] {1, 2, 3}, client.readExactly(3));
                }
            }
            echo.awaitCloses(CONNECTIONS);
        }
    }
}
