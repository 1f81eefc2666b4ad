package io.ringline.internal;

import io.ringline.CloseReason;
import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.ConnectionClosedException;
import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import io.ringline.RinglineException;
import io.ringline.SendQueueFullException;
import io.ringline.WorkerContext;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The backend-independent part of a connection: send queue and backpressure, the receive
 * accumulator and parse contract, half-close and close state, token and attachment. A backend
 * subclasses it and implements the socket operations ({@link #doFlush()},
 * {@link #doShutdownOutput()}, {@link #doClose()}), reporting back through {@link #deliver},
 * {@link #written}, {@link #afterFlush()}, {@link #inputEnded()} and {@link #failed}.
 *
 * <p>Every method runs on the owning worker's thread.
 */
public abstract class BaseConnection implements Connection {

    private enum State { OPEN, CLOSING, CLOSED }

    protected final Worker worker;
    private final SendQueue queue;
    private final long sendLimit;
    private final SocketAddress localAddress;
    private final SocketAddress remoteAddress;

    private State state = State.OPEN;
    private long token;
    private int slot = -1;
    private boolean inputClosed;
    private boolean outputShutdownRequested;
    private boolean outputShutdownDone;
    private boolean writeBlocked;
    private boolean readingPaused;
    private boolean inputEndPending;
    boolean flushScheduled;
    private CloseReason closingReason;
    private Throwable closingCause;
    private Object attachment;
    /** Unconsumed received bytes; null until the handler first leaves bytes unconsumed, and once closing. */
    private InboundBuffer inbound;

    protected BaseConnection(Worker worker, SocketAddress localAddress, SocketAddress remoteAddress) {
        this.worker = worker;
        this.queue = new SendQueue(worker.sendChunks());
        this.sendLimit = worker.config().sendQueueLimit();
        this.localAddress = localAddress;
        this.remoteAddress = remoteAddress;
    }

    // ---------------------------------------------------------------- backend hooks

    /** Writes as much of {@link #sendQueue()} as the socket takes now; reports with {@link #written} and {@link #afterFlush()}. */
    protected abstract void doFlush();

    /** Shuts down the socket's output. Called once, after the queue drained. */
    protected abstract void doShutdownOutput();

    /** Closes the socket and stops its I/O. Called once. */
    protected abstract void doClose();

    /**
     * Stops ({@code paused}) or restarts reading from the socket, so that the peer is slowed down
     * by TCP flow control. Bytes the backend had already received when the pause took effect and
     * still delivers are kept (beyond {@link Config#inboundLimit()} by at most
     * {@code recvBufferCount * recvBufferSize}, all of the backend's receive buffers). The default does nothing; backends override it.
     */
    protected void readingPausedChanged(boolean paused) {
    }

    /**
     * A queue entry was written (or dropped on close). The default releases its chunk or region
     * reference and completes its future; a backend whose kernel still references the memory
     * after the write completes (io_uring SEND_ZC) overrides this to defer.
     */
    protected void entryFinished(OutboundEntry entry) {
        queue.finish(entry, worker.regionTable());
    }

    // ---------------------------------------------------------------- reports from the backend

    /** {@return the send queue, for the backend's flush} */
    protected final SendQueue sendQueue() {
        return queue;
    }

    /**
     * Received bytes: {@code src} from position to limit. Runs the parse contract with the handler.
     * {@code src} may be reused by the caller after this returns.
     */
    public final void deliver(ByteBuffer src) {
        worker.stats().bytesIn += src.remaining();
        if (state != State.OPEN) {
            return; // closing: input is discarded
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
            } catch (Exception e) {
                failed(CloseReason.ERROR, e);
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
        long slack = readingPaused ? (long) cfg.recvBufferCount() * cfg.recvBufferSize() : 0;
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

    /** {@return the kept unconsumed bytes, null if none were ever kept or the connection is closing; for tests} */
    final InboundBuffer inboundBuffer() {
        return inbound;
    }

    /** The backend wrote {@code n} bytes from the head of the queue. */
    protected final void written(long n) {
        worker.stats().bytesOut += n;
        queue.consumed(n, this::entryFinished);
    }

    /**
     * The backend finished a flush (the socket took what it could). Completes a pending close or
     * half-close when the queue is empty, and fires {@code onWritable} when a refused sender may
     * send again.
     */
    protected final void afterFlush() {
        if (state == State.CLOSED) {
            return;
        }
        if (queue.isEmpty()) {
            if (state == State.CLOSING) {
                finishClose(closingReason, closingCause);
                return;
            }
            if (outputShutdownRequested && !outputShutdownDone) {
                outputShutdownDone = true;
                doShutdownOutput();
            }
        }
        if (writeBlocked && state == State.OPEN && queue.bytes() <= sendLimit / 2) {
            writeBlocked = false;
            try {
                worker.handler().onWritable(this);
            } catch (Exception e) {
                failed(CloseReason.ERROR, e);
            }
        }
    }

    /** The peer shut down its output (end of stream). */
    public final void inputEnded() {
        if (state != State.OPEN || inputClosed) {
            return;
        }
        if (readingPaused) {
            inputEndPending = true; // reported after resumeReading presented the buffered bytes
            return;
        }
        inputClosed = true;
        try {
            worker.handler().onInputClosed(this);
        } catch (Exception e) {
            failed(CloseReason.ERROR, e);
        }
    }

    /** {@return whether the peer shut down its output} */
    protected final boolean isInputClosed() {
        return inputClosed;
    }

    /** The socket failed: close now and report {@code reason} with {@code cause}. */
    public final void failed(CloseReason reason, Throwable cause) {
        finishClose(reason, cause);
    }

    /** {@return RESET for connection-reset and broken-pipe errors, else ERROR} */
    public static CloseReason classify(IOException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return m.contains("reset") || m.contains("broken pipe") ? CloseReason.RESET : CloseReason.ERROR;
    }

    // ---------------------------------------------------------------- lifecycle, used by Worker

    final void bind(int slot, long token) {
        this.slot = slot;
        this.token = token;
    }

    final int slot() {
        return slot;
    }

    /** Starts a graceful close with {@code reason}: flush pending sends, then close. */
    final void beginClose(CloseReason reason, Throwable cause) {
        if (state != State.OPEN) {
            return;
        }
        state = State.CLOSING;
        closingReason = reason;
        closingCause = cause;
        inbound = null;
        if (queue.isEmpty()) {
            finishClose(reason, cause);
        } else {
            scheduleFlush();
        }
    }

    /** Closes now: drops pending sends, closes the socket, frees the slot, calls {@code onClose}. */
    final void finishClose(CloseReason reason, Throwable cause) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        inbound = null;
        try {
            doClose();
        } finally {
            queue.discard(worker.regionTable(), this::entryFinished, "connection " + this + " closed (" + reason + ")");
            worker.closed(this, reason, cause);
        }
    }

    final void flushNow() {
        flushScheduled = false;
        if (state != State.CLOSED && !queue.isEmpty()) {
            doFlush();
        }
    }

    final void scheduleFlush() {
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
        if (state != State.OPEN || readingPaused) {
            return;
        }
        readingPaused = true;
        readingPausedChanged(true);
    }

    @Override
    public void resumeReading() {
        worker.checkThread("Connection.resumeReading");
        if (state != State.OPEN || !readingPaused) {
            return;
        }
        readingPaused = false;
        readingPausedChanged(false);
        // Present what was kept on the next loop iteration, not inside the caller's callback.
        worker.execute(() -> {
            if (state != State.OPEN || readingPaused) {
                return;
            }
            if (inbound != null && !inbound.isEmpty()) {
                presentInbound();
            }
            if (inputEndPending && state == State.OPEN && !readingPaused) {
                inputEndPending = false;
                inputEnded();
            }
        });
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
            doShutdownOutput();
        }
    }

    @Override
    public void close() {
        worker.checkThread("Connection.close");
        beginClose(inputClosed ? CloseReason.PEER_CLOSED : CloseReason.LOCAL, null);
    }

    @Override
    public void abort() {
        worker.checkThread("Connection.abort");
        finishClose(CloseReason.LOCAL, null);
    }

    @Override
    public boolean isOpen() {
        return state == State.OPEN;
    }

    /** {@return whether the connection is fully closed} */
    public final boolean isClosed() {
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

    /** {@return the per-connection send queue limit} */
    protected final long sendLimit() {
        return sendLimit;
    }

    /** {@return the configuration} */
    protected final Config config() {
        return worker.config();
    }
}
