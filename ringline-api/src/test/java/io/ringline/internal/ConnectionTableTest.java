package io.ringline.internal;

import io.ringline.Config;
import io.ringline.RinglineException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The token codec and the connection table: round trips, stale tokens, slot reuse, worker-id bits. */
class ConnectionTableTest {

    private final Worker worker = Worker.detached(Config.builder().workers(1).build(), (c, d) -> d.remaining());

    private ConnectionImpl connection() {
        return new SocketlessConnection(worker).core;
    }

    @Test
    void tokenFieldsRoundTrip() {
        int[][] cases = {{0, 0, 0}, {1, 0, 0}, {7, 5, 12345}, {Integer.MAX_VALUE, TokenCodec.MAX_WORKERS - 1, TokenCodec.MAX_SLOTS - 1},
                {-1, 3, 1}, {Integer.MIN_VALUE, 1, 2}};
        for (int[] c : cases) {
            long token = TokenCodec.encode(c[0], c[1], c[2]);
            assertEquals(c[0], TokenCodec.generation(token), "generation of " + java.util.Arrays.toString(c));
            assertEquals(c[1], TokenCodec.worker(token), "worker of " + java.util.Arrays.toString(c));
            assertEquals(c[2], TokenCodec.slot(token), "slot of " + java.util.Arrays.toString(c));
        }
    }

    @Test
    void workerIdsAndSlotsMustFitTheirBits() {
        IllegalArgumentException w = assertThrows(IllegalArgumentException.class,
                () -> TokenCodec.encode(1, TokenCodec.MAX_WORKERS, 0));
        assertTrue(w.getMessage().contains("4096") && w.getMessage().contains("4095"), w.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TokenCodec.encode(1, -1, 0));
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class,
                () -> TokenCodec.encode(1, 0, TokenCodec.MAX_SLOTS));
        assertTrue(s.getMessage().contains(String.valueOf(TokenCodec.MAX_SLOTS)), s.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ConnectionTable(TokenCodec.MAX_WORKERS, 8));
    }

    @Test
    void aTokenFindsItsConnectionUntilItIsRemoved() {
        ConnectionTable table = new ConnectionTable(3, 8);
        ConnectionImpl c = connection();
        table.add(c);
        assertEquals(3, TokenCodec.worker(c.token()));
        assertSame(c, table.find(c.token()));
        assertEquals(1, table.count());
        assertTrue(table.remove(c));
        assertFalse(table.remove(c), "removing twice does nothing");
        assertNull(table.find(c.token()));
        assertEquals(0, table.count());
    }

    @Test
    void aReusedSlotGetsANewGenerationSoTheOldTokenIsStale() {
        ConnectionTable table = new ConnectionTable(0, 8);
        ConnectionImpl first = connection();
        table.add(first);
        long old = first.token();
        table.remove(first);
        ConnectionImpl second = connection();
        table.add(second);
        assertEquals(TokenCodec.slot(old), TokenCodec.slot(second.token()), "the freed slot is reused");
        assertNotEquals(old, second.token());
        assertNull(table.find(old), "the old token does not find the new connection");
        assertSame(second, table.find(second.token()));
    }

    @Test
    void aTokenOfAnotherWorkerFindsNothing() {
        ConnectionTable mine = new ConnectionTable(1, 8);
        ConnectionTable theirs = new ConnectionTable(2, 8);
        ConnectionImpl c = connection();
        theirs.add(c);
        mine.add(connection()); // same slot and generation on worker 1
        assertNull(mine.find(c.token()));
        assertNull(mine.find(TokenCodec.encode(1, 1, 7)), "a slot never used");
    }

    @Test
    void theTableGrowsToItsLimitThenRefuses() {
        ConnectionTable table = new ConnectionTable(0, 100);
        ConnectionImpl[] all = new ConnectionImpl[100];
        for (int i = 0; i < 100; i++) {
            all[i] = connection();
            table.add(all[i]);
        }
        RinglineException full = assertThrows(RinglineException.class, () -> table.add(connection()));
        assertTrue(full.getMessage().contains("100"), full.getMessage());
        for (ConnectionImpl c : all) {
            assertSame(c, table.find(c.token()));
        }
        table.remove(all[42]);
        table.add(connection()); // room again
        int[] seen = {0};
        table.forEach(c -> seen[0]++);
        assertEquals(100, seen[0]);
    }
}
