package io.ringline.tests;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import io.ringline.tests.support.FramedHandler;
import io.ringline.tests.support.Await;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.EchoHandler;
import io.ringline.tests.support.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link Handler#onData} contract: the handler returns how many bytes it consumed; the rest is
 * presented again (followed by new bytes) on the next call, whatever the segmentation of the stream.
 */
class ParseContractTest extends BackendTest {

    private static byte[] frame(byte[]... payloads) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : payloads) {
            out.writeBytes(ByteBuffer.allocate(4).putInt(p.length).array());
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[][] samplePayloads() {
        Random r = new Random(42);
        return new byte[][] {new byte[0], {7}, Bytes.random(r, 5), Bytes.random(r, 13), new byte[0], Bytes.random(r, 2)};
    }

    private static void assertMessages(byte[][] expected, List<byte[]> got, int from) {
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], got.get(from + i), "message " + (from + i));
        }
    }

    private static void readAcks(Client in, byte[][] payloads) throws IOException {
        for (byte[] p : payloads) {
            assertEquals(p.length, ByteBuffer.wrap(in.readExactly(4)).getInt(), "ack (message length)");
        }
    }

    @Test
    void streamSplitInTwoAtEveryByteBoundaryIsParsedIdentically() throws Exception {
        FramedHandler h = new FramedHandler();
        byte[][] payloads = samplePayloads();
        byte[] stream = frame(payloads);
        try (Runtime rt = start(serverConfig().workers(1), w -> h);
             Client s = connect(rt)) {
            OutputStream out = s.output();
            long sent = 0;
            for (int split = 1; split < stream.length; split++) {
                out.write(stream, 0, split);
                long firstPart = sent + split;
                // Wait until the server saw the first part on its own before sending the rest.
                Await.until(() -> h.newBytes.get() == firstPart, "server received the first " + firstPart + " bytes");
                out.write(stream, split, stream.length - split);
                sent += stream.length;
                readAcks(s, payloads);
                assertMessages(payloads, h.messages, (split - 1) * payloads.length);
            }
            assertEquals((stream.length - 1) * payloads.length, h.messages.size());
            assertEquals(List.of(), h.violations);
        }
    }

    @Test
    void streamSentOneByteAtATimeIsParsedIdentically() throws Exception {
        FramedHandler h = new FramedHandler();
        byte[][] payloads = samplePayloads();
        byte[] stream = frame(payloads);
        try (Runtime rt = start(serverConfig().workers(1), w -> h);
             Client s = connect(rt)) {
            OutputStream out = s.output();
            for (int i = 0; i < stream.length; i++) {
                out.write(stream[i]);
                int n = i + 1;
                Await.until(() -> h.newBytes.get() == n, "server received byte " + n + " separately");
            }
            readAcks(s, payloads);
            assertMessages(payloads, h.messages, 0);
            assertEquals(payloads.length, h.messages.size());
            assertEquals(List.of(), h.violations);
        }
    }

    @Test
    void manyMessagesCoalescedInOneWriteAreAllParsedInOrder() throws Exception {
        FramedHandler h = new FramedHandler();
        Random r = new Random(7);
        byte[][] payloads = new byte[2000][];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = Bytes.random(r, r.nextInt(40));
        }
        // A message larger than several receive buffers, in the middle of small ones.
        payloads[1000] = Bytes.random(r, 100_000);
        byte[] stream = frame(payloads);
        try (Runtime rt = start(serverConfig().workers(1).recvBufferSize(1024), w -> h);
             Client s = connect(rt)) {
            s.output().write(stream);
            readAcks(s, payloads);
            assertEquals(payloads.length, h.messages.size());
            assertMessages(payloads, h.messages, 0);
            assertEquals(List.of(), h.violations);
        }
    }

    /** Consumes exactly one byte per call: the core must call again at once with the rest. */
    @Test
    void consumingLessThanPresentedPresentsTheRestAgainWithoutNewBytes() throws Exception {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        List<String> violations = new CopyOnWriteArrayList<>();
        AtomicLong consumedTotal = new AtomicLong();
        Handler oneByteAtATime = new Handler() {
            int expectedRemaining = -1;

            @Override
            public int onData(Connection c, ByteBuffer data) {
                if (expectedRemaining > 0 && data.remaining() < expectedRemaining) {
                    violations.add("after consuming 1 byte of " + (expectedRemaining + 1) + ", only " + data.remaining() + " presented");
                }
                synchronized (seen) {
                    seen.write(data.get(data.position()));
                }
                expectedRemaining = data.remaining() - 1;
                consumedTotal.incrementAndGet();
                return 1;
            }
        };
        byte[] payload = Bytes.random(new Random(3), 5000);
        try (Runtime rt = start(serverConfig().workers(1), w -> oneByteAtATime);
             Client s = connect(rt)) {
            s.output().write(payload);
            Await.until(() -> consumedTotal.get() == payload.length,
                    () -> "all " + payload.length + " bytes consumed one at a time, got " + consumedTotal.get());
            synchronized (seen) {
                assertArrayEquals(payload, seen.toByteArray());
            }
            assertEquals(List.of(), violations);
        }
    }

    /** Returning 0 ("need more") keeps every byte; the next call presents them followed by the new ones. */
    @Test
    void returningZeroKeepsAllBytesUntilMoreArrive() throws Exception {
        AtomicReference<byte[]> whole = new AtomicReference<>();
        AtomicLong calls = new AtomicLong();
        int needed = 3000;
        Handler needAll = (c, data) -> {
            calls.incrementAndGet();
            if (data.remaining() < needed) {
                return 0;
            }
            byte[] b = new byte[needed];
            data.get(data.position(), b);
            whole.set(b);
            return needed;
        };
        byte[] payload = Bytes.random(new Random(5), needed);
        try (Runtime rt = start(serverConfig().workers(1), w -> needAll);
             Client s = connect(rt)) {
            OutputStream out = s.output();
            for (int off = 0; off < needed; off += 500) {
                long before = calls.get();
                out.write(payload, off, 500);
                if (off + 500 < needed) {
                    Await.until(() -> calls.get() > before, "onData called for the piece at " + (off));
                }
            }
            Await.until(() -> whole.get() != null, "the handler got all " + needed + " bytes at once");
            assertArrayEquals(payload, whole.get());
        }
    }

    /** A count outside [0, data.remaining()] is a handler bug: the connection closes with ERROR. */
    @ParameterizedTest(name = "onData returns {0}")
    @ValueSource(strings = {"remaining+1", "-1", "MIN_VALUE"})
    void outOfRangeConsumedCountClosesWithError(String result) throws Exception {
        Recorder bad = new Recorder() {
            @Override
            public int onData(Connection c, ByteBuffer data) {
                super.onData(c, data);
                return switch (result) {
                    case "remaining+1" -> data.remaining() + 1;
                    case "-1" -> -1;
                    default -> Integer.MIN_VALUE;
                };
            }
        };
        try (Runtime rt = start(serverConfig(), w -> bad);
             Client s = connect(rt)) {
            s.write(new byte[] {1, 2, 3});
            Throwable cause = bad.awaitClose().cause();
            assertEquals(List.of(CloseReason.ERROR), bad.closeReasons());
            assertNotNull(cause, "ERROR comes with a cause");
            assertTrue(cause.getMessage() != null && !cause.getMessage().isBlank(),
                    () -> "the cause explains the bad count: " + cause);
            s.expectClosedWithoutData();
        }
    }

    /** An exception thrown by onData closes that connection with ERROR and that exception as cause; the worker survives. */
    @Test
    void exceptionFromOnDataClosesWithErrorAndWorkerSurvives() throws Exception {
        RuntimeException boom = new IllegalStateException("boom from onData");
        EchoHandler h = new EchoHandler(EchoHandler.Mode.PLAIN) {
            @Override
            public int onData(Connection c, ByteBuffer data) {
                if (data.get(data.position()) == 'x') {
                    throw boom;
                }
                return super.onData(c, data);
            }
        };
        try (Runtime rt = start(serverConfig().workers(1), w -> h)) {
            try (Client s = connect(rt)) {
                s.write('x');
                Recorder.Event close = h.awaitClose();
                assertEquals(CloseReason.ERROR, close.reason());
                assertEquals(boom, close.cause());
                s.expectClosedWithoutData();
            }
            try (Client s = connect(rt)) {
                s.output().write("ok".getBytes());
                assertArrayEquals("ok".getBytes(), s.readExactly(2), "the worker still serves");
            }
        }
    }

}
