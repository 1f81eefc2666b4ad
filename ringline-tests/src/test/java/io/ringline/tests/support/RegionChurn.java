package io.ringline.tests.support;

import io.ringline.CloseReason;
import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import io.ringline.Runtime;
import io.ringline.ShutdownHandle;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Region churn: {@code threads} threads each run {@code cycles} cycles of allocate a region, fill
 * it, register it, have a handler {@code sendRegion} slices of it to the thread's client,
 * unregister it and free its memory right after the unregister returned, while "noise" clients
 * keep every worker's receive path busy (the handler consumes their bytes a few at a time, so the
 * parse loop of the core ({@code InboundPath}) runs hot). Collects every exception seen by a handler, every
 * {@code onClose(ERROR)} cause and every failure of a churn or client thread; checks every byte a
 * client receives against the region's content.
 *
 * <p>Wire protocol of a churn client: a request is {@code int slot, int offset, int length, long
 * tag}; the answer is {@code long tag, int length} (copied) followed by the region slice (by
 * reference). The region of a cycle holds {@link #PATTERN} from {@code shift}, and the client asks
 * with {@code tag = shift + offset}, so an answer must equal {@code PATTERN[tag, tag + length)}.
 */
public final class RegionChurn {

    /** Where a cycle's region memory comes from and how it is freed. */
    public interface Memory {
        /** {@return region memory of {@code bytes} bytes and the way to free it} */
        Lease allocate(int bytes);
    }

    /** One cycle's region and how to free its memory. */
    public interface Lease {
        /** {@return the region} */
        MemoryRegion region();

        /** Called once the register returned, before any send of the cycle. The default does nothing. */
        default void registered() {
        }

        /** Frees the memory; called right after the unregister returned. */
        void free();
    }

    /** Region size. */
    public static final int REGION_BYTES = 1 << 20;
    private static final int REQUEST_BYTES = 20;
    private static final int ANSWER_HEADER_BYTES = 12;
    /** Region content source: the region of a cycle is {@code PATTERN[shift, shift + REGION_BYTES)}. */
    private static final byte[] PATTERN = new byte[2 * REGION_BYTES];
    private static final ByteBuffer ACK = ByteBuffer.wrap(new byte[] {'a'}).asReadOnlyBuffer();

    static {
        Bytes.fillPattern(PATTERN, 0);
    }

    private final int threads;
    private final int cycles;
    private final int sendsPerCycle;
    private final int maxSendBytes;
    private final Memory memory;
    private final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    private final AtomicLong bytesChecked = new AtomicLong();
    private final LongAdder noiseBytes = new LongAdder();
    private final AtomicLong cyclesDone = new AtomicLong();

    /**
     * @param threads       churn threads (each with its own client connection)
     * @param cycles        cycles per thread
     * @param sendsPerCycle region sends per cycle
     * @param maxSendBytes  largest region send (lengths are random in [1, maxSendBytes])
     * @param memory        the region memory of each cycle
     */
    public RegionChurn(int threads, int cycles, int sendsPerCycle, int maxSendBytes, Memory memory) {
        this.threads = threads;
        this.cycles = cycles;
        this.sendsPerCycle = sendsPerCycle;
        this.maxSendBytes = maxSendBytes;
        this.memory = memory;
    }

    /** {@return the errors seen so far: handler exceptions, onClose(ERROR) causes, thread failures} */
    public List<Throwable> errors() {
        return List.copyOf(errors);
    }

    /** {@return region bytes received by the clients and found equal to the region's content} */
    public long bytesChecked() {
        return bytesChecked.get();
    }

    /** {@return cycles completed by all threads (unregistered and freed)} */
    public long cyclesDone() {
        return cyclesDone.get();
    }

    /** {@return bytes of noise the handlers consumed} */
    public long noiseBytes() {
        return noiseBytes.sum();
    }

    /** {@return the handler every worker runs} */
    public Handler handler() {
        return new ChurnHandler();
    }

    /**
     * Runs the churn against a runtime started with {@code config} (which must listen), with
     * clients connected by {@code clients}, and closes it. Returns when every thread finished or failed; see {@link #errors()}.
     */
    public void run(Config.Builder config, Client.Connector clients, long deadlineNanos) throws Exception {
        try (Runtime rt = Runtime.start(config.build(), w -> handler())) {
            InetSocketAddress address = rt.boundAddresses().get(0);
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> noise = new ArrayList<>();
            List<Client> noiseSockets = new ArrayList<>();
            for (int i = 0; i < rt.workerCount(); i++) {
                Client s = clients.connect(address);
                noiseSockets.add(s);
                noise.add(start("noise-" + i, () -> makeNoise(s, stop)));
            }
            List<Thread> churners = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                churners.add(start("churn-" + t, () -> churn(rt.shutdownHandle(), clients, address, id, deadlineNanos)));
            }
            for (Thread t : churners) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()) + 20_000));
                if (t.isAlive()) {
                    errors.add(new AssertionError(t.getName() + " did not finish"));
                    t.interrupt();
                }
            }
            stop.set(true);
            for (Client s : noiseSockets) {
                s.close();
            }
            for (Thread t : noise) {
                t.join(20_000);
            }
        }
    }

    private Thread start(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                errors.add(new AssertionError(Thread.currentThread().getName() + " failed: " + e, e));
            }
        }, "region-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Sends chunks of noise that the handler consumes a few bytes at a time, one chunk at a time:
     * the handler acknowledges a chunk's last byte ({@code 'e'}) with one byte, so the noise keeps
     * the parse loop busy without starving the churn.
     */
    private void makeNoise(Client s, AtomicBoolean stop) throws IOException {
        byte[] chunk = new byte[16 * 1024];
        Arrays.fill(chunk, (byte) 'n');
        chunk[chunk.length - 1] = 'e';
        OutputStream out = s.output();
        InputStream in = s.input();
        while (!stop.get()) {
            try {
                out.write(chunk);
                if (in.read() < 0) {
                    throw new java.io.EOFException("noise connection closed by the server");
                }
            } catch (IOException e) {
                if (stop.get()) {
                    return; // closed by run()
                }
                throw e;
            }
        }
    }

    private void churn(ShutdownHandle handle, Client.Connector clients, InetSocketAddress address, int id, long deadlineNanos) throws Exception {
        Random random = new Random(id);
        try (Client s = clients.connect(address)) {
            Semaphore headers = new Semaphore(0);
            AtomicBoolean done = new AtomicBoolean();
            Thread reader = start("reader-" + id, () -> readAnswers(s.input(), headers, done));
            ByteBuffer request = ByteBuffer.allocate(REQUEST_BYTES * sendsPerCycle);
            for (int cycle = 0; cycle < cycles && System.nanoTime() - deadlineNanos < 0 && errors.isEmpty(); cycle++) {
                int shift = random.nextInt(REGION_BYTES);
                Lease lease = memory.allocate(REGION_BYTES);
                MemorySegment.copy(PATTERN, shift, lease.region().segment(), java.lang.foreign.ValueLayout.JAVA_BYTE, 0, REGION_BYTES);
                RegionId region = handle.registerRegion(lease.region());
                lease.registered();
                request.clear();
                for (int k = 0; k < sendsPerCycle; k++) {
                    int length = 1 + random.nextInt(maxSendBytes);
                    int offset = random.nextInt(REGION_BYTES - length + 1);
                    request.putInt(region.slot()).putInt(offset).putInt(length).putLong(shift + (long) offset);
                }
                s.output().write(request.array(), 0, request.position());
                // Every sendRegion of the cycle was called once its answer's header arrived; the
                // slices may still be queued or in flight when the unregister starts.
                if (!headers.tryAcquire(sendsPerCycle, 20, TimeUnit.SECONDS)) {
                    throw new AssertionError("no answer to cycle " + cycle + " of thread " + id + " within 20 s");
                }
                handle.unregisterRegion(region);
                lease.free();
                cyclesDone.incrementAndGet();
            }
            done.set(true);
            s.shutdownOutput();
            reader.join(30_000);
        }
    }

    private void readAnswers(InputStream in, Semaphore headers, AtomicBoolean done) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] got = new byte[maxSendBytes];
        while (true) {
            long tag;
            try {
                tag = data.readLong();
            } catch (java.io.EOFException e) {
                if (done.get()) {
                    return;
                }
                throw e;
            }
            int length = data.readInt();
            headers.release();
            data.readFully(got, 0, length);
            if (!Arrays.equals(got, 0, length, PATTERN, (int) tag, (int) tag + length)) {
                int at = Arrays.mismatch(got, 0, length, PATTERN, (int) tag, (int) tag + length);
                throw new AssertionError("region answer [tag " + tag + ", length " + length + "] differs from the region's content at byte " + at);
            }
            bytesChecked.addAndGet(length);
        }
    }

    /** The server side: answers churn requests with region sends, consumes noise a few bytes at a time. */
    private final class ChurnHandler implements Handler {
        private final ByteBuffer header = ByteBuffer.allocate(ANSWER_HEADER_BYTES);

        @Override
        public int onData(Connection c, ByteBuffer data) {
            try {
                return parse(c, data);
            } catch (RuntimeException e) {
                errors.add(new AssertionError("handler on " + c + " threw " + e, e));
                throw e;
            }
        }

        private int parse(Connection c, ByteBuffer data) {
            byte first = data.get(data.position());
            if (first == 'n') {
                // Noise: consume up to 8 bytes per call, reading them, so the core's parse loop spins.
                int n = 0;
                while (n < 8 && n < data.remaining() && data.get(data.position() + n) == 'n') {
                    n++;
                }
                noiseBytes.add(n);
                return n;
            }
            if (first == 'e') {
                c.send(ACK.duplicate());
                return 1;
            }
            if (data.remaining() < REQUEST_BYTES) {
                return 0;
            }
            int p = data.position();
            int slot = data.getInt(p);
            int offset = data.getInt(p + 4);
            int length = data.getInt(p + 8);
            long tag = data.getLong(p + 12);
            header.clear();
            header.putLong(tag).putInt(length).flip();
            c.send(header);
            c.sendRegion(RegionId.of(slot), offset, length);
            return REQUEST_BYTES;
        }

        @Override
        public void onClose(Connection c, CloseReason reason, Throwable cause) {
            if (reason == CloseReason.ERROR) {
                errors.add(new AssertionError(c + " closed with ERROR: " + cause, cause));
            }
        }
    }

    /** The body of a harness thread. */
    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }
}
