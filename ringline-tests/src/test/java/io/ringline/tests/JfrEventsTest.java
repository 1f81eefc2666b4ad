package io.ringline.tests;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import io.ringline.Runtime;
import io.ringline.TlsConfig;
import io.ringline.jfr.WorkerStallEvent;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.OncePerBackendTest;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code io.ringline.jfr} events: a runtime under a {@link Recording} made from the bundled
 * {@code ringline.jfc} emits connection, stall, region, backpressure, TLS and statistics events with
 * their fields, as read back from the dumped file.
 */
class JfrEventsTest extends OncePerBackendTest {

    private static final Path CERT = Path.of("../testdata/tls/server.crt");
    private static final Path KEY = Path.of("../testdata/tls/server.key");

    /** "slow": a 30 ms onData (above the 10 ms stall threshold); "fill": trySend until refused; "pause": pause + resume. */
    static final class Server implements Handler {
        final AtomicBoolean refused = new AtomicBoolean();
        final List<CloseReason> closed = new CopyOnWriteArrayList<>();

        @Override
        public int onData(Connection c, ByteBuffer data) {
            int n = data.remaining();
            byte[] b = new byte[n];
            data.get(b);
            String command = new String(b, StandardCharsets.US_ASCII);
            switch (command) {
                case "slow" -> {
                    sleepMillis(30);
                    c.send("done".getBytes(StandardCharsets.US_ASCII));
                }
                case "fill" -> {
                    ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
                    for (int i = 0; i < 10_000 && !refused.get(); i++) {
                        refused.set(!c.trySend(chunk.clear()));
                    }
                }
                case "pause" -> {
                    c.pauseReading();
                    c.resumeReading();
                    c.send("done".getBytes(StandardCharsets.US_ASCII));
                }
                default -> c.send(b);
            }
            return n;
        }

        @Override
        public void onClose(Connection c, CloseReason reason, Throwable cause) {
            closed.add(reason);
        }
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms); // the slow callback under test, not a wait for an event
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@return the bundled settings, read from the ringline-api jar as a user would} */
    private static Configuration ringlineJfc() throws Exception {
        try (InputStream in = WorkerStallEvent.class.getResourceAsStream("ringline.jfc")) {
            assertNotNull(in, "io/ringline/jfr/ringline.jfc is in the ringline-api jar");
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                return Configuration.create(r);
            }
        }
    }

    private static List<RecordedEvent> dump(Recording rec, Path file) throws IOException {
        rec.dump(file);
        return RecordingFile.readAllEvents(file);
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name, Predicate<RecordedEvent> filter) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).filter(filter).toList();
    }

    @Test
    void bundledSettingsEnableEveryRinglineEvent() throws Exception {
        Configuration c = ringlineJfc();
        assertEquals("ringline", c.getLabel());
        for (String event : List.of("ConnectionOpened", "ConnectionClosed", "WorkerStall", "RegionRegistered",
                "RegionUnregistered", "Backpressure", "ReceiveBufferExhausted", "TlsHandshake", "WorkerStatistics")) {
            assertEquals("true", c.getSettings().get("ringline." + event + "#enabled"), event + " enabled");
        }
        assertEquals("10 ms", c.getSettings().get("ringline.WorkerStall#threshold"));
        assertEquals("1 s", c.getSettings().get("ringline.WorkerStatistics#period"));
    }

    @Test
    void aRecordingSeesConnectionsStallsRegionsBackpressureTlsAndStatistics() throws Exception {
        Path file = Files.createTempFile("ringline-jfr", ".jfr");
        Server server = new Server();
        try (Recording rec = new Recording(ringlineJfc())) {
            rec.enable("ringline.WorkerStatistics").withPeriod(Duration.ofMillis(100));
            rec.start();
            int port;
            try (Runtime rt = start(serverConfig().workers(1).sendQueueLimit(256 * 1024), w -> server)) {
                port = address(rt).getPort();
                try (Client c = connect(rt)) {
                    c.write("slow".getBytes(StandardCharsets.US_ASCII));
                    assertEquals("done", new String(c.readExactly(4), StandardCharsets.US_ASCII));
                    c.write("pause".getBytes(StandardCharsets.US_ASCII));
                    assertEquals("done", new String(c.readExactly(4), StandardCharsets.US_ASCII));
                }
                Await.until(() -> !server.closed.isEmpty(), "the first connection closed");
                try (Client c = connectWithSmallReceiveBuffer(rt, 4096)) {
                    c.write("fill".getBytes(StandardCharsets.US_ASCII));
                    Await.until(server.refused::get, "a trySend was refused for the full send queue");
                }
                CompletableFuture<Void> slowTask = new CompletableFuture<>();
                rt.worker(0).execute(() -> {
                    sleepMillis(30);
                    slowTask.complete(null);
                });
                slowTask.get(10, TimeUnit.SECONDS);
                RegionId id = rt.shutdownHandle().registerRegion(MemoryRegion.allocate(8192));
                rt.shutdownHandle().unregisterRegion(id);
                handshakeOverTls();
                Await.until(() -> {
                    try {
                        return !named(dump(rec, file), "ringline.WorkerStatistics",
                                e -> e.getLong("connectionsClosed") >= 1 && e.getLong("bytesIn") >= 9).isEmpty();
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                }, "a WorkerStatistics sample after the first connection closed");
            }
            rec.stop();
            List<RecordedEvent> events = dump(rec, file);
            String backend = spec.backend();
            Predicate<RecordedEvent> ours = e -> String.valueOf(e.getString("localAddress")).endsWith(":" + port);

            List<RecordedEvent> opened = named(events, "ringline.ConnectionOpened", ours);
            assertEquals(2, opened.size(), () -> "two connections opened: " + opened);
            assertEquals(backend, opened.get(0).getString("backend"));
            assertEquals(0, opened.get(0).getInt("worker"));
            assertFalse(opened.get(0).getBoolean("tls"));
            assertNotNull(opened.get(0).getString("remoteAddress"));

            List<RecordedEvent> closed = named(events, "ringline.ConnectionClosed", ours);
            assertEquals(2, closed.size(), () -> "two connections closed: " + closed);
            RecordedEvent first = closed.get(0);
            assertEquals(backend, first.getString("backend"));
            assertEquals(server.closed.get(0).name(), first.getString("reason"));
            assertEquals(9, first.getLong("bytesIn"), "slow + pause");
            assertEquals(8, first.getLong("bytesOut"), "done + done");
            assertTrue(first.getDuration("lifetime").toMillis() >= 30, "the connection lived through the 30 ms callback");

            List<RecordedEvent> stalls = named(events, "ringline.WorkerStall", e -> "onData".equals(e.getString("callback")));
            assertEquals(1, stalls.size(), () -> "one slow onData: " + stalls);
            assertEquals(Server.class.getName(), stalls.get(0).getString("handlerClass"));
            assertTrue(stalls.get(0).getDuration().toMillis() >= 30, "its duration is the callback's");
            List<RecordedEvent> passes = named(events, "ringline.WorkerStall", e -> "loopPass".equals(e.getString("callback")));
            assertFalse(passes.isEmpty(), "the loop pass that ran the slow task stalled");
            assertTrue(passes.stream().allMatch(e -> e.getString("handlerClass") == null && e.getDuration().toMillis() >= 10),
                    () -> "loop passes name no handler and took at least the threshold: " + passes);

            List<RecordedEvent> refusals = named(events, "ringline.Backpressure", e -> "SEND_REFUSED".equals(e.getString("kind")));
            assertFalse(refusals.isEmpty(), "a refused send");
            assertEquals("connection", refusals.get(0).getString("channel"));
            assertEquals(256 * 1024, refusals.get(0).getLong("limit"));
            assertEquals(64 * 1024, refusals.get(0).getLong("requested"));
            assertTrue(refusals.get(0).getLong("queued") + 64 * 1024 > 256 * 1024, "it did not fit");
            assertEquals(1, named(events, "ringline.Backpressure", e -> "READ_PAUSED".equals(e.getString("kind"))).size());
            assertEquals(1, named(events, "ringline.Backpressure", e -> "READ_RESUMED".equals(e.getString("kind"))).size());

            List<RecordedEvent> registered = named(events, "ringline.RegionRegistered", e -> true);
            assertEquals(1, registered.size());
            assertEquals(8192, registered.get(0).getLong("size"));
            assertTrue(registered.get(0).getDuration("broadcast").toNanos() > 0);
            List<RecordedEvent> unregistered = named(events, "ringline.RegionUnregistered", e -> true);
            assertEquals(1, unregistered.size());
            assertEquals(registered.get(0).getInt("slot"), unregistered.get(0).getInt("slot"));
            assertEquals(8192, unregistered.get(0).getLong("size"));

            List<RecordedEvent> handshakes = named(events, "ringline.TlsHandshake", e -> true);
            assertEquals(2, handshakes.size(), () -> "the server's and the client's handshake: " + handshakes);
            for (RecordedEvent h : handshakes) {
                assertTrue(h.getBoolean("success"));
                assertEquals("TLSv1.3", h.getString("protocol"));
                assertTrue(h.getString("cipherSuite").startsWith("TLS_"), h.getString("cipherSuite"));
                assertTrue(h.getDuration("handshakeDuration").toNanos() > 0);
            }
            assertEquals(1, handshakes.stream().filter(h -> h.getBoolean("server")).count());
            assertTrue(named(events, "ringline.ConnectionOpened", e -> e.getBoolean("tls")).size() >= 2);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** One ringline TLS client connection to a ringline TLS server, closed after its handshake. */
    private void handshakeOverTls() throws Exception {
        AtomicReference<CloseReason> serverClosed = new AtomicReference<>();
        Handler echo = new Handler() {
            @Override
            public int onData(Connection c, ByteBuffer data) {
                return data.remaining();
            }

            @Override
            public void onClose(Connection c, CloseReason reason, Throwable cause) {
                serverClosed.set(reason);
            }
        };
        try (Runtime tlsServer = start(clientConfig().workers(1).bind(new InetSocketAddress("127.0.0.1", 0),
                TlsConfig.server(CERT, KEY).build()), w -> echo);
             Runtime client = start(clientConfig().workers(1), w -> (c, d) -> d.remaining())) {
            InetSocketAddress at = new InetSocketAddress("localhost", address(tlsServer).getPort());
            CompletableFuture<Connection> connected = new CompletableFuture<>();
            client.worker(0).execute(() -> client.worker(0).connect(at, TlsConfig.clientTrusting(CERT).build(), Duration.ofSeconds(5))
                    .whenComplete((c, e) -> {
                        if (e != null) {
                            connected.completeExceptionally(e);
                        } else {
                            c.close();
                            connected.complete(c);
                        }
                    }));
            connected.get(10, TimeUnit.SECONDS);
            Await.until(() -> serverClosed.get() != null, "the TLS server connection closed");
        }
    }
}
