package io.ringline.internal;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The receive accumulator through the real {@link BaseConnection}: a random byte stream, split into
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

    @Provide
    Arbitrary<List<Integer>> consumePlans() {
        Arbitrary<Integer> decision = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just(0)),
                Tuple.of(2, Arbitraries.just(ALL)),
                Tuple.of(3, Arbitraries.integers().between(1, 100)),
                Tuple.of(2, Arbitraries.integers().between(1, 70_000)));
        return decision.list().ofMaxSize(300);
    }

    @Property(tries = 300)
    void presentedBytesAreTheStreamOnDirectReadOnlyViewsWithLinearCopying(
            @ForAll @Size(min = 1, max = 120) List<@IntRange(min = 1, max = 40_000) Integer> reads,
            @ForAll("consumePlans") List<Integer> plan,
            @ForAll long seed) {
        int total = reads.stream().mapToInt(Integer::intValue).sum();
        byte[] stream = new byte[total];
        new Random(seed).nextBytes(stream);

        PlannedConsumer handler = new PlannedConsumer(plan, total);
        SocketlessConnection c = new SocketlessConnection(Worker.detached(Config.builder().workers(1).build(), handler));
        ByteBuffer read = ByteBuffer.allocateDirect(40_000); // reused for every read, like a backend's receive buffer
        int offset = 0;
        for (int size : reads) {
            read.clear().put(stream, offset, size).flip();
            offset += size;
            c.deliver(read);
        }

        assertTrue(c.isOpen());
        assertEquals(null, handler.badView);
        // Consumed bytes, in consumption order, are the start of the stream; the kept bytes are the rest.
        assertArrayEquals(Arrays.copyOf(stream, handler.consumedCount), Arrays.copyOf(handler.consumed, handler.consumedCount));
        InboundBuffer kept = c.inboundBuffer();
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
