package io.ringline.examples;

import io.ringline.UdpSocket;
import io.ringline.WorkerStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The udp-echo server in-process on each backend, bound to loopback, driven by clients ringline did
 * not write: {@code socat} (a child process, one datagram per run read from a file) and the JDK's
 * {@link DatagramChannel}, over IPv4 and IPv6. Every echo must be byte-exact, including the largest
 * payloads ({@value UdpSocket#MAX_IPV4_PAYLOAD} B over IPv4, {@value UdpSocket#MAX_IPV6_PAYLOAD} B
 * over IPv6), and the server must count each datagram once.
 *
 * <p>socat is part of the CI machine like the TLS tests' clients: missing, the test fails naming the
 * package (no skip).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpEchoServerTest {

    /** Sizes every client sends, in bytes (0: an empty datagram; socat cannot send one). */
    private static final int[] SIZES = {0, 1, 64, 1400, 8192, 65_000, UdpSocket.MAX_IPV4_PAYLOAD};

    private ExampleServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
            assertTrue(server.runtime().isTerminated());
        }
    }

    static List<String> backends() {
        return Backends.names();
    }

    /** Starts udp-echo on {@code backend} with {@code workers} workers on {@code host}, a free port. */
    private InetSocketAddress start(String backend, String host, int workers) {
        Backends.assumeAvailable(backend);
        server = ExampleServer.start("udp-echo", backend, List.of("--port", "0", "--workers",
                Integer.toString(workers), "--host", host));
        assertEquals(backend, server.runtime().backendName());
        assertTrue(server.runtime().boundAddresses().isEmpty(), "no TCP listener");
        InetSocketAddress bound = server.udpAddress();
        assertTrue(bound.getPort() > 0, "port 0 resolved: " + bound);
        String offloads = assertDoesNotThrow(() -> Servers.udpOffloads(server.runtime()));
        assertTrue(offloads.matches("GRO (on|off), GSO (on|off)"), "what the start-up line reports: " + offloads);
        return bound;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void socatGetsEverySizeBackOverIpv4(String backend, @TempDir Path dir) throws Exception {
        int port = start(backend, "127.0.0.1", 2).getPort();
        socatEchoes("UDP4:127.0.0.1:" + port, dir, UdpSocket.MAX_IPV4_PAYLOAD);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void socatGetsEverySizeBackOverIpv6(String backend, @TempDir Path dir) throws Exception {
        int port = start(backend, "::1", 1).getPort();
        socatEchoes("UDP6:[::1]:" + port, dir, UdpSocket.MAX_IPV6_PAYLOAD);
    }

    /** One socat run per size (1 B up to {@code largest}): its only datagram comes back whole, and the server counted it. */
    private void socatEchoes(String target, Path dir, int largest) throws Exception {
        Path socat = Cli.require("socat", "socat");
        long sent = 0;
        for (int size : sizes(largest)) {
            if (size == 0) {
                continue; // socat reads the empty file as end of input and sends nothing
            }
            byte[] datagram = random(size, size);
            Path in = Files.write(dir.resolve("datagram-" + size), datagram);
            // -b: read (and so send) the whole file as one datagram, read the whole echo; -t: after
            // the end of input, wait up to 20 s for the echo (the test stops socat once it is read)
            Process p = new ProcessBuilder(socat.toString(), "-b", "70000", "-t", "20", "STDIO", target)
                    .redirectInput(in.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                assertArrayEquals(datagram, readWithin(p.getInputStream(), size), "echo of " + size + " B via "
                        + target);
            } finally {
                p.destroyForcibly();
            }
            sent++;
            long expected = sent;
            Await.until(() -> sum(WorkerStats::datagramsSent) == expected,
                    () -> expected + " echoes sent, counted " + sum(WorkerStats::datagramsSent));
        }
        assertEquals(sent, sum(WorkerStats::datagramsReceived), "one datagram per socat run to " + target);
        assertEquals(0, sum(WorkerStats::datagramsTruncated));
        assertEquals(0, sum(WorkerStats::datagramSendsRefused));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void datagramChannelGetsEverySizeBackOverIpv4(String backend) throws Exception {
        InetSocketAddress address = start(backend, "127.0.0.1", 2);
        try (DatagramChannel client = DatagramChannel.open(StandardProtocolFamily.INET)) {
            client.bind(new InetSocketAddress("127.0.0.1", 0));
            exchangeEverySize(client, address, UdpSocket.MAX_IPV4_PAYLOAD);
        }
        assertEquals(SIZES.length, sum(WorkerStats::datagramsReceived));
        // an echo is counted when the worker learns the kernel took it, which on io_uring is the
        // send's completion: it may come after the client already holds the echo
        Await.until(() -> sum(WorkerStats::datagramsSent) == SIZES.length,
                () -> SIZES.length + " echoes sent, counted " + sum(WorkerStats::datagramsSent));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void datagramChannelGetsEverySizeBackOverIpv6(String backend) throws Exception {
        InetSocketAddress address = start(backend, "::1", 1);
        try (DatagramChannel client = DatagramChannel.open(StandardProtocolFamily.INET6)) {
            client.bind(new InetSocketAddress("::1", 0));
            exchangeEverySize(client, address, UdpSocket.MAX_IPV6_PAYLOAD);
        }
    }

    /**
     * Several clients, each on its own port, exchange datagrams over four workers: each gets its own
     * echoes only (the server answers the sender, whatever socket of the port received it).
     */
    @ParameterizedTest
    @MethodSource("backends")
    void eachSenderGetsItsOwnEchoes(String backend) throws Exception {
        InetSocketAddress address = start(backend, "127.0.0.1", 4);
        List<DatagramChannel> clients = new java.util.ArrayList<>();
        try {
            for (int c = 0; c < 8; c++) {
                DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
                clients.add(ch);
                ch.bind(new InetSocketAddress("127.0.0.1", 0));
                ch.configureBlocking(false);
            }
            for (int round = 0; round < 20; round++) {
                for (int c = 0; c < clients.size(); c++) {
                    clients.get(c).send(ByteBuffer.wrap(tag(c, round)), address);
                }
                for (int c = 0; c < clients.size(); c++) {
                    assertArrayEquals(tag(c, round), receive(clients.get(c), address, 64), "client " + c + " round " + round);
                }
            }
        } finally {
            for (DatagramChannel ch : clients) {
                ch.close();
            }
        }
        assertEquals(8 * 20, sum(WorkerStats::datagramsReceived));
    }

    /** Sends each size (up to {@code largest}) and checks its echo byte for byte, from the server's address. */
    private static void exchangeEverySize(DatagramChannel client, InetSocketAddress server, int largest) throws Exception {
        client.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
        client.configureBlocking(false);
        for (int size : sizes(largest)) {
            byte[] datagram = random(size * 31 + 7, size);
            assertEquals(size, client.send(ByteBuffer.wrap(datagram), server), "sent whole");
            assertArrayEquals(datagram, receive(client, server, largest + 1), "echo of " + size + " B");
        }
    }

    /** {@link #SIZES} with the largest replaced by {@code largest} (the family's limit). */
    private static int[] sizes(int largest) {
        int[] sizes = SIZES.clone();
        sizes[sizes.length - 1] = largest;
        return sizes;
    }

    /** Waits (polling the non-blocking {@code client}) for one datagram, which must come from {@code server}. */
    private static byte[] receive(DatagramChannel client, InetSocketAddress server, int capacity) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(capacity);
        InetSocketAddress[] from = new InetSocketAddress[1];
        Await.until(() -> {
            try {
                from[0] = (InetSocketAddress) client.receive(buf);
            } catch (IOException e) {
                throw new AssertionError("receive failed", e);
            }
            return from[0] != null;
        }, () -> "an echo from " + server);
        assertEquals(server.getPort(), from[0].getPort(), "the echo comes from the server's port");
        assertEquals(server.getAddress(), from[0].getAddress(), "the echo comes from the server's address");
        buf.flip();
        byte[] b = new byte[buf.remaining()];
        buf.get(b);
        return b;
    }

    /** Reads exactly {@code n} bytes from {@code in} within {@link Await#LONG}, else fails with what arrived. */
    private static byte[] readWithin(InputStream in, int n) throws Exception {
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                return in.readNBytes(n);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            byte[] got = read.get(Await.LONG.toSeconds(), TimeUnit.SECONDS);
            assertEquals(n, got.length, "socat ended before the whole echo");
            return got;
        } catch (TimeoutException e) {
            throw new AssertionError("no echo of " + n + " B within " + Await.LONG);
        } catch (ExecutionException e) {
            throw new AssertionError("reading socat's output failed", e.getCause());
        }
    }

    private long sum(ToLongFunction<WorkerStats> counter) {
        long n = 0;
        for (int w = 0; w < server.runtime().workerCount(); w++) {
            n += counter.applyAsLong(server.runtime().worker(w).stats());
        }
        return n;
    }

    private static byte[] tag(int client, int round) {
        byte[] b = new byte[16 + client];
        Arrays.fill(b, (byte) client);
        b[0] = (byte) round;
        return b;
    }

    private static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
