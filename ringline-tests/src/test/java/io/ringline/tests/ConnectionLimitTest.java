package io.ringline.tests;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Runtime;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.EchoHandler;
import io.ringline.tests.support.OncePerBackendTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link io.ringline.Config#maxConnectionsPerWorker()}: a worker never serves more connections at
 * once; further accepted connections wait (in the listen backlog) until a slot frees up.
 */
class ConnectionLimitTest extends OncePerBackendTest {

    @Test
    void aWorkerNeverServesMoreThanMaxConnectionsAndServesTheRestLater() throws Exception {
        int limit = 3;
        int waiting = 6;
        AtomicInteger open = new AtomicInteger();
        AtomicInteger maxOpen = new AtomicInteger();
        EchoHandler h = new EchoHandler(EchoHandler.Mode.PLAIN) {
            @Override
            public void onOpen(Connection c) {
                maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                super.onOpen(c);
            }

            @Override
            public void onClose(Connection c, CloseReason reason, Throwable cause) {
                open.decrementAndGet();
                super.onClose(c, reason, cause);
            }
        };
        List<Client> clients = new ArrayList<>();
        try (Runtime rt = start(serverConfig().workers(1).maxConnectionsPerWorker(limit), w -> h)) {
            try {
                for (int i = 0; i < limit + waiting; i++) {
                    clients.add(connect(rt)); // the kernel completes the handshake; the runtime may not serve it yet
                }
                h.awaitOpens(limit); // the first ones are served
                // Round trips on the served ones make sure the worker had every chance to take more.
                for (int i = 0; i < limit; i++) {
                    clients.get(i).output().write(i);
                    assertEquals(i, clients.get(i).input().read());
                }
                assertEquals(limit, h.openCount(), "no more than maxConnectionsPerWorker served");
                // Each served connection that closes lets one waiting connection in; every one is served normally.
                for (int i = limit; i < limit + waiting; i++) {
                    clients.get(i - limit).close();
                    clients.get(i).output().write(40 + i);
                    assertEquals(40 + i, clients.get(i).input().read(), "waiting connection " + i + " is served");
                }
                assertEquals(limit + waiting, h.openCount());
                assertTrue(maxOpen.get() <= limit, "at most " + limit + " open at once, saw " + maxOpen.get());
            } finally {
                for (Client s : clients) {
                    s.close();
                }
            }
        }
    }
}
