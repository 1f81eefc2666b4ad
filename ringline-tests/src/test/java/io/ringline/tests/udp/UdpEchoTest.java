package io.ringline.tests.udp;

import io.ringline.Runtime;
import io.ringline.UdpMode;
import io.ringline.UdpSocket;
import io.ringline.WorkerStats;
import io.ringline.spi.Capability;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.Requires;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Datagrams of random sizes (1 B to {@value UdpSocket#MAX_IPV4_PAYLOAD} B, both ends included)
 * from several JDK sockets are echoed byte-exact by a {@code bindUdp} socket, on IPv4 and IPv6
 * loopback, with one socket per worker and with one shared socket; the handler sees each client's
 * own address as the sender.
 */
@Requires(Capability.UDP)
class UdpEchoTest extends BackendTest {

    /** Datagrams per run on a backend's default spec; its option variants run {@link #LIGHT}. */
    private static final int HEAVY = 10_000;
    private static final int LIGHT = 1_000;
    private static final int CLIENTS = 4;
    /** Datagrams one client has in flight at most. */
    private static final int WINDOW = 4;
    /**
     * KiB in flight over all clients at most: well below the server socket's default receive buffer
     * (212,992 B), so loopback loses nothing and a missing echo is a bug.
     */
    private static final int KIB_IN_FLIGHT = 128;

    @Test
    void ipv4PerWorker() throws Exception {
        echo(InetAddress.getByName("127.0.0.1"), UdpMode.PER_WORKER);
    }

    @Test
    void ipv4Shared() throws Exception {
        echo(InetAddress.getByName("127.0.0.1"), UdpMode.SHARED);
    }

    @Test
    void ipv6PerWorker() throws Exception {
        echo(InetAddress.getByName("::1"), UdpMode.PER_WORKER);
    }

    @Test
    void ipv6Shared() throws Exception {
        echo(InetAddress.getByName("::1"), UdpMode.SHARED);
    }

    private void echo(InetAddress loopback, UdpMode mode) throws Exception {
        int total = spec.isDefault() ? HEAVY : LIGHT;
        long seed = System.nanoTime();
        String what = "[" + spec + ", " + loopback.getHostAddress() + ", " + mode + ", seed " + seed + "]";
        Random random = new Random(seed);
        int[][] sizes = new int[CLIENTS][total / CLIENTS];
        for (int c = 0; c < CLIENTS; c++) {
            for (int i = 0; i < sizes[c].length; i++) {
                // Alternately uniform (large datagrams) and log-uniform (every size class).
                sizes[c][i] = i % 2 == 0 ? 1 + random.nextInt(UdpSocket.MAX_IPV4_PAYLOAD)
                        : (int) Math.min(UdpSocket.MAX_IPV4_PAYLOAD, Math.max(1, Math.round(Math.pow(2, random.nextDouble() * 16))));
            }
        }
        sizes[0][0] = 1;
        sizes[0][1] = UdpSocket.MAX_IPV4_PAYLOAD;
        sizes[1][0] = UdpSocket.MAX_IPV4_PAYLOAD;
        sizes[1][1] = 1;
        UdpRecorder echo = new UdpRecorder(true, false);
        InetSocketAddress bind = new InetSocketAddress(loopback, 0);
        Semaphore kibInFlight = new Semaphore(KIB_IN_FLIGHT);
        List<UdpPeer> clients = new ArrayList<>();
        Map<InetSocketAddress, Integer> expected = new HashMap<>(); // datagrams per client address
        try (Runtime rt = start(clientConfig().bindUdp(bind, mode), w -> echo);
             ExecutorService pool = Executors.newFixedThreadPool(CLIENTS)) {
            InetSocketAddress server = rt.udpAddresses().get(0);
            assertEquals(loopback, server.getAddress(), what + " udpAddresses()");
            assertTrue(server.getPort() != 0, what + " udpAddresses() has the real port: " + server);
            try {
                for (int c = 0; c < CLIENTS; c++) {
                    UdpPeer client = UdpPeer.bind(new InetSocketAddress(loopback, 0));
                    clients.add(client);
                    expected.put(client.localAddress(), sizes[c].length);
                }
                List<Future<?>> results = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    UdpPeer client = clients.get(c);
                    int[] mine = sizes[c];
                    long clientSeed = seed * 31 + c;
                    String who = what + " client " + c + " " + client.localAddress();
                    results.add(pool.submit(() -> {
                        exchange(client, server, mine, clientSeed, kibInFlight, who);
                        return null;
                    }));
                }
                for (int c = 0; c < CLIENTS; c++) {
                    try {
                        results.get(c).get(120, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw e.getCause() instanceof AssertionError ae ? ae : new AssertionError(what + " client " + c, e.getCause());
                    }
                }
            } finally {
                clients.forEach(UdpPeer::close);
            }
            // The handler saw each client's own address as the sender, once per datagram.
            Map<InetSocketAddress, Integer> perSender = new HashMap<>();
            for (UdpRecorder.Datagram d : echo.datagrams()) {
                perSender.merge(d.sender(), 1, Integer::sum);
            }
            assertEquals(expected, perSender, what + " datagrams per sender address seen by the handler");
            assertEquals(List.of(), echo.truncated(), what + " no datagram was truncated (default maxDatagramSize)");
            // Every callback on a worker thread; SHARED: all on worker 0's socket.
            Set<Thread> workers = new HashSet<>();
            for (int w = 0; w < rt.workerCount(); w++) {
                workers.add(OnWorker.call(rt.worker(w), Thread::currentThread));
            }
            Thread worker0 = OnWorker.call(rt.worker(0), Thread::currentThread);
            for (UdpRecorder.Datagram d : echo.datagrams()) {
                assertTrue(workers.contains(d.thread()), what + " onDatagram ran on a worker thread, not " + d.thread());
                assertEquals(server, d.socket().localAddress(), what + " the datagram arrived on the bound socket");
                if (mode == UdpMode.SHARED) {
                    assertEquals(worker0, d.thread(), what + " SHARED: served by worker 0");
                    assertEquals(0, d.socket().workerId(), what + " SHARED: worker 0's socket");
                }
            }
            long received = 0;
            for (int w = 0; w < rt.workerCount(); w++) {
                received += rt.worker(w).stats().datagramsReceived();
            }
            assertEquals(total, received, what + " WorkerStats.datagramsReceived over the workers");
            // an echo counts as sent when its worker learns the kernel took it (on io_uring: the
            // send's completion), which may come after the client already received it
            Await.until(() -> sentOverWorkers(rt) == total,
                    () -> what + " WorkerStats.datagramsSent over the workers: " + total + ", was " + sentOverWorkers(rt));
        }
    }

    private static long sentOverWorkers(Runtime rt) {
        long sent = 0;
        for (int w = 0; w < rt.workerCount(); w++) {
            sent += rt.worker(w).stats().datagramsSent();
        }
        return sent;
    }

    /** One client: sends its datagrams with at most {@link #WINDOW} in flight and checks each echo against them. */
    private static void exchange(UdpPeer client, InetSocketAddress server, int[] sizes, long seed, Semaphore kibInFlight,
                                 String who) throws Exception {
        Random random = new Random(seed);
        ArrayDeque<Integer> inFlight = new ArrayDeque<>();
        ArrayDeque<byte[]> payloads = new ArrayDeque<>();
        int next = 0;
        int done = 0;
        while (done < sizes.length) {
            if (next < sizes.length && inFlight.size() < WINDOW) {
                int kib = sizes[next] / 1024 + 1;
                boolean mayGo = inFlight.isEmpty() ? kibInFlight.tryAcquire(kib, 30, TimeUnit.SECONDS) : kibInFlight.tryAcquire(kib);
                if (mayGo) {
                    byte[] payload = Bytes.random(random, sizes[next]);
                    client.send(server, payload);
                    inFlight.add(next);
                    payloads.add(payload);
                    next++;
                    continue;
                }
                if (inFlight.isEmpty()) {
                    throw new AssertionError(who + ": no send budget within 30 s (other clients hold it)");
                }
            }
            int seq = inFlight.peek();
            byte[] got = client.tryReceive(UdpPeer.RECEIVE_TIMEOUT);
            if (got == null) {
                throw new AssertionError(who + ": datagram #" + seq + " (" + sizes[seq] + " B) not echoed within "
                        + UdpPeer.RECEIVE_TIMEOUT + "; in flight: " + describe(inFlight, sizes) + ", " + done + " echoed before");
            }
            // UDP keeps no order, and io_uring may reorder datagrams that met a full send buffer
            // (UdpSocket's contract): the echo must be byte-exact to one of the datagrams in flight
            java.util.Iterator<Integer> seqs = inFlight.iterator();
            java.util.Iterator<byte[]> sent = payloads.iterator();
            int matched = -1;
            while (seqs.hasNext()) {
                int candidate = seqs.next();
                if (Arrays.equals(sent.next(), got)) {
                    seqs.remove();
                    sent.remove();
                    matched = candidate;
                    break;
                }
            }
            if (matched < 0) {
                throw new AssertionError(who + ": an echo of " + got.length + " B matches no datagram in flight "
                        + describe(inFlight, sizes) + " (oldest #" + seq + ")");
            }
            kibInFlight.release(sizes[matched] / 1024 + 1);
            done++;
        }
    }

    private static String describe(ArrayDeque<Integer> inFlight, int[] sizes) {
        return inFlight.stream().map(i -> "#" + i + " (" + sizes[i] + " B)").toList().toString();
    }
}
