package io.ringline.tests;

import io.ringline.Connection;
import io.ringline.ConnectionClosedException;
import io.ringline.Handler;
import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import io.ringline.Runtime;
import io.ringline.WorkerContext;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.EchoHandler;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.OncePerBackendTest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Generation-checked connection tokens and stale connection handles. */
class TokenTest extends OncePerBackendTest {

    /**
     * One worker, connections opened and closed one after another: the worker reuses the freed slot,
     * yet every earlier token resolves to nothing and every earlier handle refuses to act.
     */
    @Test
    void staleTokensResolveToNothingEvenWhenTheSlotIsReused() throws Exception {
        EchoHandler h = EchoHandler.plain();
        try (Arena arena = Arena.ofShared()) {
            MemoryRegion region = MemoryRegion.of(arena.allocate(16));
            try (Runtime rt = start(serverConfig().workers(1).initialRegion(region), w -> h)) {
                WorkerContext w = rt.worker(0);
                List<Connection> stale = new ArrayList<>();
                Set<Long> tokens = new HashSet<>();
                for (int i = 0; i < 10; i++) {
                    try (Client s = connect(rt)) {
                        Connection c = h.next();
                        assertTrue(tokens.add(c.token()), "tokens are unique: " + c.token() + " seen before");
                        OnWorker.run(w, () -> {
                            assertSame(c, w.connection(c.token()).orElseThrow(), "the open connection's token resolves to it");
                            for (Connection old : stale) {
                                assertTrue(w.connection(old.token()).isEmpty(),
                                        "a closed connection's token resolves to nothing, also after its slot was reused");
                                assertFalse(old.isOpen());
                            }
                        });
                        // The live connection still works, stale handles notwithstanding.
                        s.output().write(i);
                        assertEquals(i, s.input().read());
                        int closedBefore = h.closes().size();
                        s.close();
                        h.awaitCloses(closedBefore + 1);
                        stale.add(c);
                    }
                }
                OnWorker.run(w, () -> {
                    for (Connection old : stale) {
                        assertTrue(w.connection(old.token()).isEmpty());
                        assertStale(old);
                    }
                });
                // A connection opened now (reusing a slot) is not disturbed by the stale handles' attempts.
                try (Client s = connect(rt)) {
                    Connection c = h.next();
                    OnWorker.run(w, () -> {
                        for (Connection old : stale) {
                            assertThrows(ConnectionClosedException.class, () -> old.send(new byte[] {66}));
                            old.close();
                            old.abort();
                        }
                        assertTrue(c.isOpen(), "the new connection survived the stale handles' calls");
                        assertEquals(0, c.pendingSendBytes());
                    });
                    s.output().write(5);
                    assertEquals(5, s.input().read(), "no stray bytes from the stale handles");
                }
            }
        }
    }

    /** Every operation of a closed connection's handle throws ConnectionClosedException; close/abort are no-ops. */
    private static void assertStale(Connection old) {
        assertFalse(old.isOpen());
        assertFalse(old.isWritable(), "a closed connection is not writable");
        assertThrows(ConnectionClosedException.class, () -> old.send(ByteBuffer.allocate(1)));
        assertThrows(ConnectionClosedException.class, () -> old.send(new byte[1]));
        assertThrows(ConnectionClosedException.class, () -> old.trySend(ByteBuffer.allocate(1)));
        assertThrows(ConnectionClosedException.class, () -> old.sendGather(ByteBuffer.allocate(1)));
        assertThrows(ConnectionClosedException.class, () -> old.sendRegion(RegionId.of(0), 0, 1));
        assertTrue(old.sendAsync(ByteBuffer.allocate(1)).toCompletableFuture().isCompletedExceptionally());
        old.close(); // idempotent no-ops on a closed connection
        old.abort();
        old.shutdownOutput();
        assertEquals(0, old.pendingSendBytes());
    }

    @Test
    void tokensOfOneWorkerDoNotResolveOnAnother() throws Exception {
        EchoHandler h = EchoHandler.plain();
        try (Runtime rt = start(serverConfig(), w -> h)) {
            List<Client> sockets = new ArrayList<>();
            try {
                List<Connection> conns = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    sockets.add(connect(rt));
                    Connection c = h.next();
                    conns.add(c);
                }
                for (Connection c : conns) {
                    WorkerContext own = c.worker();
                    WorkerContext other = rt.worker(1 - c.workerId());
                    OnWorker.run(own, () -> assertSame(c, own.connection(c.token()).orElseThrow()));
                    OnWorker.run(other, () -> assertTrue(other.connection(c.token()).isEmpty(),
                            "token of worker " + c.workerId() + " resolved on worker " + other.workerId()));
                }
                OnWorker.run(rt.worker(0), () -> {
                    assertTrue(rt.worker(0).connection(0L).isEmpty());
                    assertTrue(rt.worker(0).connection(-1L).isEmpty());
                    assertTrue(rt.worker(0).connection(Long.MAX_VALUE).isEmpty());
                });
            } finally {
                for (Client s : sockets) {
                    s.close();
                }
            }
        }
    }

    /** attach/attachment keep per-connection state across callbacks, separately for each connection. */
    @Test
    void attachmentsArePerConnection() throws Exception {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void onOpen(Connection c) {
                if (c.attach(new StringBuilder()) != null) {
                    seen.add("fresh connection had an attachment");
                }
            }

            @Override
            public int onData(Connection c, ByteBuffer data) {
                StringBuilder sb = c.attachment();
                int start = data.position();
                while (data.hasRemaining()) {
                    char ch = (char) data.get();
                    if (ch == '\n') {
                        c.send(sb.toString().getBytes());
                        sb.setLength(0);
                    } else {
                        sb.append(ch);
                    }
                }
                return data.position() - start;
            }
        };
        try (Runtime rt = start(serverConfig().workers(1), w -> h);
             Client a = connect(rt);
             Client b = connect(rt)) {
            a.output().write("he".getBytes());
            b.output().write("wor".getBytes());
            a.output().write("llo\n".getBytes());
            b.output().write("ld\n".getBytes());
            assertEquals("hello", new String(a.readExactly(5)));
            assertEquals("world", new String(b.readExactly(5)));
            assertEquals(List.of(), seen);
        }
    }

    /** A connection closed locally is stale at once, even before the peer noticed. */
    @Test
    void aLocallyClosedConnectionIsStaleImmediately() throws Exception {
        EchoHandler h = EchoHandler.plain();
        try (Runtime rt = start(serverConfig().workers(1), w -> h);
             Client s = connect(rt)) {
            Connection c = h.next();
            WorkerContext w = c.worker();
            OnWorker.run(w, () -> {
                long token = c.token();
                c.abort();
                assertTrue(w.connection(token).isEmpty());
                assertStale(c);
            });
            s.expectClosedWithoutData(); // an abort may reset
        }
    }
}
