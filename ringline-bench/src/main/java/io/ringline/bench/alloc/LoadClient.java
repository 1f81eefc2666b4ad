package io.ringline.bench.alloc;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Closed-loop client of the {@link AllocationProbe}, with plain blocking sockets: the connections
 * of a {@link Scenario} are shared among a few threads; in every round a thread writes one batch
 * ({@code pipeline} requests) to each of its connections, then reads and checks each batch of
 * replies byte for byte (a zero byte of the expected reply matches any byte). A wrong byte, an
 * early end of stream or a reply missing for
 * {@value #READ_TIMEOUT_MS} ms fails the run. Not thread-safe: one run at a time.
 */
final class LoadClient implements AutoCloseable {

    static final int READ_TIMEOUT_MS = 10_000;

    private final Scenario scenario;
    private final List<Socket> sockets = new ArrayList<>();
    private final int threads;
    private final byte[] batch;
    private final byte[] replies;

    /**
     * Connects the scenario's connections and sends its setup request, if any.
     *
     * @param threads client threads sharing the connections, {@code >= 1}
     */
    LoadClient(InetSocketAddress server, Scenario scenario, int threads) throws IOException {
        this.scenario = scenario;
        this.threads = Math.min(threads, scenario.connections());
        this.batch = repeat(scenario.request(), scenario.pipeline());
        this.replies = repeat(scenario.reply(), scenario.pipeline());
        try {
            for (int i = 0; i < scenario.connections(); i++) {
                Socket s = new Socket();
                s.setTcpNoDelay(true);
                s.setSoTimeout(READ_TIMEOUT_MS);
                s.connect(server, READ_TIMEOUT_MS);
                sockets.add(s);
            }
            if (scenario.setup().length > 0) {
                exchange(sockets.getFirst(), scenario.setup(), scenario.setupReply(), new byte[scenario.setupReply().length]);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Runs {@code rounds} rounds on every thread; {@return the messages exchanged} */
    long run(long rounds) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Socket> mine = new ArrayList<>();
            for (int i = t; i < sockets.size(); i += threads) {
                mine.add(sockets.get(i));
            }
            Thread thread = Thread.ofPlatform().name("alloc-probe-client-" + t).start(() -> {
                try {
                    rounds(mine, rounds);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            running.add(thread);
        }
        for (Thread thread : running) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException(scenario.name() + ": the load failed: " + failure.get(), failure.get());
        }
        return rounds * scenario.messagesPerRound();
    }

    private void rounds(List<Socket> mine, long rounds) throws IOException {
        byte[] got = new byte[replies.length];
        for (long r = 0; r < rounds; r++) {
            for (Socket s : mine) {
                s.getOutputStream().write(batch);
            }
            for (Socket s : mine) {
                read(s, replies, got);
            }
        }
    }

    private static void exchange(Socket s, byte[] request, byte[] reply, byte[] got) throws IOException {
        s.getOutputStream().write(request);
        read(s, reply, got);
    }

    /** Reads {@code expected.length} bytes into {@code got} and checks them. */
    private static void read(Socket s, byte[] expected, byte[] got) throws IOException {
        InputStream in = s.getInputStream();
        int n = in.readNBytes(got, 0, expected.length);
        if (n < expected.length) {
            throw new IOException("end of stream after " + n + " of " + expected.length + " reply bytes");
        }
        if (!matches(expected, got, n)) {
            throw new IOException("wrong reply: expected '" + printable(expected) + "', got '" + printable(got) + "'");
        }
    }

    /** {@return whether the first {@code n} bytes of {@code got} are {@code expected}'s, a zero byte of it matching any} */
    private static boolean matches(byte[] expected, byte[] got, int n) {
        for (int i = 0; i < n; i++) {
            if (expected[i] != 0 && expected[i] != got[i]) {
                return false;
            }
        }
        return true;
    }

    private static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 64); i++) {
            char c = (char) (b[i] & 0xff);
            sb.append(c >= 32 && c < 127 ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return sb.toString();
    }

    private static byte[] repeat(byte[] b, int times) {
        byte[] out = new byte[b.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(b, 0, out, i * b.length, b.length);
        }
        return out;
    }

    @Override
    public void close() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing a client socket of a finished run: nothing is lost
            }
        }
        sockets.clear();
    }
}
