package io.ringline.internal;

import io.ringline.RinglineException;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * One worker's open connections by slot, with the generation of each slot so that tokens (see
 * {@link TokenCodec}) of closed connections are recognised as stale. Freed slots are reused
 * (most recently freed first); the table grows up to {@code maxConnections}. Worker thread only.
 */
final class ConnectionTable {

    private final int workerId;
    private final int maxConnections;
    private ConnectionImpl[] connections;
    private int[] generations;
    private int[] freeSlots = new int[0];
    private int freeCount;
    private int nextFreshSlot;
    private int count;

    /**
     * @param workerId       the worker's id, encoded in every token
     * @param maxConnections the most connections at once, at most {@link TokenCodec#MAX_SLOTS}
     */
    ConnectionTable(int workerId, int maxConnections) {
        if (maxConnections < 1 || maxConnections > TokenCodec.MAX_SLOTS) {
            throw new IllegalArgumentException("maxConnections " + maxConnections + " not in [1, " + TokenCodec.MAX_SLOTS + "]");
        }
        TokenCodec.encode(0, workerId, 0); // validates the worker id
        this.workerId = workerId;
        this.maxConnections = maxConnections;
        int initial = Math.min(64, maxConnections);
        this.connections = new ConnectionImpl[initial];
        this.generations = new int[initial];
    }

    /**
     * Puts {@code c} in a free slot and gives it its token ({@link ConnectionImpl#bind}).
     *
     * @throws RinglineException if {@code maxConnections} connections are in the table already
     */
    void add(ConnectionImpl c) {
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            if (nextFreshSlot >= maxConnections) {
                throw new RinglineException("worker " + workerId + " serves maxConnectionsPerWorker "
                        + maxConnections + " connections already");
            }
            slot = nextFreshSlot++;
            if (slot >= connections.length) {
                int n = Math.min(connections.length * 2, maxConnections);
                connections = Arrays.copyOf(connections, n);
                generations = Arrays.copyOf(generations, n);
            }
        }
        int gen = ++generations[slot];
        c.bind(slot, TokenCodec.encode(gen, workerId, slot));
        connections[slot] = c;
        count++;
    }

    /** {@return true if {@code c} was in the table (its slot is free now), false if it never was or was removed already} */
    boolean remove(ConnectionImpl c) {
        int slot = c.slot();
        if (slot < 0 || slot >= connections.length || connections[slot] != c) {
            return false;
        }
        connections[slot] = null;
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, Math.max(16, freeSlots.length * 2));
        }
        freeSlots[freeCount++] = slot;
        count--;
        return true;
    }

    /** {@return the connection {@code token} names, or null if it is stale, of another worker, or malformed} */
    ConnectionImpl find(long token) {
        int slot = TokenCodec.slot(token);
        if (TokenCodec.worker(token) != workerId || slot >= connections.length
                || generations[slot] != TokenCodec.generation(token)) {
            return null;
        }
        return connections[slot];
    }

    /** {@return how many connections are in the table} */
    int count() {
        return count;
    }

    /** Runs {@code action} for every connection in the table; the action may remove connections. */
    void forEach(Consumer<ConnectionImpl> action) {
        ConnectionImpl[] snapshot = connections;
        for (int i = 0; i < snapshot.length && i < nextFreshSlot; i++) {
            ConnectionImpl c = snapshot[i];
            if (c != null) {
                action.accept(c);
            }
        }
    }
}
