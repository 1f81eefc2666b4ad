package io.ringline.internal;

import io.ringline.BufferRelease;
import io.ringline.CloseReason;
import io.ringline.ConnectionClosedException;
import io.ringline.MemoryRegion;
import io.ringline.RegionId;
import io.ringline.SendQueueFullException;
import io.ringline.spi.ReceivedMemory;
import io.ringline.spi.Transport;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The send side of one connection: the {@link SendQueue} with its limit and backpressure (a refused
 * sender is told {@code onWritable} once the queue drained to half the limit), the flush scheduling
 * (one flush per loop pass however many sends), and the half-close of the output once the queue
 * drained. Worker thread only.
 *
 * <p>Whether sending is allowed at all is its owner's lifecycle ({@link ConnectionImpl#sendRefusal()}).
 */
final class OutboundPath {

    private final Worker worker;
    private final ConnectionImpl owner;
    private final Transport transport;
    private final SendQueue queue;
    private final long sendLimit;
    /** A send was refused for lack of room: {@code onWritable} follows once there is room again. */
    private boolean writeBlocked;
    private boolean shutdownRequested;
    private boolean shutdownDone;
    private boolean flushScheduled;
    /** The TLS layer that encrypts this queue into the one the backend writes; null for plaintext. */
    private TlsSession tls;

    OutboundPath(Worker worker, ConnectionImpl owner, Transport transport) {
        this.worker = worker;
        this.owner = owner;
        this.transport = transport;
        this.queue = new SendQueue(worker.sendChunks(), worker.regionTable(), worker.lentViews());
        this.sendLimit = worker.config().sendQueueLimit();
    }

    /** {@return the plaintext queue (the handler's sends; under TLS not what the backend writes)} */
    SendQueue queue() {
        return queue;
    }

    /** Under TLS: {@code tls} encrypts this queue at each flush point and the half-close waits for its close_notify. */
    void useTls(TlsSession tls) {
        this.tls = tls;
    }

    // ---------------------------------------------------------------- sends

    private void checkSendable() {
        worker.checkThread("Connection.send");
        String refusal = owner.sendRefusal();
        if (refusal != null) {
            throw new ConnectionClosedException("cannot send on " + owner + ": " + refusal);
        }
        if (shutdownRequested) {
            throw new ConnectionClosedException("cannot send on " + owner + ": output was shut down");
        }
        if (tls != null && tls.engineClosedOutput()) {
            throw new ConnectionClosedException("cannot send on " + owner + ": " + TlsSession.ENGINE_CLOSED_OUTPUT);
        }
    }

    /**
     * The admission of every send: checks that the connection takes sends and that {@code n} more
     * bytes fit the queue limit. When they do not fit, the sender is told {@code onWritable} later,
     * and this throws {@link SendQueueFullException} if {@code orThrow}, else returns false.
     *
     * @throws IllegalArgumentException  if {@code n} alone exceeds the limit
     * @throws ConnectionClosedException if the connection takes no sends
     */
    private boolean admit(long n, boolean orThrow) {
        checkSendable();
        if (n > sendLimit) {
            throw new IllegalArgumentException("a send of " + n + " bytes can never fit the send queue limit of "
                    + sendLimit + " bytes (Config.sendQueueLimit): split it");
        }
        if (queue.bytes() + n <= sendLimit) {
            return true;
        }
        writeBlocked = true;
        JfrEvents.sendRefused(worker.workerId(), "connection", owner.remoteAddress(), queue.bytes(), n, sendLimit);
        if (orThrow) {
            throw new SendQueueFullException(queue.bytes(), n, sendLimit);
        }
        return false;
    }

    /** {@link io.ringline.Connection#send(ByteBuffer)} ({@code orThrow}) and {@code trySend}. */
    boolean send(ByteBuffer data, boolean orThrow) {
        if (!admit(data.remaining(), orThrow)) {
            return false;
        }
        enqueueCopy(data);
        return true;
    }

    void send(ByteBuffer data) {
        send(data, true);
    }

    private void enqueueCopy(ByteBuffer data) {
        if (!data.hasRemaining()) {
            return;
        }
        queue.appendCopy(data);
        worker.stats().copiedSends++;
        scheduleFlush();
    }

    void sendGather(ByteBuffer... data) {
        long total = 0;
        for (ByteBuffer b : data) {
            total += b.remaining();
        }
        admit(total, true);
        for (ByteBuffer b : data) {
            enqueueCopy(b);
        }
    }

    /**
     * {@link io.ringline.Connection#sendOwned} ({@code orThrow}) and {@code trySendOwned}: queues
     * {@code data} itself; {@code onRelease} is called once when the queue is done with it (at once
     * for an empty buffer). Not called when this refuses the send.
     */
    boolean sendOwned(ByteBuffer data, BufferRelease onRelease, boolean orThrow) {
        Objects.requireNonNull(onRelease, "onRelease");
        if (!data.isDirect()) {
            throw new IllegalArgumentException("sendOwned needs a direct buffer, got " + data
                    + ": heap memory cannot be handed to the kernel without a copy, use send to copy it");
        }
        if (!admit(data.remaining(), orThrow)) {
            return false;
        }
        if (!data.hasRemaining()) {
            queue.releaseNow(data, onRelease); // nothing to write: done with it now
            return true;
        }
        queue.appendOwned(data, onRelease);
        worker.stats().passThroughSends++;
        scheduleFlush();
        return true;
    }

    /**
     * {@link io.ringline.Connection#sendReceived} ({@code orThrow}) and {@code trySendReceived}:
     * queues {@code data}'s bytes from the backend's lent receive memory if {@code data} is what
     * the current {@code onData} call is shown and the backend lends it now, else copies them.
     * Advances {@code data}'s position to its limit when queued.
     */
    boolean sendReceived(ByteBuffer data, boolean orThrow) {
        if (!admit(data.remaining(), orThrow)) {
            return false;
        }
        if (!data.hasRemaining()) {
            return true;
        }
        ReceivedMemory memory = worker.delivery().lendable(data);
        if (memory != null && memory.tryRetain()) {
            queue.appendLent(memory, data);
            data.position(data.limit());
            worker.stats().passThroughSends++;
            scheduleFlush();
        } else {
            enqueueCopy(data);
        }
        return true;
    }

    void sendRegion(RegionId region, long offset, int length) {
        Objects.requireNonNull(region, "region");
        admit(length, true);
        MemoryRegion r = worker.regionTable().acquire(region, offset, length);
        queue.appendRegion(r, region.slot(), offset, length);
        worker.stats().regionSends++;
        scheduleFlush();
    }

    CompletionStage<Void> sendAsync(ByteBuffer data) {
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

    /** {@return whether a send would be taken now, as far as the send side knows} */
    boolean isWritable() {
        return !writeBlocked && !shutdownRequested && (tls == null || !tls.engineClosedOutput());
    }

    // ---------------------------------------------------------------- flushing

    void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            worker.markDirty(owner);
        }
    }

    /** The loop's flush point: asks the transport to write, if anything is queued. */
    void flushNow(boolean closed) {
        flushScheduled = false;
        if (closed) {
            return;
        }
        if (tls != null) {
            tls.flushNow(transport);
        } else if (!queue.isEmpty()) {
            transport.flush();
        }
    }

    /** The driver wrote {@code n} bytes from the head. */
    void written(long n) {
        worker.stats().bytesOut += n;
        queue.consumed(n);
    }

    /**
     * A flush ended while the connection takes sends: shut the output down if that was asked and
     * the queue drained, and tell a refused sender it may send again.
     */
    void flushed() {
        if (shutdownRequested && !shutdownDone && (tls == null ? queue.isEmpty() : tls.outputDrained())) {
            shutdownNow();
        }
        if (writeBlocked && owner.sendRefusal() == null && queue.bytes() <= sendLimit / 2) {
            writeBlocked = false;
            try {
                worker.handler().onWritable(owner);
            } catch (Throwable t) {
                Throwables.rethrowIfFatal(t);
                owner.failed(CloseReason.ERROR, t);
            }
        }
    }

    // ---------------------------------------------------------------- half-close

    /** {@link io.ringline.Connection#shutdownOutput()}: now if nothing is queued, else once the queue drained. */
    void requestShutdown() {
        if (shutdownRequested) {
            return;
        }
        shutdownRequested = true;
        if (tls != null) {
            tls.closeOutput(); // close_notify after the plaintext, then the FIN once it was written
            scheduleFlush();
        } else if (queue.isEmpty()) {
            shutdownNow();
        }
    }

    /** Shuts the output down unless done already (lingering at shutdown). */
    void shutdownNow() {
        if (!shutdownDone) {
            shutdownDone = true;
            transport.shutdownOutput();
        }
    }

    /** Drops what is queued (the connection closed): futures fail, memory is released (or held while retained). */
    void discard(String why) {
        queue.discard(why);
    }
}
