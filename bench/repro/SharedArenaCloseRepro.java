import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * JDK-only reproducer attempt for "NullPointerException: ... because "view" is null" in a hot parse
 * loop while other threads close shared arenas (no ringline code).
 *
 * <p>Closing a shared arena runs a handshake with every Java thread; a thread whose top frame is
 * compiled code with scoped memory accesses (any direct ByteBuffer or segment access) gets that
 * frame deoptimized. Here "closer" threads allocate a 1 MiB segment from {@code Arena.ofShared()},
 * fill it and close the arena, in a loop, while "worker" threads run a loop shaped like ringline's
 * {@code BaseConnection.deliver/consume}: a read-only view of a direct receive buffer, a slice per
 * handler call, a handler that reads a few bytes and returns how many it consumed, the view's
 * position advanced by that count. The workers never touch arena memory. Any exception in the
 * worker loop (such as an NPE on the never-null {@code view}) or a wrong byte count is reported.
 *
 * <p>With {@code sends}, each region is first handed to every worker, which "sends" four 64 KiB
 * slices of it (as {@code asSlice(..).asByteBuffer()} copied into a direct buffer, like a region
 * send on NIO) and hands it back; the closer closes the arena only once every worker handed it back
 * (like closing after {@code unregisterRegion} returned).
 *
 * <p>Run: {@code $JAVA_HOME/bin/java bench/repro/SharedArenaCloseRepro.java [seconds] [closers] [workers] [sends]}
 * (defaults 30 s, 4 closers, 2 workers, no sends). Exit status 0: no anomaly; 1: at least one.
 */
public final class SharedArenaCloseRepro {

    /** A handler, as in ringline: consumes some bytes of {@code data} and returns how many. */
    interface Handler {
        int onData(ByteBuffer data);
    }

    /** Reads up to 8 bytes (the common case in the reported test: small protocol frames). */
    static final class SmallFrames implements Handler {
        long sum;

        @Override
        public int onData(ByteBuffer data) {
            int n = Math.min(8, data.remaining());
            for (int i = 0; i < n; i++) {
                sum += data.get(data.position() + i);
            }
            return n;
        }
    }

    /** Reads a 20-byte request when complete (the region-send requests of the reported test). */
    static final class Requests implements Handler {
        long sum;

        @Override
        public int onData(ByteBuffer data) {
            if (data.remaining() < 20) {
                return 0;
            }
            int p = data.position();
            sum += data.getInt(p) + data.getInt(p + 4) + data.getInt(p + 8) + data.getLong(p + 12);
            return 20;
        }
    }

    /** The worker side: one receive buffer, a parse loop like ringline's consume. */
    static final class Worker implements Runnable {
        private final ByteBuffer receive = ByteBuffer.allocateDirect(64 * 1024);
        private final Handler[] handlers = {new SmallFrames(), new Requests()};
        private final AtomicBoolean stop;
        private final LongAdder anomalies;
        final AtomicLong delivered = new AtomicLong();
        /** A region to "send" from (copy into {@link #socket}), published by a closer; set back to null when done. */
        final java.util.concurrent.atomic.AtomicReference<MemorySegment> region = new java.util.concurrent.atomic.AtomicReference<>();
        private final ByteBuffer socket = ByteBuffer.allocateDirect(64 * 1024);
        /** Set when the loop ended: a region published after that is never touched. */
        volatile boolean exited;
        private ByteBuffer inbound = ByteBuffer.allocate(1024);

        Worker(AtomicBoolean stop, LongAdder anomalies) {
            this.stop = stop;
            this.anomalies = anomalies;
            for (int i = 0; i < receive.capacity(); i++) {
                receive.put(i, (byte) i);
            }
        }

        @Override
        public void run() {
            long rounds = 0;
            while (!stop.get()) {
                int length = 1 + (int) (rounds * 7919 % receive.capacity());
                receive.clear().limit(length);
                Handler h = handlers[(int) (rounds & 1)];
                try {
                    long consumed = deliver(receive, h);
                    if (consumed > length) {
                        anomalies.increment();
                        System.out.println("ANOMALY: consumed " + consumed + " of " + length + " bytes");
                    }
                } catch (Throwable t) {
                    anomalies.increment();
                    System.out.println("ANOMALY in worker loop after " + rounds + " rounds: " + t);
                    t.printStackTrace(System.out);
                }
                MemorySegment r = region.get();
                if (r != null) {
                    try {
                        sendRegion(r, rounds);
                    } catch (Throwable t) {
                        anomalies.increment();
                        System.out.println("ANOMALY sending from a region that is still open: " + t);
                        t.printStackTrace(System.out);
                    }
                    region.set(null); // done: the closer may close its arena now
                }
                rounds++;
                delivered.lazySet(rounds);
            }
            exited = true;
        }

        /** Like ringline's region send on NIO: slices of the region as ByteBuffers, written out (copied). */
        private void sendRegion(MemorySegment r, long rounds) {
            for (int k = 0; k < 4; k++) {
                long offset = (rounds * 4099 + k * 65536L) % (r.byteSize() - socket.capacity());
                ByteBuffer slice = r.asSlice(offset, socket.capacity()).asByteBuffer();
                socket.clear();
                socket.put(slice);
            }
        }

        /** ringline's deliver: a read-only view presented to consume, the rest kept. */
        long deliver(ByteBuffer src, Handler h) {
            ByteBuffer view = src.asReadOnlyBuffer();
            int before = view.remaining();
            consume(view, h);
            if (view.hasRemaining()) {
                stash(view);
            }
            return before - view.remaining();
        }

        private void consume(ByteBuffer view, Handler h) {
            while (view.hasRemaining()) {
                ByteBuffer data = view.slice();
                int available = data.remaining();
                int n = h.onData(data);
                if (n < 0 || n > available) {
                    throw new IllegalStateException("onData returned " + n + " of " + available);
                }
                if (n == 0) {
                    return;
                }
                view.position(view.position() + n);
            }
        }

        private void stash(ByteBuffer rest) {
            if (inbound.capacity() < rest.remaining()) {
                inbound = ByteBuffer.allocate(rest.remaining());
            }
            inbound.clear();
            inbound.put(rest);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int closers = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int workers = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        boolean sends = args.length > 3 && args[3].equals("sends");
        System.out.println(System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + ": " + closers + " closer threads, " + workers + " worker threads, " + seconds + " s"
                + (sends ? ", workers send from each region before it is closed" : ""));
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder anomalies = new LongAdder();
        LongAdder closes = new LongAdder();
        Worker[] ws = new Worker[workers];
        Thread[] threads = new Thread[workers + closers];
        for (int i = 0; i < workers; i++) {
            ws[i] = new Worker(stop, anomalies);
            threads[i] = new Thread(ws[i], "worker-" + i);
        }
        for (int i = 0; i < closers; i++) {
            threads[workers + i] = new Thread(() -> {
                while (!stop.get()) {
                    Arena arena = Arena.ofShared();
                    MemorySegment region = arena.allocate(1 << 20, 4096);
                    region.fill((byte) 1);
                    if (sends) {
                        // Like sendRegion then unregister: every worker sends from it, then we wait until all are done.
                        for (Worker w : ws) {
                            while (!w.region.compareAndSet(null, region) && !stop.get()) {
                                Thread.onSpinWait();
                            }
                        }
                        for (Worker w : ws) {
                            while (w.region.get() == region && !w.exited) {
                                Thread.onSpinWait();
                            }
                        }
                    }
                    arena.close(); // the handshake with every thread, deoptimizing their top frames
                    closes.increment();
                }
            }, "closer-" + i);
        }
        for (Thread t : threads) {
            t.start();
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end && anomalies.sum() == 0) {
            Thread.sleep(200); // a plain program, not a test: poll the clock
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        long rounds = 0;
        for (Worker w : ws) {
            rounds += w.delivered.get();
        }
        System.out.println("arena closes: " + closes.sum() + ", worker deliveries: " + rounds + ", anomalies: " + anomalies.sum());
        System.exit(anomalies.sum() == 0 ? 0 : 1);
    }
}
