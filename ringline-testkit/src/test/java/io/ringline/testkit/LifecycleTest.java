package io.ringline.testkit;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import org.junit.jupiter.api.Test;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ports of the in-memory network, connects between runtimes, and what a closed runtime leaves behind: nothing. */
class LifecycleTest {

    private static List<String> ringlineThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("ringline")).sorted().toList();
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Test
    void aClosedRuntimeLeavesNoThreadAndFreesItsPorts() throws Exception {
        List<String> before = ringlineThreads();
        InetSocketAddress address;
        try (Runtime runtime = Runtime.start(Testkit.config().workers(2).shutdownGracePeriod(Duration.ofMillis(200))
                .bind(new InetSocketAddress("127.0.0.1", 0)).build(), worker -> new Echo())) {
            assertEquals(2, runtime.boundAddresses().size());
            address = runtime.boundAddresses().getFirst();
            assertEquals("127.0.0.1", address.getAddress().getHostAddress());
            assertTrue(address.getPort() >= TestkitNetwork.FIRST_LISTEN_PORT, address.toString());
            TestPeer open = Testkit.connect(runtime); // still open at close: the grace period ends, it is reset
            open.output().write(1);
            assertEquals(1, open.input().read());
        }
        Await.until(() -> ringlineThreads().equals(before), () -> "threads left: " + ringlineThreads());
        ConnectException e = assertThrows(ConnectException.class, () -> TestPeer.connect(address));
        assertTrue(e.getMessage().contains(address.toString()), e.getMessage());
        try (Runtime again = Runtime.start(Testkit.config().bind(address).build(), worker -> new Echo())) {
            assertTrue(again.boundAddresses().contains(address), "the port can be bound again at once");
        }
    }

    @Test
    void bindingATakenPortFailsTheStartWithABindExceptionNamingIt() {
        try (Runtime first = Testkit.start(worker -> new Echo())) {
            InetSocketAddress taken = first.boundAddresses().getFirst();
            Config config = Config.builder().backend("testkit").workers(1).bind(taken).build();
            RuntimeException e = assertThrows(RuntimeException.class, () -> Runtime.start(config, worker -> new Echo()));
            Throwable root = rootCause(e);
            assertTrue(root instanceof BindException, root.toString());
            assertTrue(root.getMessage().contains("127.0.0.1:" + taken.getPort()), root.getMessage());
        }
    }

    @Test
    void aRuntimeConnectsToAnotherRuntimesListener() throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        Handler client = new Handler() {
            @Override
            public void onOpen(Connection c) {
                c.send("ping".getBytes(StandardCharsets.US_ASCII));
            }

            @Override
            public int onData(Connection c, ByteBuffer data) {
                if (data.remaining() < 4) {
                    return 0;
                }
                reply.complete(StandardCharsets.US_ASCII.decode(data).toString());
                c.close();
                return 4;
            }
        };
        try (Runtime server = Testkit.start(worker -> new Echo());
             Runtime clients = Runtime.start(Config.builder().backend("testkit").workers(1).build(), worker -> client)) {
            Connection c = clients.connect(server.boundAddresses().getFirst(), Duration.ofSeconds(5))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(server.boundAddresses().getFirst(), c.remoteAddress());
            assertEquals("ping", reply.get(10, TimeUnit.SECONDS));

            InetSocketAddress nowhere = new InetSocketAddress("127.0.0.1", 1);
            Throwable refused = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> clients.connect(nowhere, Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .getCause();
            assertTrue(refused instanceof ConnectException && refused.getMessage().contains("Connection refused"),
                    refused.toString());
        }
    }
}
