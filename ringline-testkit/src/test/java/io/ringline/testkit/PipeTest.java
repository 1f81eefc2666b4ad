package io.ringline.testkit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One direction of an in-memory connection: window, end of stream, reset, reader gone, delay. */
class PipeTest {

    private static ByteBuffer bytes(int n, int seed) {
        ByteBuffer b = ByteBuffer.allocate(n);
        for (int i = 0; i < n; i++) {
            b.put(i, (byte) (seed + i * 31));
        }
        return b;
    }

    private static byte[] drain(Pipe p, int n) throws IOException {
        ByteBuffer dst = ByteBuffer.allocate(n);
        while (dst.hasRemaining()) {
            if (p.read(dst, 5_000) < 0) {
                break;
            }
        }
        return java.util.Arrays.copyOf(dst.array(), dst.position());
    }

    @Test
    void offerTakesWhatFitsTheWindowAndSignalsTheWriterOnceRoomFrees() throws IOException {
        Pipe p = new Pipe(100, 0);
        AtomicInteger writerSignals = new AtomicInteger();
        AtomicInteger readerSignals = new AtomicInteger();
        p.writerSignal(writerSignals::incrementAndGet);
        p.readerSignal(readerSignals::incrementAndGet);
        ByteBuffer src = bytes(250, 1);

        assertEquals(100, p.offer(src, 0, 250), "a short write: only the window fits");
        assertEquals(0, src.position(), "offer leaves the source's position alone");
        assertEquals(0, p.offer(src, 100, 150), "the window is full");
        assertEquals(1, readerSignals.get());
        assertEquals(0, writerSignals.get());

        ByteBuffer dst = ByteBuffer.allocate(40);
        assertEquals(40, p.poll(dst));
        assertEquals(1, writerSignals.get(), "room freed after a short write");
        assertEquals(40, p.offer(src, 100, 40));
        assertArrayEquals(java.util.Arrays.copyOf(src.array(), 40), dst.array());
        assertArrayEquals(java.util.Arrays.copyOfRange(src.array(), 40, 140), drain(p, 100));
    }

    @Test
    void bytesWrapAroundTheRingAndGrowItUpToTheWindow() throws IOException {
        Pipe p = new Pipe(100_000, 0);
        ByteBuffer src = bytes(300_000, 7);
        ByteBuffer out = ByteBuffer.allocate(300_000);
        int written = 0;
        while (out.hasRemaining()) {
            written += p.offer(src, written, Math.min(33_333, src.capacity() - written));
            ByteBuffer chunk = ByteBuffer.allocate(17_000);
            p.poll(chunk);
            out.put(chunk.flip());
        }
        assertArrayEquals(src.array(), out.array());
    }

    @Test
    void aBlockingWriterWaitsForTheReader() throws Exception {
        Pipe p = new Pipe(10, 0);
        ByteBuffer src = bytes(1000, 3);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                p.write(src.duplicate());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertArrayEquals(src.array(), drain(p, 1000));
        writer.get(5, TimeUnit.SECONDS);
    }

    @Test
    void endOfStreamComesAfterTheBytes() throws IOException {
        Pipe p = new Pipe(100, 0);
        p.offer(bytes(10, 0), 0, 10);
        p.end();
        assertEquals(10, p.poll(ByteBuffer.allocate(100)));
        assertEquals(-1, p.poll(ByteBuffer.allocate(100)));
        assertEquals(-1, p.read(ByteBuffer.allocate(100), 1000));
        assertThrows(SocketException.class, () -> p.offer(bytes(1, 0), 0, 1), "no write after the end");
    }

    @Test
    void afterTheWritersResetTheReaderReadsWhatWasWrittenThenFails() throws IOException {
        Pipe p = new Pipe(100, 0);
        p.offer(bytes(10, 0), 0, 10);
        p.resetByWriter();
        assertTrue(p.hasUnread());
        assertEquals(10, p.poll(ByteBuffer.allocate(100)), "the bytes before the reset, as a kernel keeps them");
        SocketException read = assertThrows(SocketException.class, () -> p.poll(ByteBuffer.allocate(10)));
        assertEquals("Connection reset", read.getMessage());
        assertThrows(SocketException.class, () -> p.read(ByteBuffer.allocate(10), 1000));
    }

    @Test
    void aWritersResetAfterItsEndOfStreamLeavesTheEndOfStream() throws IOException {
        Pipe p = new Pipe(100, 0);
        p.offer(bytes(10, 0), 0, 10);
        p.end();
        p.resetByWriter();
        assertEquals(10, p.read(ByteBuffer.allocate(100), 1000));
        assertEquals(-1, p.read(ByteBuffer.allocate(100), 1000));
    }

    @Test
    void theReadersResetDropsTheBytesAndFailsTheWriter() throws IOException {
        Pipe p = new Pipe(100, 0);
        p.offer(bytes(10, 0), 0, 10);
        p.resetByReader();
        assertFalse(p.hasUnread());
        SocketException write = assertThrows(SocketException.class, () -> p.offer(bytes(1, 0), 0, 1));
        assertEquals("Connection reset by peer", write.getMessage());
    }

    @Test
    void afterTheReaderClosedOneWriteIsDroppedAndTheNextFails() throws IOException {
        Pipe p = new Pipe(100, 0);
        p.closeReader();
        assertEquals(5, p.offer(bytes(5, 0), 0, 5));
        assertFalse(p.hasUnread());
        SocketException e = assertThrows(SocketException.class, () -> p.offer(bytes(5, 0), 0, 5));
        assertEquals("Broken pipe", e.getMessage());
    }

    @Test
    void aBlockingReadTimesOutAndStaysUsable() throws IOException {
        Pipe p = new Pipe(100, 0);
        assertThrows(SocketTimeoutException.class, () -> p.read(ByteBuffer.allocate(1), 20));
        p.offer(bytes(1, 42), 0, 1);
        ByteBuffer one = ByteBuffer.allocate(1);
        assertEquals(1, p.read(one, 1000));
        assertEquals(42, one.get(0));
    }

    @Test
    void delayedBytesBecomeReadableOnlyAfterTheDelay() throws IOException {
        long delay = TimeUnit.MILLISECONDS.toNanos(100);
        Pipe p = new Pipe(100, delay);
        long written = System.nanoTime();
        p.offer(bytes(10, 0), 0, 10);
        p.end();
        assertEquals(0, p.poll(ByteBuffer.allocate(10)), "not readable yet");
        assertTrue(p.hasUnread());
        assertTrue(p.nextReadyAt() - written >= delay);
        assertEquals(10, p.read(ByteBuffer.allocate(10), 5_000), "a blocking read waits for the delay");
        assertTrue(System.nanoTime() - written >= delay);
        assertEquals(Long.MAX_VALUE, p.nextReadyAt());
        assertEquals(-1, p.poll(ByteBuffer.allocate(10)), "then the end of stream");
    }
}
