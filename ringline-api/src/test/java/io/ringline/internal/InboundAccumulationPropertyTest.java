package io.ringline.internal;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The receive accumulator through the real {@link ConnectionImpl}: a random byte stream, split into
 * random reads, parsed by a handler that consumes random counts per call (often 0, sometimes all).
 */
class InboundAccumulationPropertyTest {

    /** A consume decision meaning "everything presented". */
    static final int ALL = -1;

    /** Consumes according to a cyclic plan and records what it consumed and how it was shown the bytes. */
    static final class PlannedConsumer implements Handler {
        private final List<Integer> plan;
        private int next;
        final byte[] consumed;
        int consumedCount;
        String badView;

        PlannedConsumer(List<Integer> plan, int capacity) {
            this.plan = plan;
            this.consumed = new byte[capacity];
        }

        @Override
        public int onData(Connection c, ByteBuffer data) {
            if (!data.isDirect() || !data.isReadOnly()) {
                badView = "onData saw direct=" + data.isDirect() + " readOnly=" + data.isReadOnly();
            }
            int decision = plan.isEmpty() ? ALL : plan.get(next++ % plan.size());
            int n = decision == ALL ? data.remaining() : Math.min(decision, data.remaining());
            data.get(data.position(), consumed, consumedCount, n);
            consumedCount += n;
            return n;
        }
    }

    /** Random cases; the seed of a failing case is in the failure message (see {@link #TRIES}). */
    static final int TRIES = 300;

    /** A random consume plan: mostly "need more" (0), sometimes all, sometimes a few bytes or many. */
    static List<Integer> consumePlan(Random r) {
        int n = r.nextInt(301);
        List<Integer> plan = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(13);
            plan.add(k < 6 ? 0 : k < 8 ? ALL : k < 11 ? 1 + r.nextInt(100) : 1 + r.nextInt(70_000));
        }
        return plan;
    }

    /** Random read sizes: 1..120 reads of 1..40,000 bytes, with tiny reads over-represented. */
    static List<Integer> reads(Random r) {
        int n = 1 + r.nextInt(120);
        List<Integer> reads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            reads.add(r.nextInt(4) == 0 ? 1 + r.nextInt(3) : 1 + r.nextInt(40_000));
        }
        return reads;
    }

    @RepeatedTest(TRIES)
    void presentedBytesAreTheStreamOnDirectReadOnlyViewsWithLinearCopying(RepetitionInfo repetition) {
        long seed = 0x5EED_0000L + repetition.getCurrentRepetition();
        try {
            check(reads(new Random(seed)), consumePlan(new Random(~seed)), seed);
        } catch (AssertionError e) {
            throw new AssertionError("case with seed " + seed + " failed: " + e.getMessage(), e);
        }
    }

    @Test
    void edgeCases() {
        check(List.of(1, 1), List.of(0), 1);           // two one-byte reads, nothing consumed
        check(List.of(1024, 1023, 2), List.of(0), 2);  // growth at the edge of a doubling
        check(List.of(40_000, 40_000, 40_000), List.of(0, 0, ALL), 3);
        check(List.of(5, 5, 5, 5), List.of(1), 4);     // consume one byte per call
    }

    private static void check(List<Integer> reads, List<Integer> plan, long seed) {
        int total = reads.stream().mapToInt(Integer::intValue).sum();
        byte[] stream = new byte[total];
        new Random(seed).nextBytes(stream);

        PlannedConsumer handler = new PlannedConsumer(plan, total);
        SocketlessConnection c = new SocketlessConnection(Worker.detached(Config.builder().workers(1).build(), handler));
        ByteBuffer read = ByteBuffer.allocateDirect(40_000); // reused for every read, like a backend's receive buffer
        ByteBuffer shown = read.asReadOnlyBuffer(); // and its read-only twin, which the core is given
        int offset = 0;
        for (int size : reads) {
            read.clear().put(stream, offset, size);
            offset += size;
            c.core.received(shown.clear().limit(size));
        }

        assertTrue(c.core.isOpen());
        assertEquals(null, handler.badView);
        // Consumed bytes, in consumption order, are the start of the stream; the kept bytes are the rest.
        assertArrayEquals(Arrays.copyOf(stream, handler.consumedCount), Arrays.copyOf(handler.consumed, handler.consumedCount));
        InboundBuffer kept = c.core.inboundBuffer();
        int keptCount = kept == null ? 0 : kept.readableBytes();
        assertEquals(total, handler.consumedCount + keptCount);
        if (keptCount > 0) {
            byte[] rest = new byte[keptCount];
            ByteBuffer view = kept.readable();
            view.get(view.position(), rest);
            assertArrayEquals(Arrays.copyOfRange(stream, handler.consumedCount, total), rest);
        }
        if (kept != null) {
            long appendsAndCompactions = kept.appendedBytes() + kept.compactedBytes();
            assertTrue(appendsAndCompactions <= 2L * total, () -> "appends " + kept.appendedBytes() + " + compactions "
                    + kept.compactedBytes() + " = " + appendsAndCompactions + " bytes copied for " + total + " bytes received");
            assertTrue(kept.regrownBytes() <= 2L * total, () -> "growth copied " + kept.regrownBytes() + " bytes for "
                    + total + " bytes received");
        }
    }
}
