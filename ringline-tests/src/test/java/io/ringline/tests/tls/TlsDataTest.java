package io.ringline.tests.tls;

import io.ringline.tests.support.FramedHandler;

import io.ringline.Connection;
import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import io.ringline.Runtime;
import io.ringline.WorkerStats;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.EchoHandler;
import io.ringline.tests.support.OnWorker;
import io.ringline.tests.support.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bytes over TLS arrive exact: record splits, pipelining, 1 MiB, sends from many threads, gather, region and async sends. */
class TlsDataTest extends TlsBackendTest {

    private static byte[] frames(List<byte[]> payloads) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : payloads) {
            out.writeBytes(ByteBuffer.allocate(4).putInt(p.length).array());
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void pipelinedAndRandomlySplitMessagesKeepTheParseContract() throws Exception {
        FramedHandler h = new FramedHandler();
        Random r = new Random(7);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            payloads.add(Bytes.random(r, r.nextInt(i % 10 == 0 ? 20_000 : 300)));
        }
        byte[] wire = frames(payloads);
        try (Runtime rt = startTls(TlsProviders.JDK.server().build(), w -> h);
             TlsClient client = connectTls(rt)) {
            OutputStream out = client.output();
            // the first 20 messages pipelined in one write (several per record), the rest in random
            // pieces: one record per write, so records end anywhere in a message or its length
            int first = frames(payloads.subList(0, 20)).length;
            out.write(wire, 0, first);
            for (int off = first; off < wire.length; ) {
                int n = Math.min(1 + r.nextInt(r.nextBoolean() ? 7 : 5_000), wire.length - off);
                out.write(wire, off, n);
                off += n;
            }
            out.flush();
            for (byte[] p : payloads) {
                assertEquals(p.length, ByteBuffer.wrap(client.readExactly(4)).getInt(), "reply (message length)");
            }
            assertEquals(List.of(), h.violations);
            assertEquals(payloads.size(), h.messages.size());
            for (int i = 0; i < payloads.size(); i++) {
                assertArrayEquals(payloads.get(i), h.messages.get(i), "message " + i);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProviders.class)
    void oneMebibyteEachWayArrivesByteExact(TlsProviders provider) throws Exception {
        int size = 1 << 20;
        EchoHandler echo = EchoHandler.pausing();
        try (Runtime rt = startTls(provider.server().build(), w -> echo);
             TlsClient client = connectTls(rt)) {
            byte[] sent = Bytes.pattern(0, size);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    client.output().write(sent);
                    client.output().flush();
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            byte[] got = client.readExactly(size);
            Bytes.checkPattern(got, size, 0);
            writer.get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(size, echo.echoed());
            Connection c = echo.next();
            long out = OnWorker.call(c.worker(), () -> c.worker().stats().bytesOut());
            assertTrue(out > size, "bytesOut counts ciphertext (more than the " + size + " plaintext bytes): " + out);
        }
    }

    @Test
    void sendsFromManyThreadsArriveByteExactInPerThreadOrder() throws Exception {
        int threads = 4;
        int perThread = 300;
        Recorder h = new Recorder();
        try (Runtime rt = startTls(TlsProviders.JDK.server().build(), w -> h);
             TlsClient client = connectTls(rt)) {
            client.handshake();
            Connection c = h.next();
            awaitServerHandshake(c);
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                senders.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        int seq = i;
                        // 8 bytes: thread id, sequence number; then a pattern tail of varying length
                        c.worker().execute(() -> c.send(ByteBuffer.allocate(8 + seq % 50).putInt(id).putInt(seq).flip().limit(8 + seq % 50)));
                    }
                }));
            }
            go.countDown();
            int[] next = new int[threads];
            for (int k = 0; k < threads * perThread; k++) {
                ByteBuffer head = ByteBuffer.wrap(client.readExactly(8));
                int id = head.getInt();
                int seq = head.getInt();
                assertTrue(id >= 0 && id < threads, "thread id " + id + " (bytes out of frame)");
                assertEquals(next[id], seq, "sends of thread " + id + " in order");
                assertArrayEquals(new byte[seq % 50], client.readExactly(seq % 50), "tail of " + id + "/" + seq);
                next[id]++;
            }
            for (Thread s : senders) {
                s.join(Await.LONG.toMillis());
            }
        }
    }

    @Test
    void gatherRegionAndAsyncSendsArriveExactAndInOrder() throws Exception {
        Recorder h = new Recorder();
        Random r = new Random(3);
        byte[] a = Bytes.random(r, 100);
        byte[] b = Bytes.random(r, 20_000);
        byte[] last = Bytes.random(r, 33);
        try (Arena arena = Arena.ofShared();
             Runtime rt = startTls(TlsProviders.JDK.server().build(), w -> h);
             TlsClient client = connectTls(rt)) {
            MemorySegment seg = arena.allocate(100_000);
            seg.copyFrom(MemorySegment.ofArray(Bytes.random(r, 100_000)));
            RegionId region = rt.shutdownHandle().registerRegion(MemoryRegion.of(seg));
            client.handshake();
            Connection c = h.next();
            CompletionStage<Void> done = OnWorker.call(c.worker(), () -> {
                c.sendGather(ByteBuffer.wrap(a), ByteBuffer.allocateDirect(b.length).put(b).flip());
                c.sendRegion(region, 1000, 70_000);
                return c.sendAsync(ByteBuffer.wrap(last));
            });
            assertArrayEquals(a, client.readExactly(a.length), "gather, first buffer");
            assertArrayEquals(b, client.readExactly(b.length), "gather, second buffer");
            assertArrayEquals(seg.asSlice(1000, 70_000).toArray(ValueLayout.JAVA_BYTE), client.readExactly(70_000), "region bytes");
            assertArrayEquals(last, client.readExactly(last.length), "async send");
            OnWorker.Stages.await(done);
            assertEquals(0L, (long) OnWorker.call(c.worker(), c::pendingSendBytes));
            assertEquals(1, sum(rt, WorkerStats::regionSends));
        }
    }

    @Test
    void sendAsyncCompletesOnlyAfterTheCiphertextWasWritten() throws Exception {
        int size = 8 << 20; // more than the kernel buffers of both ends hold (tcp_wmem max 4 MiB, receiver 64 KiB)
        Recorder h = new Recorder();
        try (Runtime rt = start(tlsServerConfig(TlsProviders.JDK.server().build()).sendQueueLimit(2L * size), w -> h);
             TlsClient client = connectTls(rt, TlsClient.Options.defaults().receiveBuffer(64 * 1024))) {
            client.handshake();
            Connection c = h.next();
            AtomicReference<Long> pendingAtCompletion = new AtomicReference<>();
            CompletionStage<Void> st = OnWorker.call(c.worker(), () -> c.sendAsync(ByteBuffer.wrap(Bytes.pattern(0, size)))
                    .whenComplete((v, t) -> pendingAtCompletion.set(c.pendingSendBytes())));
            // The client reads nothing: the socket buffers fill and the stage must stay incomplete.
            AtomicBoolean early = new AtomicBoolean();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            while (System.nanoTime() < deadline && !early.get()) { // a window in which nothing may happen
                early.set(st.toCompletableFuture().isDone());
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            }
            assertFalse(early.get(), "sendAsync completed while the reader read nothing and "
                    + OnWorker.call(c.worker(), c::pendingSendBytes) + " plaintext bytes were pending");
            Bytes.checkPattern(client.readExactly(size), size, 0);
            OnWorker.Stages.await(st);
            assertEquals(0L, pendingAtCompletion.get(), "nothing pending at completion");
        }
    }

}
