package io.ringline.tests;

import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.OnWorker;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code onData} is shown the received bytes in place: the backend's receive buffer itself, or the
 * connection's accumulator of kept bytes, from its position (which need not be 0) to its limit,
 * without a slice or wrapper per call. The handler may move position, limit and byte order; the
 * core puts them back after each call.
 */
class InPlaceDeliveryTest extends BackendTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * Parses 8-byte big-endian sequence numbers, one message per call, relative to
     * {@code data.position()}. It measures what the worker thread allocates between two calls of
     * one delivery (a call that follows a call which consumed a message, on the same buffer at the
     * position just after it), separately for deliveries shown in place and from the accumulator
     * (those that follow a "need more"). Allocates nothing itself on the success path.
     */
    static final class SequenceParser implements Handler {
        /** Calls before the measurement starts (class loading and first-time linking allocate). */
        static final int WARMUP_MESSAGES = 2_000;

        final AtomicLong messages = new AtomicLong();
        final List<String> violations = new CopyOnWriteArrayList<>();
        long inPlaceCalls;
        long inPlaceAllocated;
        long accumulatorCalls;
        long accumulatorAllocated;
        private long expected;
        private ByteBuffer last;
        private int lastPosition;
        private boolean lastConsumed;
        private boolean fromAccumulator;
        private long allocatedAtLastReturn;

        @Override
        public int onData(Connection connection, ByteBuffer data) {
            long allocated = THREADS.getCurrentThreadAllocatedBytes();
            int position = data.position();
            boolean sameDelivery = lastConsumed && data == last && position == lastPosition + 8;
            if (!lastConsumed) {
                fromAccumulator = last != null; // after "need more", the kept bytes come back from the accumulator
            } else if (!sameDelivery) {
                fromAccumulator = false; // the previous delivery was used up: a fresh one, in place
            }
            if (sameDelivery && expected >= WARMUP_MESSAGES) {
                if (fromAccumulator) {
                    accumulatorCalls++;
                    accumulatorAllocated += allocated - allocatedAtLastReturn;
                } else {
                    inPlaceCalls++;
                    inPlaceAllocated += allocated - allocatedAtLastReturn;
                }
            }
            last = data;
            lastPosition = position;
            if (data.remaining() < 8) {
                lastConsumed = false;
                allocatedAtLastReturn = THREADS.getCurrentThreadAllocatedBytes();
                return 0;
            }
            long seq = data.getLong(position);
            if (seq != expected) {
                violations.add("message " + expected + " read as " + seq + " at position " + position);
            }
            expected++;
            messages.lazySet(expected);
            lastConsumed = true;
            allocatedAtLastReturn = THREADS.getCurrentThreadAllocatedBytes();
            return 8;
        }
    }

    @Test
    void callsOfOneDeliverySeeTheSameBufferAtLaterPositionsInPlaceAndFromTheAccumulatorWithoutAllocating()
            throws Exception {
        int count = 40_000;
        ByteBuffer stream = ByteBuffer.allocate(count * 8);
        for (long i = 0; i < count; i++) {
            stream.putLong(i);
        }
        byte[] bytes = stream.array();
        SequenceParser h = new SequenceParser();
        Random r = new Random(11);
        try (Runtime rt = start(serverConfig().workers(1), w -> h);
             Client s = connect(rt)) {
            OutputStream out = s.output();
            int sent = 0;
            while (sent < bytes.length) {
                // Chunks ending inside a message (the tail is kept: the next delivery comes from
                // the accumulator) or on a boundary (the next one is shown in place).
                int end = Math.min(bytes.length, sent + 1 + r.nextInt(2400));
                if (r.nextBoolean() && end < bytes.length) {
                    end = Math.max(sent + 1, end & ~7);
                }
                out.write(bytes, sent, end - sent);
                out.flush();
                sent = end;
                long whole = sent / 8;
                // One chunk per delivery as far as the transport allows: wait until it was parsed.
                Await.until(() -> h.messages.get() == whole, () -> "server parsed " + whole + " messages, got "
                        + h.messages.get());
            }
            assertEquals(List.of(), h.violations);
            // Read on the worker thread, after the last call.
            long[] m = OnWorker.call(rt.worker(0),
                    () -> new long[] {h.inPlaceCalls, h.inPlaceAllocated, h.accumulatorCalls, h.accumulatorAllocated});
            String summary = "in place: " + m[0] + " calls, " + m[1] + " bytes allocated between them; accumulator: "
                    + m[2] + " calls, " + m[3] + " bytes";
            assertTrue(m[0] >= 100, () -> "repeated calls of one delivery shown in place, at later positions of the"
                    + " same buffer (" + summary + ")");
            assertTrue(m[2] >= 100, () -> "repeated calls of one delivery shown from the accumulator, at later"
                    + " positions of the same buffer (" + summary + ")");
            // Less than a byte per call: nothing per call (a rare JIT deoptimization may allocate once).
            assertTrue(m[1] < m[0], () -> "no allocation per onData call in place (" + summary + ")");
            assertTrue(m[3] < m[2], () -> "no allocation per onData call from the accumulator (" + summary + ")");
        }
    }

    /**
     * Consumes a random count per call, checks that every call is shown exactly the unconsumed
     * bytes followed by new ones (big-endian, read-only, direct), then moves position, limit, mark
     * or byte order at random before returning: the stream must come through byte-exact.
     */
    static final class Meddler implements Handler {
        private final byte[] expected;
        private final Random random = new Random(23);
        final ByteArrayOutputStream consumed = new ByteArrayOutputStream();
        final AtomicLong consumedCount = new AtomicLong();
        final List<String> violations = new CopyOnWriteArrayList<>();

        Meddler(byte[] expected) {
            this.expected = expected;
        }

        @Override
        public int onData(Connection connection, ByteBuffer data) {
            int start = data.position();
            int end = data.limit();
            int available = end - start;
            int done = (int) consumedCount.get();
            if (data.order() != ByteOrder.BIG_ENDIAN || !data.isReadOnly() || !data.isDirect()) {
                violations.add("call after " + done + " bytes shown " + data + " order " + data.order()
                        + " readOnly " + data.isReadOnly() + " direct " + data.isDirect());
            }
            byte[] shown = new byte[available];
            data.get(start, shown);
            byte[] want = Arrays.copyOfRange(expected, done, Math.min(expected.length, done + available));
            if (!Arrays.equals(shown, want)) {
                violations.add("call after " + done + " bytes shown other bytes than the stream's next " + available);
            }
            int n = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> available;
                default -> random.nextInt(available + 1);
            };
            if (done + available == expected.length) {
                n = available; // nothing more will come: do not wait for it
            }
            consumed.write(shown, 0, n);
            meddle(data, start, end);
            consumedCount.addAndGet(n);
            return n;
        }

        private void meddle(ByteBuffer data, int start, int end) {
            switch (random.nextInt(8)) {
                case 0 -> data.position(end);
                case 1 -> data.limit(start);
                case 2 -> {
                    data.order(ByteOrder.LITTLE_ENDIAN);
                    if (data.remaining() >= 4) {
                        data.getInt(); // a relative read moves the position
                    }
                }
                case 3 -> data.clear();
                case 4 -> data.mark().position(start + (end - start) / 2).limit(data.position());
                case 5 -> data.flip();
                case 6 -> data.position(0).limit(0);
                default -> {
                    // leave it as shown
                }
            }
        }
    }

    @Test
    void handlerMovingPositionLimitAndByteOrderCannotCorruptTheStream() throws Exception {
        byte[] stream = Bytes.random(new Random(19), 300_000);
        Meddler h = new Meddler(stream);
        Random splits = new Random(29);
        try (Runtime rt = start(serverConfig().workers(1).recvBufferSize(4096), w -> h);
             Client s = connect(rt)) {
            OutputStream out = s.output();
            int sent = 0;
            while (sent < stream.length) {
                int n = Math.min(stream.length - sent, 1 + splits.nextInt(splits.nextBoolean() ? 16 : 9000));
                out.write(stream, sent, n);
                out.flush();
                sent += n;
            }
            Await.until(() -> h.consumedCount.get() == stream.length,
                    () -> "all " + stream.length + " bytes consumed, got " + h.consumedCount.get());
            assertEquals(List.of(), h.violations);
            assertArrayEquals(stream, h.consumed.toByteArray());
        }
    }
}
