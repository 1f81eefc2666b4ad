package io.ringline.tests;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Clients;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link io.ringline.Config#maxConnectionsPerWorker()}: a worker never serves more connections at
 * once; further accepted connections wait (in the listen backlog) until a slot frees up.
 */
class ConnectionLimitTest extends BackendTest {

    @Test
    void aWorkerNeverServesMoreThanMaxConnectionsAndServesTheRestLater() throws Exception {
        int limit = 3;
        int waiting = 6;
        AtomicInteger open = new AtomicInteger();
        AtomicInteger maxOpen = new AtomicInteger();
        AtomicInteger opened = new AtomicInteger();
        Handler h = new Handler() {
            @Override
            public void onOpen(Connection c) {
                opened.incrementAndGet();
                maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            }

            @Override
            public int onData(Connection c, ByteBuffer data) {
                int n = data.remaining();
                c.send(data);
                return n;
            }

            @Override
            public void onClose(Connection c, CloseReason reason, Throwable cause) {
                open.decrementAndGet();
            }
        };
        List<Socket> clients = new ArrayList<>();
        try (Runtime rt = start(serverConfig().workers(1).maxConnectionsPerWorker(limit), w -> h)) {
            try {
                for (int i = 0; i < limit + waiting; i++) {
                    clients.add(Clients.connect(address(rt))); // the kernel completes the handshake; the runtime may not serve it yet
                }
                Await.until(() -> opened.get() == limit, () -> "the first " + limit + " connections are served, got " + opened.get());
                // Round trips on the served ones make sure the worker had every chance to take more.
                for (int i = 0; i < limit; i++) {
                    clients.get(i).getOutputStream().write(i);
                    assertEquals(i, clients.get(i).getInputStream().read());
                }
                assertEquals(limit, opened.get(), "no more than maxConnectionsPerWorker served");
                // Each served connection that closes lets one waiting connection in; every one is served normally.
                for (int i = limit; i < limit + waiting; i++) {
                    clients.get(i - limit).close();
                    clients.get(i).getOutputStream().write(40 + i);
                    assertEquals(40 + i, clients.get(i).getInputStream().read(), "waiting connection " + i + " is served");
                }
                assertEquals(limit + waiting, opened.get());
                assertTrue(maxOpen.get() <= limit, "at most " + limit + " open at once, saw " + maxOpen.get());
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }
        }
    }
}
