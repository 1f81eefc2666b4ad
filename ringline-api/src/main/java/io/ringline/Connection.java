package io.ringline;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * One TCP connection, owned by one worker for its whole life.
 *
 * <p><b>Threading:</b> every method must be called on the connection's worker thread (from a
 * {@link Handler} callback, a timer, or a task given to {@link WorkerContext#execute(Runnable)});
 * other threads get {@link IllegalStateException}. To act on a connection from elsewhere, keep
 * its {@link #token()} and use {@link WorkerContext#execute(Runnable)} with
 * {@link WorkerContext#connection(long)}.
 *
 * <p><b>Sends</b> never block the worker. Bytes are copied into the connection's bounded send
 * queue ({@link Config#sendQueueLimit()}), except for the pass-through sends
 * ({@link #sendOwned}, {@link #sendReceived}, {@link #sendRegion}), which queue a reference; when a send would exceed it, {@code send} throws
 * {@link SendQueueFullException} and the {@code trySend} variants return false, queuing nothing.
 * After that {@link Handler#onWritable(Connection)} fires once the queue has drained to half the
 * limit. A single send larger than the limit can never fit and throws
 * {@link IllegalArgumentException}. Bytes are written in the order they were queued.
 *
 * <p><b>Stale handles:</b> a closed connection's object never acts on a later connection that
 * reuses its slot: its methods throw {@link ConnectionClosedException}, and its token resolves to
 * nothing.
 */
public interface Connection {

    /**
     * Queues a copy of {@code data}'s remaining bytes. The buffer's position is advanced to its limit.
     *
     * @param data bytes to send
     * @throws SendQueueFullException    if the send queue limit would be exceeded (nothing queued)
     * @throws IllegalArgumentException  if the send alone is larger than the limit (it could never fit)
     * @throws ConnectionClosedException if the connection is closed or its output shut down
     * @throws IllegalStateException     if called off the worker thread
     */
    void send(ByteBuffer data);

    /**
     * Queues a copy of {@code data}.
     *
     * @param data bytes to send
     * @throws SendQueueFullException    if the send queue limit would be exceeded (nothing queued)
     * @throws ConnectionClosedException if the connection is closed or its output shut down
     * @throws IllegalStateException     if called off the worker thread
     */
    void send(byte[] data);

    /**
     * Like {@link #send(ByteBuffer)} but returns false instead of throwing when the queue is full.
     *
     * @param data bytes to send; position advanced only when queued
     * @return true if queued, false if the queue limit would be exceeded
     * @throws ConnectionClosedException if the connection is closed or its output shut down
     * @throws IllegalStateException     if called off the worker thread
     */
    boolean trySend(ByteBuffer data);

    /**
     * Queues a copy of every buffer's remaining bytes, in order, all or nothing; the backend sends
     * them with one gathered write where it can.
     *
     * @param data buffers to send
     * @throws SendQueueFullException    if their total would exceed the queue limit (nothing queued)
     * @throws ConnectionClosedException if the connection is closed or its output shut down
     * @throws IllegalStateException     if called off the worker thread
     */
    void sendGather(ByteBuffer... data);

    /**
     * Queues {@code data}'s remaining bytes without copying them (a pass-through send): the
     * connection writes straight from {@code data}'s memory. The buffer belongs to the connection
     * until {@code onRelease.released(data)} is called on the worker thread, exactly once: when
     * the kernel no longer reads those bytes, or when the connection closed first and they were
     * dropped. Until then the caller must not change the buffer's bytes, position or limit (the
     * connection advances its position as bytes are written). When this throws, nothing was
     * queued, {@code onRelease} is not called, and the caller still owns the buffer.
     *
     * <p>Counts against {@link Config#sendQueueLimit()} like a copied send, and keeps order with
     * every other send.
     *
     * @param data      bytes to send: a direct buffer (heap memory cannot be handed to the kernel
     *                  without a copy; use {@link #send(ByteBuffer)} for it)
     * @param onRelease called when the connection is done with {@code data}
     * @throws IllegalArgumentException  if {@code data} is not direct, or alone larger than the limit
     * @throws SendQueueFullException    if the send queue limit would be exceeded (nothing queued)
     * @throws ConnectionClosedException if the connection is closed or its output shut down
     * @throws IllegalStateException     if called off the worker thread
     */
    void sendOwned(ByteBuffer data, BufferRelease onRelease);

    /**
     * Like {@link #sendOwned(ByteBuffer, BufferRelease)} but returns false instead of throwing
     * when the queue is full (nothing queued, the caller keeps the buffer).
     *
     * @param data      bytes to send: a direct buffer
     * @param onRelease called when the connection is done with {@code data}, if queued
     * @return true if queued, false if the queue limit would be exceeded
     * @throws IllegalArgumentException  if {@code data} is not direct, or alone larger than the limit
     * @throws ConnectionClosedException if the connection is closed or its output shut down
     * @throws IllegalStateException     if called off the worker thread
     */
    boolean trySendOwned(ByteBuffer data, BufferRelease onRelease);

    /**
     * Sends received bytes on, without copying them where the backend can lend its receive memory
     * (echo, forwarding, proxying). {@code received} must be the very buffer a
     * {@link Handler#onData} call of this worker is being given right now (of this connection or
     * another one of the same worker); its position to limit is sent, and its position is
     * advanced to its limit. The handler may narrow it first (set its limit) to send a part.
     *
     * <p>On io_uring, bytes shown straight from a provided receive buffer are sent from it: the
     * buffer is held back from the receive ring until they were written (within a budget per
     * worker, so held buffers never starve receives). Otherwise (NIO, bytes the runtime had to
     * accumulate, the budget used up, or any other buffer) the bytes are copied as by
     * {@link #send(ByteBuffer)}. {@link WorkerStats#passThroughSends()} and
     * {@link WorkerStats#copiedSends()} show which happened.
     *
     * @param received the buffer given to the current {@code onData} call
     * @throws SendQueueFullException    if the send queue limit would be exceeded (nothing queued)
     * @throws IllegalArgumentException  if the send alone is larger than the limit
     * @throws ConnectionClosedException if the connection is closed or its output shut down
     * @throws IllegalStateException     if called off the worker thread
     */
    void sendReceived(ByteBuffer received);

    /**
     * Like {@link #sendReceived(ByteBuffer)} but returns false instead of throwing when the queue
     * is full (nothing queued, position unchanged).
     *
     * @param received the buffer given to the current {@code onData} call
     * @return true if queued, false if the queue limit would be exceeded
     * @throws IllegalArgumentException  if the send alone is larger than the limit
     * @throws ConnectionClosedException if the connection is closed or its output shut down
     * @throws IllegalStateException     if called off the worker thread
     */
    boolean trySendReceived(ByteBuffer received);

    /**
     * Queues {@code length} bytes of a registered region starting at {@code offset}, without
     * copying them. The region stays referenced until the bytes were handed to the kernel (or the
     * connection closed); an unregister of the region completes only after that.
     *
     * @param region a registered region
     * @param offset byte offset in the region, {@code >= 0}
     * @param length byte count, {@code > 0}, {@code offset + length <= region length}
     * @throws IllegalArgumentException  if the region is not registered (or being unregistered), or
     *                                   offset/length are outside the region (the message names the
     *                                   value and the limit)
     * @throws SendQueueFullException    if the send queue limit would be exceeded (nothing queued)
     * @throws ConnectionClosedException if the connection is closed or its output shut down
     * @throws IllegalStateException     if called off the worker thread
     */
    void sendRegion(RegionId region, long offset, int length);

    /**
     * Queues a copy of {@code data} and returns a stage that completes, on the worker thread, when
     * all of its bytes and every byte queued before them were handed to the kernel (so an empty
     * {@code data} is a barrier for everything queued so far); when a region send is among them,
     * completion also means the kernel no longer references that region memory. It fails with
     * {@link ConnectionClosedException} if the connection closed first (the queued bytes were then
     * dropped and no longer referenced). Over the queue limit the stage fails at once with
     * {@link SendQueueFullException}.
     *
     * @param data bytes to send
     * @return completion of the hand-off to the kernel
     * @throws IllegalStateException if called off the worker thread
     */
    CompletionStage<Void> sendAsync(ByteBuffer data);

    /**
     * Stops receiving: {@link Handler#onData} is not called until {@link #resumeReading()}, and the
     * backend stops reading from the socket so TCP flow control slows the peer down (receive-side
     * backpressure, e.g. while a large reply drains). Bytes the backend had already received when
     * the pause took effect are kept for {@link #resumeReading()} (beyond
     * {@link Config#inboundLimit()} by at most {@code recvBufferCount * recvBufferSize}). End of
     * stream is reported after resuming.
     * Idempotent.
     *
     * @throws IllegalStateException if called off the worker thread
     */
    void pauseReading();

    /**
     * Resumes receiving after {@link #pauseReading()}. Bytes received but not consumed are
     * presented to {@link Handler#onData} again on the next loop iteration, even if no new bytes
     * arrive. Idempotent.
     *
     * @throws IllegalStateException if called off the worker thread
     */
    void resumeReading();

    /** {@return whether reading is paused by {@link #pauseReading()}} */
    boolean isReadingPaused();

    /**
     * Sets this connection's idle timeout: when no byte was received or written for {@code timeout}
     * the connection is closed with {@link CloseReason#IDLE_TIMEOUT} (reset if bytes are still
     * queued: the peer stopped reading). Counting starts anew from this call. New connections get
     * {@link Config#idleTimeout()}. Costs one timer per connection per timeout period, not per byte.
     *
     * @param timeout the idle timeout, {@code >= 0}; {@link Duration#ZERO} turns it off
     * @throws IllegalArgumentException if negative
     * @throws IllegalStateException    if called off the worker thread
     */
    void setIdleTimeout(Duration timeout);

    /** {@return this connection's idle timeout; {@link Duration#ZERO} when off} */
    Duration idleTimeout();

    /** {@return bytes queued and not yet handed to the kernel} */
    long pendingSendBytes();

    /**
     * {@return false while a send was refused and the queue has not yet drained (see
     * {@link Handler#onWritable(Connection)}), or when the connection is closed}
     */
    boolean isWritable();

    /**
     * Half-close: after the queued bytes are sent, shut down the output side (the peer sees end of
     * stream). Receiving continues. Idempotent.
     *
     * @throws IllegalStateException if called off the worker thread
     */
    void shutdownOutput();

    /**
     * Graceful close: stop receiving, flush the queued bytes, then close. Reports
     * {@link CloseReason#LOCAL} (or {@link CloseReason#PEER_CLOSED} after end of stream). Idempotent;
     * a no-op on a closed connection.
     *
     * @throws IllegalStateException if called off the worker thread
     */
    void close();

    /**
     * Immediate close: drop the queued bytes and close now; if any byte was still queued the
     * connection is reset (the peer sees ECONNRESET, not a clean end of stream). Reports
     * {@link CloseReason#LOCAL}. Idempotent.
     *
     * @throws IllegalStateException if called off the worker thread
     */
    void abort();

    /** {@return whether the connection is open (not closing and not closed)} */
    boolean isOpen();

    /**
     * {@return what the TLS handshake negotiated; empty on a plaintext connection and before
     * {@link Handler#onTlsHandshake}} Any thread may call it (the value is published safely).
     */
    java.util.Optional<TlsInfo> tls();

    /** {@return whether this connection runs TLS (a listener or connect with a {@link TlsConfig}), handshake done or not} */
    boolean isTls();

    /** {@return the peer's address} */
    SocketAddress remoteAddress();

    /** {@return the local address} */
    SocketAddress localAddress();

    /** {@return the id of the worker that owns this connection} */
    int workerId();

    /** {@return the worker that owns this connection} */
    WorkerContext worker();

    /**
     * {@return an opaque, generation-checked token identifying this connection; it resolves through
     * {@link WorkerContext#connection(long)} only while this very connection is open, never to a later
     * connection that reuses the slot} May be read from any thread.
     */
    long token();

    /**
     * Stores per-connection application state.
     *
     * @param attachment the object to attach, or null
     * @return the previous attachment
     */
    Object attach(Object attachment);

    /**
     * {@return the attached object, or null}
     *
     * @param <T> the expected type
     */
    <T> T attachment();
}
