package io.ringline.internal;

import io.ringline.CloseReason;
import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.ConnectionClosedException;
import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import io.ringline.RinglineException;
import io.ringline.SendQueueFullException;
import io.ringline.TimerHandle;
import io.ringline.WorkerContext;
import io.ringline.spi.ConnectionCore;
import io.ringline.spi.OutboundQueue;
import io.ringline.spi.Transport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The core of one connection: the user-facing {@link Connection} and the backend's
 * {@link ConnectionCore}. It owns the send queue and backpressure, the receive accumulator and parse
 * contract, half-close and the close lifecycle, token and attachment; the socket operations are the
 * backend's {@link Transport}, which reports back through the {@link ConnectionCore} methods.
 *
 * <p>Every method runs on the owning worker's thread.
 */
public final class ConnectionImpl implements Connection, ConnectionCore {

    /**
     * OPEN; CLOSING: flushing the queue before the close; LINGERING: at shutdown, everything was
     * written and the output shut down, waiting for the peer's end of stream (see
     * {@link #closeWhenFlushed()}); CLOSED.
     */
    private enum State { OPEN, CLOSING, LINGERING, CLOSED }

    private final Worker worker;
    private final Transport transport;
    private final SendQueue queue;
    private final long sendLimit;
    private final SocketAddress localAddress;
    private final SocketAddress remoteAddress;

    private State state = State.OPEN;
    private long token;
    private int slot = -1;
    private boolean opened;
    private boolean inputClosed;
    private boolean outputShutdownRequested;
    private boolean outputShutdownDone;
    private boolean writeBlocked;
    private boolean readingPaused;
    private boolean inputEndPending;
    /**
     * Between {@link #resumeReading()} and the task that presents the kept bytes: an end of stream
     * arriving meanwhile must wait for them, or the handler would learn of it with bytes unseen.
     */
    private boolean presentationPending;
    /** The runtime is shutting down: reading stopped, the handler was asked to finish (see {@link #beginDrain}). */
    private boolean draining;
    boolean flushScheduled;
    private CloseReason closingReason;
    private Throwable closingCause;
    private Object attachment;
    /** Idle timeout in nanoseconds, 0 when off. */
    private long idleTimeoutNanos;
    /** {@link System#nanoTime()} of the last byte received or written (kept only while the idle timeout is on). */
    private long lastActivityNanos;
    private TimerHandle idleTimer;
    private final Runnable idleCheck = this::checkIdle;
    /** Unconsumed received bytes; null until the handler first leaves bytes unconsumed, and once closing. */
    private InboundBuffer inbound;

    ConnectionImpl(Worker worker, Transport transport, SocketAddress localAddress, SocketAddress remoteAddress) {
        this.worker = worker;
        this.transport = Objects.requireNonNull(transport, "transport");
        this.queue = new SendQueue(worker.sendChunks(), worker.regionTable());
        this.sendLimit = worker.config().sendQueueLimit();
        this.localAddress = localAddress;
        this.remoteAddress = remoteAddress;
    }

    // ---------------------------------------------------------------- ConnectionCore: reports from the backend

    @Override
    public boolean open() {
        if (opened) {
            throw new IllegalStateException("ConnectionCore.open called twice on " + this);
        }
        opened = true;
        worker.register(this);
        return state == State.OPEN;
    }

    @Override
    public Connection connection() {
        return this;
    }

    @Override
    public OutboundQueue outbound() {
        return queue;
    }


    @Override
    public void received(ByteBuffer src) {
        if (state == State.CLOSED) {
            return;
        }
        worker.stats().bytesIn += src.remaining();
        if (idleTimeoutNanos != 0) {
            lastActivityNanos = System.nanoTime();
        }
        if (state != State.OPEN || draining) {
            return; // closing, or draining at shutdown (reading has stopped): input is discarded
        }
        if (readingPaused) {
            stash(src); // read before the pause took effect: keep for resumeReading
            return;
        }
        if (inbound == null || inbound.isEmpty()) {
            // Nothing kept: show the fresh bytes in place and keep only what the handler left.
            ByteBuffer view = src.asReadOnlyBuffer();
            consume(view);
            if (state == State.OPEN && view.hasRemaining()) {
                stash(view);
            }
        } else if (stash(src)) {
            presentInbound();
        }
    }

    /** Presents the kept unconsumed bytes to the handler again; what it consumes is dropped from the front. */
    private void presentInbound() {
        ByteBuffer view = inbound.readable();
        int start = view.position();
        consume(view);
        if (inbound != null) { // null when the handler closed the connection
            inbound.skip(view.position() - start);
        }
    }

    private void consume(ByteBuffer view) {
        while (view.hasRemaining() && state == State.OPEN && !readingPaused) {
            ByteBuffer data = view.slice();
            int available = data.remaining();
            int n;
            try {
                n = worker.handler().onData(this, data);
            } catch (Throwable t) {
                Throwables.rethrowIfFatal(t);
                failed(CloseReason.ERROR, t);
                return;
            }
            if (n < 0 || n > available) {
                failed(CloseReason.ERROR, new IllegalStateException(
                        "Handler.onData returned " + n + " consumed bytes, must be in [0, " + available + "]"));
                return;
            }
            if (n == 0) {
                return;
            }
            view.position(view.position() + n);
        }
    }

    /**
     * Keeps unconsumed bytes ({@code rest} from position to limit; its position is not changed);
     * closes the connection (and returns false) beyond {@link Config#inboundLimit()} (plus, while
     * reading is paused, the backend's receive buffers).
     */
    private boolean stash(ByteBuffer rest) {
        int need = rest.remaining();
        long have = inbound == null ? 0 : inbound.readableBytes();
        Config cfg = worker.config();
        long limit = cfg.inboundLimit();
        // While paused, only bytes the backend had already received when the pause took effect
        // arrive, at most all of its receive buffers: keep those even beyond the limit.
        long slack = readingPaused ? worker.bytesReceivedAfterPause() : 0;
        if (have + need > limit + slack) {
            failed(CloseReason.ERROR, new RinglineException("unconsumed input of " + (have + need)
                    + " bytes exceeds Config.inboundLimit " + limit + " bytes on " + this));
            return false;
        }
        if (inbound == null) {
            inbound = new InboundBuffer(InboundBuffer.retainedCapacity(cfg), worker.inboundSpare());
        }
        inbound.append(rest, (int) Math.min(Integer.MAX_VALUE, limit + slack));
        return true;
    }

    /** Discards the kept input; a large storage goes back to the worker's spare at once. */
    private void dropInbound() {
        if (inbound != null) {
            inbound.release();
            inbound = null;
        }
    }

    /** {@return the kept unconsumed bytes, null if none were ever kept or the connection is closing; for tests} */
    InboundBuffer inboundBuffer() {
        return inbound;
    }

    @Override
    public void written(long n) {
        if (state == State.CLOSED) {
            return;
        }
        worker.stats().bytesOut += n;
        if (idleTimeoutNanos != 0 && n > 0) {
            lastActivityNanos = System.nanoTime();
        }
        queue.consumed(n);
    }

    @Override
    public void flushed() {
        if (state == State.CLOSED) {
            return;
        }
        if (queue.isEmpty()) {
            if (state == State.CLOSING) {
                closeWhenFlushed();
                return;
            }
            if (outputShutdownRequested && !outputShutdownDone) {
                outputShutdownDone = true;
                transport.shutdownOutput();
            }
        }
        if (writeBlocked && state == State.OPEN && queue.bytes() <= sendLimit / 2) {
            writeBlocked = false;
            try {
                worker.handler().onWritable(this);
            } catch (Throwable t) {
                Throwables.rethrowIfFatal(t);
                failed(CloseReason.ERROR, t);
            }
        }
    }

    @Override
    public void inputEnded() {
        if (state == State.LINGERING) {
            inputClosed = true;
            finishClose(closingReason, closingCause); // the peer read everything and closed: a clean close
            return;
        }
        if (state != State.OPEN || inputClosed) {
            return;
        }
        if (readingPaused || presentationPending) {
            inputEndPending = true; // reported after resumeReading presented the buffered bytes
            return;
        }
        inputClosed = true;
        try {
            worker.handler().onInputClosed(this);
        } catch (Throwable t) {
            Throwables.rethrowIfFatal(t);
            failed(CloseReason.ERROR, t);
        }
    }

    @Override
    public void failed(CloseReason reason, Throwable cause) {
        finishClose(reason, cause);
    }

    // ---------------------------------------------------------------- lifecycle, used by Worker

    void bind(int slot, long token) {
        this.slot = slot;
        this.token = token;
    }

    int slot() {
        return slot;
    }

    /** Starts a graceful close with {@code reason}: flush pending sends, then close. */
    void beginClose(CloseReason reason, Throwable cause) {
        if (state != State.OPEN) {
            return;
        }
        state = State.CLOSING;
        closingReason = reason;
        closingCause = cause;
        dropInbound();
        if (queue.isEmpty()) {
            closeWhenFlushed();
        } else {
            scheduleFlush();
        }
    }

    /**
     * Every queued byte was written: close. While the runtime drains for shutdown, linger instead:
     * shut the output down (the peer reads every byte, then end of stream) and keep reading and
     * discarding until the peer closes too, because closing a socket with unread input makes the
     * kernel send a reset that can destroy the replies the peer has not read yet. The end of the
     * grace period bounds the wait.
     */
    private void closeWhenFlushed() {
        if (!draining || inputClosed) {
            finishClose(closingReason, closingCause);
            return;
        }
        if (!outputShutdownDone) {
            outputShutdownDone = true;
            transport.shutdownOutput();
        }
        if (state == State.CLOSING) { // not if the shutdown of the output failed and closed it
            state = State.LINGERING;
        }
    }

    /**
     * The runtime is shutting down gracefully: the handler gets no more input (bytes kept or still
     * arriving are discarded, but reading goes on, also on a paused connection, so that the peer's
     * unread bytes cannot turn the final close into a reset), then it finishes what it holds
     * ({@link io.ringline.Handler#onDrain}; by default it closes, flushing the queue). Sends stay
     * allowed until the connection closes.
     */
    void beginDrain() {
        if (state != State.OPEN || draining) {
            return;
        }
        draining = true;
        dropInbound();
        if (inputEndPending) {
            inputEndPending = false; // the peer already closed while paused: nothing to linger for
            inputClosed = true;
        }
        if (readingPaused) {
            readingPaused = false;
            transport.readingPausedChanged(false);
        }
        try {
            worker.handler().onDrain(this);
        } catch (Throwable t) {
            Throwables.rethrowIfFatal(t);
            failed(CloseReason.ERROR, t);
        }
    }

    /** Closes now with a reset, whatever is queued (the shutdown grace period is over). */
    void forceClose(CloseReason reason) {
        finishClose(reason, null, true);
    }

    /** Closes now: drops pending sends, closes the socket, frees the slot, calls {@code onClose}. */
    void finishClose(CloseReason reason, Throwable cause) {
        finishClose(reason, cause, false);
    }

    /**
     * Closes now, with a reset if {@code reset} or if bytes are still queued (a peer must never see a
     * clean end of stream in the middle of what the handler sent).
     */
    void finishClose(CloseReason reason, Throwable cause, boolean reset) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        dropInbound();
        if (idleTimer != null) {
            idleTimer.cancel();
            idleTimer = null;
        }
        try {
            transport.close(reset || !queue.isEmpty());
        } finally {
            queue.discard("connection " + this + " closed (" + reason + ")");
            worker.closed(this, reason, cause);
        }
    }

    void flushNow() {
        flushScheduled = false;
        if (state != State.CLOSED && !queue.isEmpty()) {
            transport.flush();
        }
    }

    void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            worker.markDirty(this);
        }
    }

    // ---------------------------------------------------------------- Connection

    private void checkSendable() {
        worker.checkThread("Connection.send");
        if (state != State.OPEN) {
            throw new ConnectionClosedException("cannot send on " + this + ": connection is " + state.name().toLowerCase());
        }
        if (outputShutdownRequested) {
            throw new ConnectionClosedException("cannot send on " + this + ": output was shut down");
        }
    }

    private boolean fits(long n) {
        if (n > sendLimit) {
            throw new IllegalArgumentException("a send of " + n + " bytes can never fit the send queue limit of "
                    + sendLimit + " bytes (Config.sendQueueLimit): split it");
        }
        return queue.bytes() + n <= sendLimit;
    }

    private void refuse(long n) {
        writeBlocked = true;
        throw new SendQueueFullException(queue.bytes(), n, sendLimit);
    }

    @Override
    public void send(ByteBuffer data) {
        checkSendable();
        int n = data.remaining();
        if (!fits(n)) {
            refuse(n);
        }
        enqueueCopy(data);
    }

    @Override
    public void send(byte[] data) {
        send(ByteBuffer.wrap(data));
    }

    @Override
    public boolean trySend(ByteBuffer data) {
        checkSendable();
        if (!fits(data.remaining())) {
            writeBlocked = true;
            return false;
        }
        enqueueCopy(data);
        return true;
    }

    private void enqueueCopy(ByteBuffer data) {
        if (!data.hasRemaining()) {
            return;
        }
        queue.appendCopy(data);
        worker.stats().copiedSends++;
        scheduleFlush();
    }

    @Override
    public void sendGather(ByteBuffer... data) {
        checkSendable();
        long total = 0;
        for (ByteBuffer b : data) {
            total += b.remaining();
        }
        if (!fits(total)) {
            refuse(total);
        }
        for (ByteBuffer b : data) {
            enqueueCopy(b);
        }
    }

    @Override
    public void sendRegion(RegionId region, long offset, int length) {
        Objects.requireNonNull(region, "region");
        checkSendable();
        if (!fits(length)) {
            refuse(length);
        }
        MemoryRegion r = worker.regionTable().acquire(region, offset, length);
        queue.appendRegion(r.segment().asSlice(offset, length).asByteBuffer(), region.slot());
        worker.stats().regionSends++;
        scheduleFlush();
    }

    @Override
    public CompletionStage<Void> sendAsync(ByteBuffer data) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            send(data);
        } catch (SendQueueFullException | ConnectionClosedException e) {
            done.completeExceptionally(e);
            return done;
        }
        queue.completeWhenWritten(done);
        return done;
    }

    @Override
    public void pauseReading() {
        worker.checkThread("Connection.pauseReading");
        if (state != State.OPEN || readingPaused || draining) {
            return;
        }
        readingPaused = true;
        transport.readingPausedChanged(true);
    }

    @Override
    public void resumeReading() {
        worker.checkThread("Connection.resumeReading");
        if (state != State.OPEN || !readingPaused) {
            return;
        }
        readingPaused = false;
        presentationPending = true;
        // Present what was kept on the next loop iteration, not inside the caller's callback, and
        // only then restart the backend's reading: if the handler pauses again while the kept bytes
        // are presented, nothing new was received meanwhile (a receive restarted first could pile up
        // a burst beyond the documented paused slack). An internal task: at most one per
        // pause/resume of this connection, queued by this worker itself.
        worker.executeInternal(() -> {
            presentationPending = false;
            if (state == State.CLOSED || readingPaused) {
                return;
            }
            if (state == State.OPEN && !draining && inbound != null && !inbound.isEmpty()) {
                presentInbound();
            }
            if (state == State.CLOSED || readingPaused) {
                return;
            }
            transport.readingPausedChanged(false); // also while draining or lingering: input is read and discarded
            if (inputEndPending && state == State.OPEN && !draining) {
                inputEndPending = false;
                inputEnded();
            }
        });
    }

    @Override
    public void setIdleTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        worker.checkThread("Connection.setIdleTimeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("idle timeout must be >= 0 (0: off), was " + timeout);
        }
        if (idleTimer != null) {
            idleTimer.cancel();
            idleTimer = null;
        }
        idleTimeoutNanos = saturatedNanos(timeout);
        if (idleTimeoutNanos != 0 && state != State.CLOSED) {
            lastActivityNanos = System.nanoTime();
            idleTimer = worker.scheduleAt(lastActivityNanos + idleTimeoutNanos, idleCheck);
        }
    }

    @Override
    public Duration idleTimeout() {
        return Duration.ofNanos(idleTimeoutNanos);
    }

    /** {@return {@code d} in nanoseconds, saturated at a far-future value instead of overflowing} */
    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    /**
     * The idle timer fired: close if nothing moved for the whole timeout, else wait for the rest of
     * it (one timer per connection and timeout period, however many bytes move in between).
     */
    private void checkIdle() {
        idleTimer = null;
        if (state == State.CLOSED || idleTimeoutNanos == 0) {
            return;
        }
        long now = System.nanoTime();
        long due = lastActivityNanos + idleTimeoutNanos;
        if (now - due >= 0) {
            finishClose(CloseReason.IDLE_TIMEOUT, null);
        } else {
            idleTimer = worker.scheduleAt(due, idleCheck);
        }
    }

    @Override
    public boolean isReadingPaused() {
        return readingPaused;
    }

    @Override
    public long pendingSendBytes() {
        return queue.bytes();
    }

    @Override
    public boolean isWritable() {
        return state == State.OPEN && !writeBlocked && !outputShutdownRequested;
    }

    @Override
    public void shutdownOutput() {
        worker.checkThread("Connection.shutdownOutput");
        if (state != State.OPEN || outputShutdownRequested) {
            return;
        }
        outputShutdownRequested = true;
        if (queue.isEmpty()) {
            outputShutdownDone = true;
            transport.shutdownOutput();
        }
    }

    @Override
    public void close() {
        worker.checkThread("Connection.close");
        beginClose(draining ? CloseReason.SHUTDOWN : inputClosed ? CloseReason.PEER_CLOSED : CloseReason.LOCAL, null);
    }

    @Override
    public void abort() {
        worker.checkThread("Connection.abort");
        finishClose(draining ? CloseReason.SHUTDOWN : CloseReason.LOCAL, null);
    }

    @Override
    public boolean isOpen() {
        return state == State.OPEN;
    }

    @Override
    public boolean isClosed() {
        return state == State.CLOSED;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public SocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public int workerId() {
        return worker.workerId();
    }

    @Override
    public WorkerContext worker() {
        return worker;
    }

    @Override
    public long token() {
        return token;
    }

    @Override
    public Object attach(Object attachment) {
        Object prev = this.attachment;
        this.attachment = attachment;
        return prev;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T attachment() {
        return (T) attachment;
    }

    @Override
    public String toString() {
        return "Connection[worker=" + worker.workerId() + ", slot=" + slot + ", " + localAddress + " <-> " + remoteAddress + "]";
    }
}
