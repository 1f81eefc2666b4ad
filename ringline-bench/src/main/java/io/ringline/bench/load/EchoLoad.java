package io.ringline.bench.load;

import io.ringline.bench.Args;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Echo load generator: C connections spread over T NIO selector threads (default 1; the client
 * gets one core). Every byte echoed back is checked against what was sent.
 *
 * <ul>
 *   <li>Closed loop (no {@code --rate}): each connection sends {@code pipeline} messages of
 *       {@code size} bytes, waits until all are echoed, records each message's latency from the
 *       batch's send time, and sends the next batch.
 *   <li>Open loop ({@code --rate R}, total requests/s): connection i sends one message every
 *       C/R seconds on a fixed schedule, whether or not earlier replies have arrived; latency is
 *       measured from the INTENDED send time, so queueing behind a stalled server is counted
 *       (coordinated-omission correction).
 * </ul>
 *
 * Stats are reset after {@code --warmup} seconds; the measurement lasts {@code --duration}
 * seconds. Prints one JSON line; exit status 1 if there were errors or no completed requests.
 */
public final class EchoLoad {

    static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(60);

    /** Settings of one run. */
    public record Config(String host, int port, int connections, int size, double durationSeconds,
            double warmupSeconds, double rate, int pipeline, int threads, long serverPid) {
        public Config(String host, int port, int connections, int size, double durationSeconds,
                double warmupSeconds, double rate, int pipeline, int threads) {
            this(host, port, connections, size, durationSeconds, warmupSeconds, rate, pipeline, threads, 0);
        }

        boolean openLoop() {
            return rate > 0;
        }
    }

    /** Result of one run. */
    public record Result(Config config, long requests, double seconds, Histogram histogram, long errors,
            long bytesVerified, double serverCpuSeconds) {
        public double rps() {
            return seconds > 0 ? requests / seconds : 0;
        }

        double us(double percentile) {
            return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1000.0;
        }

        public String json() {
            Config c = config;
            return String.format(Locale.ROOT,
                    "{\"tool\":\"load-echo\",\"mode\":\"%s\",\"connections\":%d,\"size\":%d,\"pipeline\":%d,"
                            + "\"target_rate\":%.0f,\"threads\":%d,\"duration_s\":%.3f,\"requests\":%d,\"rps\":%.1f,"
                            + "\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,\"mean_us\":%.1f,"
                            + "\"errors\":%d,\"bytes_verified\":%d,\"server_cpu_s\":%.3f}",
                    c.openLoop() ? "open" : "closed", c.connections(), c.size(), c.openLoop() ? 1 : c.pipeline(),
                    c.rate(), c.threads(), seconds, requests, rps(), us(50), us(99), us(99.9),
                    histogram.getTotalCount() == 0 ? 0 : histogram.getMaxValue() / 1000.0,
                    histogram.getTotalCount() == 0 ? 0 : histogram.getMean() / 1000.0, errors, bytesVerified,
                    serverCpuSeconds);
        }
    }

    public static int run(Args a) throws Exception {
        Config c = new Config(a.get("host", "127.0.0.1"), a.getInt("port", 7000), a.getInt("connections", 64),
                a.getInt("size", 64), a.getDouble("duration", 10), a.getDouble("warmup", 2), a.getDouble("rate", 0),
                Math.max(1, a.getInt("pipeline", 1)), Math.max(1, a.getInt("threads", 1)),
                Long.parseLong(a.get("server-pid", "0")));
        Result r = run(c);
        System.out.println(r.json());
        return r.errors() == 0 && r.requests() > 0 ? 0 : 1;
    }

    public static Result run(Config c) throws IOException, InterruptedException {
        if (c.size() <= 0 || c.connections() <= 0) {
            throw new IllegalArgumentException("size and connections must be positive");
        }
        int threads = Math.min(c.threads(), c.connections());
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(new Worker(c));
        }
        long errors = 0;
        InetSocketAddress addr = new InetSocketAddress(c.host(), c.port());
        for (int i = 0; i < c.connections(); i++) {
            try {
                SocketChannel ch = SocketChannel.open(addr);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.configureBlocking(false);
                workers.get(i % threads).add(new Conn(c, i, ch));
            } catch (IOException e) {
                errors++;
            }
        }
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        long measureStart = start + (long) (c.warmupSeconds() * 1e9);
        long end = measureStart + (long) (c.durationSeconds() * 1e9);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < workers.size(); t++) {
            Worker w = workers.get(t);
            w.start = start;
            w.measureStart = measureStart;
            w.end = end;
            Thread th = new Thread(w, "load-echo-" + t);
            th.start();
            ts.add(th);
        }
        // Server CPU time over exactly the measurement window (--server-pid), sampled here.
        long cpuStart = -1;
        long cpuEnd = -1;
        if (c.serverPid() > 0) {
            sleepUntil(measureStart);
            cpuStart = ProcStat.cpuTicks(c.serverPid());
            sleepUntil(end);
            cpuEnd = ProcStat.cpuTicks(c.serverPid());
        }
        for (Thread th : ts) {
            th.join();
        }
        double serverCpu = cpuStart >= 0 && cpuEnd >= 0
                ? (cpuEnd - cpuStart) / (double) ProcStat.clockTicksPerSecond() : -1;
        Histogram h = new Histogram(HIGHEST_NS, 3);
        long requests = 0;
        long verified = 0;
        for (Worker w : workers) {
            h.add(w.histogram);
            requests += w.completed;
            errors += w.errors;
            verified += w.verified;
            w.closeAll();
        }
        long measuredEnd = Math.max(measureStart, Math.min(end, workers.stream().mapToLong(w -> w.stoppedAt).max().orElse(end)));
        return new Result(c, requests, (measuredEnd - measureStart) / 1e9, h, errors, verified, serverCpu);
    }

    private static void sleepUntil(long deadline) throws InterruptedException {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    }

    /** One selector thread and its connections. */
    static final class Worker implements Runnable {
        final Config c;
        final List<Conn> conns = new ArrayList<>();
        final Histogram histogram = new Histogram(HIGHEST_NS, 3);
        long start;
        long measureStart;
        long end;
        long stoppedAt;
        boolean measuring;
        long completed;
        long errors;
        long verified;
        Selector selector;

        Worker(Config c) throws IOException {
            this.c = c;
            this.selector = Selector.open();
        }

        void add(Conn conn) throws IOException {
            conn.worker = this;
            conn.key = conn.ch.register(selector, SelectionKey.OP_READ, conn);
            conns.add(conn);
        }

        void record(long latencyNs) {
            if (measuring) {
                histogram.recordValue(Math.min(Math.max(latencyNs, 0), HIGHEST_NS));
                completed++;
            }
        }

        @Override
        public void run() {
            try {
                loop();
            } catch (IOException | RuntimeException e) {
                errors++;
                System.err.println("load-echo worker failed: " + e);
            }
            stoppedAt = System.nanoTime();
        }

        private void loop() throws IOException {
            while (System.nanoTime() < start) {
                Thread.onSpinWait();
            }
            for (Conn conn : conns) {
                conn.begin(start);
            }
            int live = conns.size();
            while (live > 0) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                if (!measuring && now >= measureStart) {
                    histogram.reset();
                    completed = 0;
                    measuring = true;
                }
                long wait;
                if (c.openLoop()) {
                    long nextDue = Long.MAX_VALUE;
                    for (Conn conn : conns) {
                        if (!conn.closed) {
                            conn.schedule(now);
                            nextDue = Math.min(nextDue, conn.nextSend);
                        }
                    }
                    wait = Math.min(nextDue, end) - now;
                } else {
                    wait = end - now;
                }
                if (!measuring) {
                    wait = Math.min(wait, measureStart - now);
                }
                int n;
                if (wait > 1_500_000) {
                    n = selector.select(Math.min(100, (wait - 1_000_000) / 1_000_000));
                } else {
                    n = selector.selectNow(); // spin close to a deadline (ms-granular select would be late)
                }
                if (n > 0) {
                    var it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey k = it.next();
                        it.remove();
                        Conn conn = (Conn) k.attachment();
                        if (!k.isValid()) {
                            continue;
                        }
                        try {
                            if (k.isWritable()) {
                                conn.flush();
                            }
                            if (k.isValid() && k.isReadable()) {
                                conn.onReadable();
                            }
                        } catch (IOException e) {
                            conn.fail();
                        }
                    }
                }
                live = 0;
                for (Conn conn : conns) {
                    live += conn.closed ? 0 : 1;
                }
            }
        }

        void closeAll() throws IOException {
            for (Conn conn : conns) {
                conn.ch.close();
            }
            selector.close();
        }
    }

    /** One connection: send-side stream, receive-side verification, pending request times. */
    static final class Conn {
        final Config c;
        final int id;
        final SocketChannel ch;
        final int size;
        final ByteBuffer pattern; // the message repeated: a window at offset (pos % size) is valid stream content
        final ByteBuffer expected; // read-only view of pattern for verification (its limit never moves)
        final ByteBuffer rx = ByteBuffer.allocateDirect(64 * 1024);
        final long intervalNs;
        Worker worker;
        SelectionKey key;
        long toWrite; // bytes
        long written;
        long received;
        long nextSend;
        long batchSentAt;
        int batchRemaining;
        long[] intended = new long[64]; // ring of intended send times (open loop)
        int head;
        int count;
        boolean closed;

        Conn(Config c, int id, SocketChannel ch) {
            this.c = c;
            this.id = id;
            this.ch = ch;
            this.size = c.size();
            int copies = Math.max(c.pipeline(), Math.max(1, (64 * 1024) / size));
            int cap = (int) Math.min((long) size * copies, Integer.MAX_VALUE - 16);
            cap = Math.max(cap, size);
            pattern = ByteBuffer.allocateDirect(cap);
            for (int i = 0; i < cap; i++) {
                pattern.put(i, (byte) ((i % size) * 31 + id * 7 + 1));
            }
            expected = pattern.asReadOnlyBuffer().clear();
            intervalNs = c.openLoop() ? (long) (c.connections() * 1e9 / c.rate()) : 0;
        }

        void begin(long start) throws IOException {
            if (c.openLoop()) {
                // Stagger connections evenly over one interval.
                nextSend = start + (long) (id * (1e9 / c.rate()));
                schedule(System.nanoTime());
            } else {
                sendBatch();
            }
        }

        /** Open loop: queue every message whose intended send time has come. */
        void schedule(long now) throws IOException {
            boolean any = false;
            while (nextSend <= now) {
                push(nextSend);
                toWrite += size;
                nextSend += intervalNs;
                any = true;
            }
            if (any) {
                flush();
            }
        }

        void sendBatch() throws IOException {
            batchSentAt = System.nanoTime();
            batchRemaining = c.pipeline();
            toWrite += (long) size * c.pipeline();
            flush();
        }

        void flush() throws IOException {
            if (closed) {
                return;
            }
            int cap = pattern.capacity();
            while (toWrite > 0) {
                int off = (int) (written % size);
                int len = (int) Math.min(toWrite, cap - off);
                pattern.limit(off + len).position(off);
                int n = ch.write(pattern);
                if (n == 0) {
                    break;
                }
                written += n;
                toWrite -= n;
            }
            int ops = toWrite > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
            if (key.interestOps() != ops) {
                key.interestOps(ops);
            }
        }

        void onReadable() throws IOException {
            while (!closed) {
                rx.clear();
                int n = ch.read(rx);
                if (n < 0) {
                    fail();
                    return;
                }
                if (n == 0) {
                    return;
                }
                rx.flip();
                if (!verify(n)) {
                    fail();
                    return;
                }
                long before = received / size;
                received += n;
                long after = received / size;
                if (after > before) {
                    long now = System.nanoTime();
                    for (long m = before; m < after; m++) {
                        if (c.openLoop()) {
                            worker.record(now - pop());
                        } else {
                            worker.record(now - batchSentAt);
                            if (--batchRemaining == 0) {
                                sendBatch();
                            }
                        }
                    }
                }
                if (n < rx.capacity()) {
                    return; // drained for now
                }
            }
        }

        private boolean verify(int n) {
            int cap = pattern.capacity();
            int i = 0;
            long pos = received;
            while (i < n) {
                int off = (int) (pos % size);
                int len = Math.min(n - i, cap - off);
                if (rx.slice(i, len).mismatch(expected.slice(off, len)) != -1) {
                    return false;
                }
                i += len;
                pos += len;
            }
            worker.verified += n;
            return true;
        }

        void fail() {
            if (!closed) {
                closed = true;
                worker.errors++;
                key.cancel();
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }

        private void push(long t) {
            if (count == intended.length) {
                long[] bigger = new long[intended.length * 2];
                for (int i = 0; i < count; i++) {
                    bigger[i] = intended[(head + i) % intended.length];
                }
                intended = bigger;
                head = 0;
            }
            intended[(head + count) % intended.length] = t;
            count++;
        }

        private long pop() {
            long t = intended[head];
            head = (head + 1) % intended.length;
            count--;
            return t;
        }
    }
}
