package io.ringline.testkit;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One direction of an in-memory connection: the bytes written and not yet read, at most a window
 * of them (TCP's flow control), then an end of stream; or a reset, with a kernel's rules: a reset
 * by the writer still lets the reader read the bytes written before it (then "Connection reset",
 * or the end of stream if that came first); a reset by the reader drops them and fails the writer.
 * A writer either offers bytes
 * without waiting (a worker's flush: it takes what fits) or blocks until everything fits (a
 * {@link TestPeer}); a reader polls without waiting (a worker) or blocks with a timeout (a peer).
 * With a read delay, bytes become readable only that long after they were written.
 *
 * <p>A side that does not block registers a signal instead ({@link #readerSignal},
 * {@link #writerSignal}), run outside the lock when the other side made progress: the reader's on
 * new bytes, an end of stream or a reset; the writer's when room freed after a short write, or on
 * a reset.
 *
 * <p>Thread-safe: one lock per pipe; signals never run while it is held.
 */
final class Pipe {


    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final int window;
    private final long delayNanos;
    /** When each written range becomes readable; only with a read delay. */
    private final DelayMarks marks;

    /** The unread bytes, at most {@link #window}. */
    private final ByteRing bytes;
    /** Of the unread bytes, how many are readable now (all of them without a delay). */
    private int ready;
    private boolean ended;
    private boolean readerClosed;
    private boolean discardedAfterReaderClosed;
    /** The writing end reset: the reader reads what is left, then fails (unless {@link #ended} first). */
    private boolean writerReset;
    /** The reading end reset: the bytes were dropped, the writer fails. */
    private boolean readerReset;
    /** A write was short: signal the writer once room frees. */
    private boolean writerWaiting;

    private volatile Runnable readerSignal;
    private volatile Runnable writerSignal;

    /**
     * @param window     the most unread bytes
     * @param delayNanos how long after writing bytes become readable, 0: at once
     */
    Pipe(int window, long delayNanos) {
        this.window = window;
        this.delayNanos = delayNanos;
        this.marks = delayNanos > 0 ? new DelayMarks() : null;
        this.bytes = new ByteRing(window);
    }

    /** Sets what runs when the reader may read again; null for none (a blocking reader). @param signal the signal */
    void readerSignal(Runnable signal) {
        this.readerSignal = signal;
    }

    /** Sets what runs when the writer may write again; null for none (a blocking writer). @param signal the signal */
    void writerSignal(Runnable signal) {
        this.writerSignal = signal;
    }

    // ---------------------------------------------------------------- writer side

    /**
     * Writes what fits of {@code src[index, index + length)} without waiting; does not change
     * {@code src}'s position or limit. After the reader closed, one write is taken and dropped (as a
     * kernel does before the peer's reset comes back), the next fails.
     *
     * @return bytes taken, less than {@code length} when the window is full (the writer's signal
     *         then runs once room frees)
     * @throws SocketException if the reader reset ("Connection reset by peer"), the reader
     *                         closed ("Broken pipe") or the writer ended or reset it
     */
    int offer(ByteBuffer src, int index, int length) throws SocketException {
        int n;
        lock.lock();
        try {
            checkWritable();
            if (readerClosed) {
                if (discardedAfterReaderClosed) {
                    throw new SocketException("Broken pipe");
                }
                discardedAfterReaderClosed = true;
                return length;
            }
            n = Math.min(length, window - bytes.size());
            if (n < length) {
                writerWaiting = true;
            }
            if (n > 0) {
                append(src, index, n);
            }
        } finally {
            lock.unlock();
        }
        if (n > 0) {
            run(readerSignal);
        }
        return n;
    }

    /**
     * Writes all of {@code src} from position to limit, waiting for room as needed; advances its
     * position.
     *
     * @throws SocketException        as {@link #offer}
     * @throws InterruptedIOException if interrupted while waiting
     */
    void write(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            int n;
            lock.lock();
            try {
                while (true) {
                    checkWritable();
                    if (readerClosed || bytes.size() < window) {
                        break;
                    }
                    awaitChange(-1);
                }
            } finally {
                lock.unlock();
            }
            n = offer(src, src.position(), src.remaining());
            src.position(src.position() + n);
        }
    }

    /** Ends the stream after the bytes written so far (FIN). Idempotent. */
    void end() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        run(readerSignal);
    }

    private void checkWritable() throws SocketException {
        if (readerReset) {
            throw new SocketException("Connection reset by peer");
        }
        if (ended || writerReset) {
            throw new SocketException("Socket output is shutdown");
        }
    }

    private void append(ByteBuffer src, int index, int n) {
        bytes.append(src, index, n);
        if (marks == null) {
            ready += n;
        } else {
            marks.add(n, System.nanoTime() + delayNanos);
        }
        changed.signalAll();
    }

    // ---------------------------------------------------------------- reader side

    /**
     * Reads what is readable now, at most {@code dst.remaining()} bytes, without waiting.
     *
     * @param dst where the bytes go (its position advances)
     * @return bytes read; 0 if none is readable yet; -1 at the end of the stream
     * @throws SocketException "Connection reset" once the bytes written before the writer's reset
     *                         were read (or at once after the reader's own reset)
     */
    int poll(ByteBuffer dst) throws SocketException {
        int n;
        boolean signalWriter;
        lock.lock();
        try {
            if (readerReset) {
                throw new SocketException("Connection reset");
            }
            releaseDue(System.nanoTime());
            if (ready == 0) {
                if (bytes.size() > 0) {
                    return 0; // delayed
                }
                if (ended) {
                    return -1;
                }
                if (writerReset) {
                    throw new SocketException("Connection reset");
                }
                return 0;
            }
            n = Math.min(ready, dst.remaining());
            signalWriter = take(dst, n);
        } finally {
            lock.unlock();
        }
        if (signalWriter) {
            run(writerSignal);
        }
        return n;
    }

    /**
     * Reads at least one byte, at most {@code dst.remaining()}, waiting at most {@code timeoutMillis}.
     *
     * @param dst           where the bytes go (its position advances)
     * @param timeoutMillis 0: wait as long as it takes
     * @return bytes read, or -1 at the end of the stream
     * @throws SocketTimeoutException "Read timed out" when the time is up
     * @throws SocketException        "Connection reset" after a reset (as {@link #poll}), "Socket
     *                                closed" once the reader closed
     * @throws InterruptedIOException if interrupted while waiting
     */
    int read(ByteBuffer dst, int timeoutMillis) throws IOException {
        boolean timed = timeoutMillis > 0;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        int n;
        boolean signalWriter;
        lock.lock();
        try {
            while (true) {
                if (readerReset) {
                    throw new SocketException("Connection reset");
                }
                if (readerClosed) {
                    throw new SocketException("Socket closed");
                }
                long now = System.nanoTime();
                releaseDue(now);
                if (ready > 0) {
                    break;
                }
                if (bytes.size() == 0 && ended) {
                    return -1;
                }
                if (bytes.size() == 0 && writerReset) {
                    throw new SocketException("Connection reset");
                }
                if (timed && now - deadline >= 0) {
                    throw new SocketTimeoutException("Read timed out");
                }
                long wait = timed ? deadline - now : -1;
                if (marks != null && !marks.isEmpty()) {
                    long untilReady = Math.max(1, marks.firstReadyAt() - now);
                    wait = wait < 0 ? untilReady : Math.min(wait, untilReady);
                }
                awaitChange(wait);
            }
            n = Math.min(ready, dst.remaining());
            signalWriter = take(dst, n);
        } finally {
            lock.unlock();
        }
        if (signalWriter) {
            run(writerSignal);
        }
        return n;
    }

    /** {@return bytes readable now without waiting} */
    int available() {
        lock.lock();
        try {
            releaseDue(System.nanoTime());
            return ready;
        } finally {
            lock.unlock();
        }
    }

    /** {@return whether bytes were written and not read yet, readable or still delayed} */
    boolean hasUnread() {
        lock.lock();
        try {
            return bytes.size() > 0;
        } finally {
            lock.unlock();
        }
    }

    /** {@return when the next delayed bytes become readable ({@link System#nanoTime()}), or {@link Long#MAX_VALUE} if none waits} */
    long nextReadyAt() {
        lock.lock();
        try {
            return marks == null || marks.isEmpty() ? Long.MAX_VALUE : marks.firstReadyAt();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The reader is gone (its socket closed): unread bytes are dropped, later writes are dropped
     * once and then fail with "Broken pipe". Idempotent.
     */
    void closeReader() {
        lock.lock();
        try {
            readerClosed = true;
            dropAll();
        } finally {
            lock.unlock();
        }
        run(writerSignal);
    }

    /**
     * The writing end reset: the reader still reads the bytes written so far, then fails with
     * "Connection reset" (or reads the end of stream, if the writer had ended first, as with a
     * kernel); later writes fail. Idempotent.
     */
    void resetByWriter() {
        lock.lock();
        try {
            writerReset = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        run(readerSignal);
    }

    /** The reading end reset: unread bytes are dropped, the writer fails from now on. Idempotent. */
    void resetByReader() {
        lock.lock();
        try {
            readerReset = true;
            dropAll();
        } finally {
            lock.unlock();
        }
        run(writerSignal);
    }

    private void dropAll() {
        bytes.clear();
        ready = 0;
        if (marks != null) {
            marks.clear();
        }
        changed.signalAll();
    }

    /** Moves {@code n} readable bytes to {@code dst}; {@return whether the writer waits for this room} */
    private boolean take(ByteBuffer dst, int n) {
        bytes.take(dst, n);
        ready -= n;
        changed.signalAll();
        if (writerWaiting) {
            writerWaiting = false;
            return true;
        }
        return false;
    }

    private void releaseDue(long now) {
        if (marks != null) {
            ready += marks.releaseDue(now);
        }
    }

    /** Waits for a change, at most {@code nanos} (negative: no limit); lock held. */
    private void awaitChange(long nanos) throws InterruptedIOException {
        try {
            if (nanos < 0) {
                changed.await();
            } else {
                changed.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting on an in-memory connection");
        }
    }

    private static void run(Runnable signal) {
        if (signal != null) {
            signal.run();
        }
    }
}
