package io.ringline.internal;

import io.ringline.BufferRelease;
import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.RegionId;
import io.ringline.TimerHandle;
import io.ringline.WorkerContext;
import io.ringline.spi.ConnectionCore;
import io.ringline.spi.OutboundQueue;
import io.ringline.spi.ReceivedMemory;
import io.ringline.spi.Transport;

import io.ringline.TlsInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The core of one connection: the user-facing {@link Connection} and the backend's
 * {@link ConnectionCore}. It holds the connection's {@link Lifecycle} state and its close logic, and
 * delegates the receive side to an {@link InboundPath} and the send side to an
 * {@link OutboundPath}; the socket operations are the backend's {@link Transport}, which reports
 * back through the {@link ConnectionCore} methods.
 *
 * <p>A TLS connection also has a {@link TlsSession} (null on a plaintext one, which then costs
 * nothing more): ciphertext from the backend goes to it and the plaintext it decrypts comes back
 * through {@link #tlsPlaintext}; the backend writes from its ciphertext queue, and the handler's
 * sends stay in the {@link OutboundPath}'s queue until their ciphertext was written.
 *
 * <p>Every method runs on the owning worker's thread, except {@link #tls()} and {@link #isTls()}.
 */
final class ConnectionImpl implements Connection, ConnectionCore, FlushPoint {

    private static final Logger log = LoggerFactory.getLogger(ConnectionImpl.class);

    private final Worker worker;
    private final Transport transport;
    private final InboundPath inbound;
    private final OutboundPath outbound;
    private final SocketAddress localAddress;
    private final SocketAddress remoteAddress;
    private final IdleTimer idle;
    /** The TLS layer; null on a plaintext connection. */
    private final TlsSession tls;

    private Lifecycle state = Lifecycle.OPEN;
    private boolean opened;
    private long token;
    private int slot = -1;
    private CloseReason closingReason;
    private Throwable closingCause;
    private Object attachment;
    /** When the connection was created ({@link System#nanoTime()}), and its own byte counts: for the JFR close event. */
    private final long createdNanos = System.nanoTime();
    private long bytesIn;
    private long bytesOut;

    ConnectionImpl(Worker worker, Transport transport, SocketAddress localAddress, SocketAddress remoteAddress) {
        this(worker, transport, localAddress, remoteAddress, null, null, null);
    }

    /**
     * @param tlsConfig  the connection's TLS configuration, null for plaintext
     * @param serverName a TLS client's server name (SNI, hostname verification), null if none
     * @param connected  a TLS connect's stage, completed after the handshake; null if accepted
     */
    ConnectionImpl(Worker worker, Transport transport, SocketAddress localAddress, SocketAddress remoteAddress,
                   io.ringline.TlsConfig tlsConfig, String serverName, CompletableFuture<Connection> connected) {
        this.worker = worker;
        this.transport = Objects.requireNonNull(transport, "transport");
        this.inbound = new InboundPath(worker, this);
        this.outbound = new OutboundPath(worker, this, transport);
        this.localAddress = localAddress;
        this.remoteAddress = remoteAddress;
        this.idle = new IdleTimer(worker, this);
        this.tls = tlsConfig == null ? null
                : new TlsSession(worker, this, tlsConfig, remoteAddress, outbound.queue(), serverName, connected);
        if (tls != null) {
            outbound.useTls(tls);
            inbound.allowPausedSlack(TlsSession.PAUSED_PLAINTEXT_SLACK);
        }
    }

    /** {@return whether the handler takes input now} */
    boolean takesInput() {
        return state == Lifecycle.OPEN;
    }

    /** {@return when this connection was created, {@link System#nanoTime()}} */
    long openedNanos() {
        return createdNanos;
    }

    /** {@return the bytes the backend received on this connection (ciphertext for TLS)} */
    long connectionBytesIn() {
        return bytesIn;
    }

    /** {@return the bytes the backend wrote for this connection (ciphertext for TLS)} */
    long connectionBytesOut() {
        return bytesOut;
    }

    /** {@return null if sends are taken now, else why not (for the exception's message)} */
    String sendRefusal() {
        return state.sendRefusal();
    }

    // ---------------------------------------------------------------- ConnectionCore: reports from the backend

    @Override
    public boolean open() {
        if (opened) {
            throw new IllegalStateException("ConnectionCore.open called twice on " + this);
        }
        opened = true;
        worker.register(this);
        if (tls != null && state.isLive()) {
            tls.start();
        }
        return state == Lifecycle.OPEN;
    }

    @Override
    public Connection connection() {
        return this;
    }

    @Override
    public OutboundQueue outbound() {
        return tls == null ? outbound.queue() : tls.ciphertext();
    }

    /**
     * {@inheritDoc} {@code src} is shown to the handler as is (see {@link InboundPath#received}).
     *
     * @throws IllegalArgumentException if {@code src} is not read-only or not direct (checked
     *         first, also on a closed connection: a backend bug must not hide behind a close)
     */
    @Override
    public void received(ByteBuffer src, ReceivedMemory memory) {
        if (!src.isReadOnly() || !src.isDirect()) {
            throw new IllegalArgumentException("ConnectionCore.received needs a read-only direct buffer, got a "
                    + (src.isReadOnly() ? "read-only" : "writable") + " " + (src.isDirect() ? "direct" : "heap")
                    + " buffer " + src + " (pass a read-only twin: asReadOnlyBuffer, created once)");
        }
        if (state == Lifecycle.CLOSED) {
            return;
        }
        worker.stats().bytesIn += src.remaining();
        bytesIn += src.remaining();
        idle.activity();
        if (tls != null) {
            if (state != Lifecycle.LINGERING) {
                tls.received(src); // also while closing: the handshake or the close exchange may need it
            }
        } else if (state == Lifecycle.OPEN) {
            inbound.received(src, memory); // otherwise closing, or draining at shutdown: input is discarded
        }
    }

    @Override
    public void written(long n) {
        if (state == Lifecycle.CLOSED) {
            return;
        }
        if (n > 0) {
            idle.activity();
        }
        bytesOut += n;
        if (tls != null) {
            worker.stats().bytesOut += n;
            tls.written(n);
        } else {
            outbound.written(n);
        }
    }

    @Override
    public void flushed() {
        if (state == Lifecycle.CLOSED) {
            return;
        }
        if (tls != null && tls.wantsFlush()) {
            outbound.scheduleFlush(); // encrypt more as the ciphertext drains
        }
        if (state.isClosing() && outputDrained()) {
            closeWhenFlushed();
            return;
        }
        outbound.flushed();
    }

    /** {@return whether every byte to send was written (under TLS: close_notify or the alert included)} */
    private boolean outputDrained() {
        return tls == null ? outbound.queue().isEmpty() : tls.outputDrained();
    }

    @Override
    public void inputEnded() {
        if (tls != null && state != Lifecycle.LINGERING && state != Lifecycle.CLOSED) {
            if (!tls.isHandshakeDone()) {
                tls.fail(new SSLHandshakeException("the peer closed the connection during the TLS handshake"));
                return;
            }
            if (!tls.closeNotifyReceived()) {
                log.debug("ringline: TLS input of {} truncated: end of stream without close_notify", this);
            }
        }
        plainInputEnded();
    }

    private void plainInputEnded() {
        if (state == Lifecycle.LINGERING) {
            inbound.markInputClosed();
            finishClose(closingReason, closingCause); // the peer read everything and closed: a clean close
        } else if (state.isLive()) {
            inbound.inputEnded();
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
    private void beginClose(CloseReason reason) {
        if (!state.isLive()) {
            return;
        }
        state = state == Lifecycle.DRAINING ? Lifecycle.CLOSING_AT_SHUTDOWN : Lifecycle.CLOSING;
        closingReason = reason;
        closingCause = null;
        inbound.drop();
        if (tls != null) {
            tls.closeOutput();
        }
        if (outputDrained()) {
            closeWhenFlushed();
        } else {
            outbound.scheduleFlush();
        }
    }

    /**
     * Every queued byte was written: close. At shutdown, linger instead: shut the output down (the
     * peer reads every byte, then end of stream) and keep reading and discarding until the peer
     * closes too, because closing a socket with unread input makes the kernel send a reset that can
     * destroy the replies the peer has not read yet. The end of the grace period bounds the wait.
     */
    private void closeWhenFlushed() {
        if (state == Lifecycle.CLOSING || inbound.isInputClosed()) {
            finishClose(closingReason, closingCause);
            return;
        }
        outbound.shutdownNow();
        if (state == Lifecycle.CLOSING_AT_SHUTDOWN) { // not if the shutdown of the output failed and closed it
            state = Lifecycle.LINGERING;
        }
    }

    /**
     * The runtime is shutting down gracefully (see {@link Lifecycle#DRAINING}); then the handler
     * finishes what it holds ({@link io.ringline.Handler#onDrain}; by default it closes, flushing
     * the queue). Sends stay allowed until the connection closes.
     */
    void beginDrain() {
        if (state != Lifecycle.OPEN) {
            return;
        }
        state = Lifecycle.DRAINING;
        if (inbound.drain()) {
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
        if (state == Lifecycle.CLOSED) {
            return;
        }
        state = Lifecycle.CLOSED;
        inbound.drop();
        idle.cancel();
        String why = "connection " + this + " closed (" + reason + ")";
        try {
            transport.close(reset || !outbound.queue().isEmpty() || (tls != null && !tls.ciphertext().isEmpty()));
        } finally {
            outbound.discard(why);
            if (tls != null) {
                tls.closed(reason, cause, why);
            }
            worker.closed(this, reason, cause);
        }
    }

    // ---------------------------------------------------------------- from the TLS session

    /** Decrypted bytes ({@code view}: read-only, direct, valid during the call) for the handler. */
    void tlsPlaintext(ByteBuffer view) {
        if (state == Lifecycle.OPEN) {
            inbound.received(view, null); // the worker's plaintext scratch is never lent: sendReceived copies
        }
    }

    /**
     * The engine stopped reading after our own close_notify (see
     * {@link TlsEngines#readsAfterOwnCloseNotify}): nothing more can arrive, so the connection
     * closes as the handler's {@code shutdownOutput} or {@code close} asked, once the output drained.
     */
    void tlsReadingEndedLocally() {
        if (state == Lifecycle.OPEN) {
            beginClose(CloseReason.LOCAL);
        } else if (state == Lifecycle.LINGERING) {
            finishClose(closingReason, closingCause);
        }
    }

    /** The peer's close_notify: the end of its stream. */
    void tlsInputClosed() {
        if (state.isLive()) {
            inbound.inputEnded();
        }
    }

    /**
     * The TLS layer failed (its alert, if any, is queued): close with {@link CloseReason#TLS_FAILED}
     * once the ciphertext was written, dropping the plaintext not sent.
     */
    void tlsFailed(SSLException e) {
        if (state == Lifecycle.CLOSED) {
            return;
        }
        worker.stats().tlsFailures++;
        state = Lifecycle.CLOSING;
        closingReason = CloseReason.TLS_FAILED;
        closingCause = e;
        inbound.drop();
        discardPlaintext("TLS failed on connection " + this + ": " + e.getMessage());
        if (outputDrained()) {
            finishClose(CloseReason.TLS_FAILED, e);
        } else {
            outbound.scheduleFlush();
        }
    }

    /** Drops the plaintext queued (futures fail with {@code why}): it can no longer be encrypted. */
    void discardPlaintext(String why) {
        outbound.discard(why);
        if (tls != null) {
            tls.plaintextDropped();
        }
    }

    void scheduleFlush() {
        outbound.scheduleFlush();
    }

    /** The loop's flush point for this connection. */
    @Override
    public void flushNow() {
        outbound.flushNow(state == Lifecycle.CLOSED);
    }

    /** {@return the TLS session, null on a plaintext connection (for tests)} */
    TlsSession tlsSession() {
        return tls;
    }

    /** {@return the kept unconsumed bytes, null if none were ever kept or the connection is closing; for tests} */
    InboundBuffer inboundBuffer() {
        return inbound.buffer();
    }

    /** The idle timer fired with nothing moved for the whole timeout. */
    void idleTimedOut() {
        if (tls != null && tls.isHandshakeDone() && state.isLive() && outbound.queue().isEmpty() && tls.ciphertext().isEmpty()) {
            // Nothing queued: say goodbye with close_notify, as a TLS peer expects. The timer runs
            // on, so a close_notify that cannot be written within another period is cut short.
            beginClose(CloseReason.IDLE_TIMEOUT);
            if (!isClosed()) {
                idle.set(idle.timeout(), true);
            }
            return;
        }
        finishClose(CloseReason.IDLE_TIMEOUT, null);
    }

    // ---------------------------------------------------------------- Connection

    @Override
    public void send(ByteBuffer data) {
        outbound.send(data, true);
    }

    @Override
    public void send(byte[] data) {
        outbound.send(ByteBuffer.wrap(data), true);
    }

    @Override
    public boolean trySend(ByteBuffer data) {
        return outbound.send(data, false);
    }

    @Override
    public void sendGather(ByteBuffer... data) {
        outbound.sendGather(data);
    }

    @Override
    public void sendOwned(ByteBuffer data, BufferRelease onRelease) {
        outbound.sendOwned(data, onRelease, true);
    }

    @Override
    public boolean trySendOwned(ByteBuffer data, BufferRelease onRelease) {
        return outbound.sendOwned(data, onRelease, false);
    }

    @Override
    public void sendReceived(ByteBuffer received) {
        outbound.sendReceived(received, true);
    }

    @Override
    public boolean trySendReceived(ByteBuffer received) {
        return outbound.sendReceived(received, false);
    }

    @Override
    public void sendRegion(RegionId region, long offset, int length) {
        outbound.sendRegion(region, offset, length);
    }

    @Override
    public CompletionStage<Void> sendAsync(ByteBuffer data) {
        return outbound.sendAsync(data);
    }

    @Override
    public void pauseReading() {
        worker.checkThread("Connection.pauseReading");
        if (state == Lifecycle.OPEN && inbound.pause()) {
            JfrEvents.reading(worker.workerId(), remoteAddress, true);
            transport.readingPausedChanged(true);
        }
    }

    @Override
    public void resumeReading() {
        worker.checkThread("Connection.resumeReading");
        if (!state.isLive() || !inbound.resume()) {
            return;
        }
        JfrEvents.reading(worker.workerId(), remoteAddress, false);
        // Present what was kept on the next loop iteration, not inside the caller's callback, and
        // only then restart the backend's reading: if the handler pauses again while the kept bytes
        // are presented, nothing new was received meanwhile (a receive restarted first could pile up
        // a burst beyond the documented paused slack). An internal task: at most one per
        // pause/resume of this connection, queued by this worker itself.
        worker.executeInternal(() -> {
            inbound.presentationStarted();
            if (state == Lifecycle.CLOSED || inbound.isPaused()) {
                return;
            }
            if (state == Lifecycle.OPEN) {
                inbound.presentKept();
            }
            if (state == Lifecycle.CLOSED || inbound.isPaused()) {
                return;
            }
            transport.readingPausedChanged(false); // also while draining or lingering: input is read and discarded
            if (state == Lifecycle.OPEN && inbound.takeInputEndPending()) {
                inbound.inputEnded();
            }
        });
    }

    @Override
    public void setIdleTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        worker.checkThread("Connection.setIdleTimeout");
        idle.set(timeout, state != Lifecycle.CLOSED);
    }

    @Override
    public Duration idleTimeout() {
        return idle.timeout();
    }

    @Override
    public boolean isReadingPaused() {
        return inbound.isPaused();
    }

    @Override
    public long pendingSendBytes() {
        return outbound.queue().bytes();
    }

    @Override
    public boolean isWritable() {
        return sendRefusal() == null && outbound.isWritable();
    }

    @Override
    public void shutdownOutput() {
        worker.checkThread("Connection.shutdownOutput");
        if (state.isLive()) {
            outbound.requestShutdown();
        }
    }

    @Override
    public void close() {
        worker.checkThread("Connection.close");
        beginClose(state == Lifecycle.DRAINING ? CloseReason.SHUTDOWN
                : inbound.isInputClosed() ? CloseReason.PEER_CLOSED : CloseReason.LOCAL);
    }

    @Override
    public void abort() {
        worker.checkThread("Connection.abort");
        finishClose(state == Lifecycle.DRAINING ? CloseReason.SHUTDOWN : CloseReason.LOCAL, null);
    }

    @Override
    public boolean isOpen() {
        return state.isLive();
    }

    @Override
    public boolean isClosed() {
        return state == Lifecycle.CLOSED;
    }

    /** {@return the lifecycle state (for tests)} */
    Lifecycle lifecycle() {
        return state;
    }

    @Override
    public Optional<TlsInfo> tls() {
        return tls == null ? Optional.empty() : tls.info();
    }

    @Override
    public boolean isTls() {
        return tls != null;
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
