package io.ringline.internal;

import io.ringline.Connection;
import io.ringline.TimerHandle;
import io.ringline.TlsConfig;
import io.ringline.TlsHandshakeTimeoutException;
import io.ringline.TlsInfo;
import io.ringline.spi.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Drives the {@link SSLEngine} of one TLS connection between its {@link ConnectionImpl} (the
 * handler's plaintext) and the backend (ciphertext): the handshake with its timeout, decrypting
 * what arrives ({@link TlsInbound} for split records), encrypting what is sent
 * ({@link TlsOutbound}), {@code close_notify} both ways, and failures, which close the connection
 * with {@link io.ringline.CloseReason#TLS_FAILED}.
 *
 * <p><b>Handshake.</b> Starts when the connection opened ({@code onOpen} ran); a client sends its
 * hello at once; a server with SNI configurations keeps the first bytes until the ClientHello's
 * server name is known ({@link ClientHelloSni}) and creates its engine from the configuration for
 * that name. Delegated tasks ({@code NEED_TASK}) run inline on the worker thread: they are
 * the certificate checks and key computations of one handshake, which a thread-per-core runtime
 * would otherwise have to hand to another thread and back. At completion the worker's
 * {@code tlsHandshakes} is counted, {@link TlsInfo} is published, {@code onTlsHandshake} runs, a
 * TLS connect's stage completes, and the plaintext queued meanwhile is encrypted. A renegotiation
 * on TLS 1.2 or lower is refused (the connection fails); TLS 1.3 post-handshake messages (session
 * tickets, key updates) are served.
 *
 * <p><b>Close.</b> A graceful close or {@code shutdownOutput} queues {@code close_notify} after the
 * last plaintext was encrypted ({@link #closeOutput()}); a close before the handshake completed
 * drops the queued plaintext and sends what the engine has for an abandoned handshake. A received
 * {@code close_notify} is the end of the peer's stream. An engine running TLS 1.2 answers a
 * received {@code close_notify} with its own and closes its output: plaintext sent after that
 * cannot be encrypted and is dropped (its futures fail). Whatever the close, the engine is closed
 * both ways (quietly) and the buffers go back to the worker.
 *
 * <p>Worker thread only, except {@link #info()}.
 */
final class TlsSession {

    private static final Logger log = LoggerFactory.getLogger(TlsSession.class);
    /** Paused-reading slack for decrypted bytes: the plaintext of one whole record and more (see {@link InboundPath#allowPausedSlack}). */
    static final long PAUSED_PLAINTEXT_SLACK = 32 * 1024;
    private static final ByteBuffer NO_BYTES = ByteBuffer.allocateDirect(0).asReadOnlyBuffer();

    private final Worker worker;
    private final ConnectionImpl owner;
    private final TlsConfig config;
    private final SocketAddress remote;
    /** A client's server name (SNI, hostname verification); null on a server or without a name. */
    private final String clientServerName;
    /** A TLS connect's stage, completed after the handshake; null on a server. */
    private final CompletableFuture<Connection> stage;
    private final TlsOutbound outbound;
    private final TlsInbound inbound;

    private SSLEngine engine;
    /** A server with SNI configurations waits for the ClientHello's name before it creates its engine. */
    private boolean awaitingClientHello;
    /** The SNI host name the client asked for, when read by {@link ClientHelloSni} (servers with SNI configurations). */
    private String sniName;
    private TimerHandle handshakeTimer;
    private boolean handshakeBegun;
    private boolean handshakeDone;
    private boolean tls13;
    private boolean closeRequested;
    private boolean closeNotifyQueued;
    private boolean closeNotifyReceived;
    private boolean inputEndReported;
    private boolean failed;
    private SSLException failure;
    private boolean released;
    private volatile Optional<TlsInfo> info = Optional.empty();
    /** The engine's application buffer size once the handshake completed; 0 before (ask the session). */
    private int applicationBufferSize;
    /** The engine closed its output itself, answering the peer's close_notify: sends are refused. */
    private boolean engineClosedOutput;

    /** Why sends are refused once {@link #engineClosedOutput()}. */
    static final String ENGINE_CLOSED_OUTPUT = "the TLS engine closed its output when the peer's close_notify arrived"
            + " (TLS 1.2 and Netty's OpenSSL engines cannot half-close: only the JDK engine on TLS 1.3 keeps sending)";

    /**
     * @param plain            the connection's plaintext send queue
     * @param clientServerName on a client, the server name (see {@link TlsEngines#serverName}); ignored on a server
     * @param stage            a TLS connect's stage, or null
     */
    TlsSession(Worker worker, ConnectionImpl owner, TlsConfig config, SocketAddress remote, SendQueue plain,
               String clientServerName, CompletableFuture<Connection> stage) {
        this.worker = worker;
        this.owner = owner;
        this.config = config;
        this.remote = remote;
        this.clientServerName = config.isServer() ? null : clientServerName;
        this.stage = stage;
        BufferPool chunks = worker.tlsChunks();
        this.outbound = new TlsOutbound(plain, new SendQueue(chunks, worker.regionTable(), worker.lentViews()));
        this.inbound = new TlsInbound(chunks);
    }

    /** {@return what the handshake negotiated, empty before it completed; any thread} */
    Optional<TlsInfo> info() {
        return info;
    }

    /** {@return the ciphertext queue the backend writes from} */
    SendQueue ciphertext() {
        return outbound.ciphertext();
    }

    boolean isHandshakeDone() {
        return handshakeDone;
    }

    boolean closeNotifyReceived() {
        return closeNotifyReceived;
    }

    /** {@return whether the engine closed its output on the peer's close_notify (no more sends)} */
    boolean engineClosedOutput() {
        return engineClosedOutput;
    }

    /**
     * {@return whether the output is finished: {@code close_notify} (or, after a failure, the
     * alert) queued and every ciphertext byte written}
     */
    boolean outputDrained() {
        return (failed || closeNotifyQueued) && outbound.ciphertext().isEmpty();
    }

    // ---------------------------------------------------------------- start and handshake

    /** The connection opened: arms the handshake timeout and starts the handshake. */
    void start() {
        long timeout = config.handshakeTimeout().toNanos();
        handshakeTimer = worker.scheduleAt(System.nanoTime() + timeout, this::handshakeTimedOut);
        if (config.isServer() && !config.sniConfigs().isEmpty()) {
            awaitingClientHello = true; // the engine depends on the name the client asks for
            return;
        }
        try {
            begin(config.isServer() ? TlsEngines.server(config, remote) : TlsEngines.client(config, clientServerName, remote));
        } catch (SSLException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(new SSLException("TLS engine failed: " + e, e));
        }
    }

    private void begin(SSLEngine e) throws SSLException {
        engine = e;
        engine.beginHandshake();
        handshakeBegun = true;
        if (handshake(engine.getHandshakeStatus())) {
            owner.scheduleFlush();
        }
    }

    /**
     * SNI selection: keeps the bytes until {@link ClientHelloSni} knows the name, then creates the
     * engine from the configuration for it (exact name, then {@code *.} and the name without its
     * first label, else the listener's own) and starts it; the kept bytes are then unwrapped.
     *
     * @return whether the engine exists now
     */
    private boolean selectBySni(ByteBuffer src) throws SSLException {
        inbound.keep(src);
        ClientHelloSni.Result r = ClientHelloSni.read(inbound.kept());
        if (r.status() == ClientHelloSni.Status.NEED_MORE) {
            return false;
        }
        awaitingClientHello = false;
        TlsConfig chosen = config;
        if (r.status() == ClientHelloSni.Status.FOUND) {
            sniName = r.hostName();
            chosen = sniConfig(config, sniName);
        }
        begin(TlsEngines.server(chosen, remote));
        return !stopped();
    }

    /** {@return the configuration {@code listener} serves {@code host} with} */
    static TlsConfig sniConfig(TlsConfig listener, String host) {
        TlsConfig exact = listener.sniConfigs().get(host);
        if (exact != null) {
            return exact;
        }
        int dot = host.indexOf('.');
        if (dot > 0) {
            TlsConfig wildcard = listener.sniConfigs().get("*" + host.substring(dot));
            if (wildcard != null) {
                return wildcard;
            }
        }
        return listener;
    }

    /**
     * Runs the handshake as far as it goes without input: delegated tasks and wraps.
     *
     * @return whether ciphertext was queued (a flush is needed)
     */
    private boolean handshake(HandshakeStatus hs) throws SSLException {
        boolean wrote = false;
        while (!released && !failed) {
            switch (hs) {
                case FINISHED -> {
                    completed();
                    hs = engine == null ? HandshakeStatus.NOT_HANDSHAKING : engine.getHandshakeStatus();
                }
                case NEED_TASK -> {
                    refuseRenegotiation();
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run(); // inline: see the class comment
                    }
                    hs = engine.getHandshakeStatus();
                }
                case NEED_WRAP -> {
                    refuseRenegotiation();
                    SSLEngineResult r = outbound.wrapControl(engine);
                    wrote |= r.bytesProduced() > 0;
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED && r.bytesProduced() == 0) {
                        return wrote;
                    }
                    hs = r.getHandshakeStatus();
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    refuseRenegotiation();
                    return wrote;
                }
                case NOT_HANDSHAKING -> {
                    if (!handshakeDone && handshakeBegun) {
                        completed(); // an engine that does not report FINISHED
                    }
                    return wrote;
                }
            }
        }
        return wrote;
    }

    /** After the handshake, a new one on TLS 1.2 or lower (not the close exchange) is refused. */
    private void refuseRenegotiation() throws SSLException {
        if (handshakeDone && !tls13 && !closeNotifyQueued && !closeNotifyReceived
                && !engine.isInboundDone() && !engine.isOutboundDone()) {
            throw new SSLException("TLS renegotiation refused (" + info.map(TlsInfo::protocol).orElse("?")
                    + " connection from " + remote + ")");
        }
    }

    private void completed() {
        if (handshakeDone) {
            return;
        }
        handshakeDone = true;
        cancelTimer();
        worker.stats().tlsHandshakes++;
        SSLSession s = engine.getSession();
        tls13 = "TLSv1.3".equals(s.getProtocol());
        applicationBufferSize = s.getApplicationBufferSize(); // settled now: not asked per record any more
        outbound.packetSize(s.getPacketBufferSize());
        String alpn = engine.getApplicationProtocol();
        info = Optional.of(new TlsInfo(s.getProtocol(), s.getCipherSuite(),
                alpn == null || alpn.isEmpty() ? Optional.empty() : Optional.of(alpn),
                Optional.ofNullable(requestedServerName(s)), peerCertificates(s)));
        JfrEvents.tlsHandshake(worker.workerId(), remote, config.isServer(), owner.openedNanos(), info.get(), null);
        try {
            worker.handler().onTlsHandshake(owner);
        } catch (Throwable t) {
            Throwables.rethrowIfFatal(t);
            owner.failed(io.ringline.CloseReason.ERROR, t);
            return;
        }
        if (stage != null) {
            stage.complete(owner);
        }
        owner.scheduleFlush(); // what was sent before the handshake goes out now
    }

    private String requestedServerName(SSLSession s) {
        if (!config.isServer()) {
            return clientServerName == null || TlsEngines.isIpLiteral(clientServerName) ? null : clientServerName;
        }
        if (sniName != null) {
            return sniName;
        }
        if (s instanceof ExtendedSSLSession x) {
            try {
                for (SNIServerName n : x.getRequestedServerNames()) {
                    if (n instanceof SNIHostName h) {
                        return h.getAsciiName().toLowerCase(java.util.Locale.ROOT);
                    }
                }
            } catch (UnsupportedOperationException ignored) {
                // a provider without it: no name known
            }
        }
        return null;
    }

    private static List<Certificate> peerCertificates(SSLSession s) {
        try {
            return List.of(s.getPeerCertificates());
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    private void handshakeTimedOut() {
        handshakeTimer = null;
        if (released || handshakeDone) {
            return;
        }
        if (failed) {
            owner.finishClose(io.ringline.CloseReason.TLS_FAILED, failure); // the alert did not get out in time
            return;
        }
        failed = true;
        failure = new TlsHandshakeTimeoutException("TLS handshake with " + remote + " did not complete within "
                + config.handshakeTimeout());
        JfrEvents.tlsHandshake(worker.workerId(), remote, config.isServer(), owner.openedNanos(), null, failure);
        worker.stats().tlsFailures++;
        if (stage != null) {
            stage.completeExceptionally(failure);
        }
        owner.finishClose(io.ringline.CloseReason.TLS_FAILED, failure);
    }

    private void cancelTimer() {
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
            handshakeTimer = null;
        }
    }

    // ---------------------------------------------------------------- receiving

    /** Ciphertext arrived ({@code src}, read-only direct): decrypts it and presents the plaintext. */
    void received(ByteBuffer src) {
        if (released || failed) {
            return;
        }
        try {
            if (engine == null) {
                if (!awaitingClientHello || !selectBySni(src)) {
                    return; // not started (closed in onOpen), or the ClientHello is not complete yet
                }
            }
            unwrapAll(src);
        } catch (SSLException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(new SSLException("TLS engine failed: " + e, e));
        }
    }

    private boolean stopped() {
        return released || failed;
    }

    private void unwrapAll(ByteBuffer src) throws SSLException {
        ByteBuffer out = worker.tlsPlaintext();
        out.clear();
        int appSize = applicationBufferSize > 0 ? applicationBufferSize : engine.getSession().getApplicationBufferSize();
        if (appSize > out.capacity()) {
            throw new SSLException("the TLS engine needs " + appSize + " bytes for one record's plaintext, more than "
                    + out.capacity());
        }
        boolean wrote = false;
        boolean consumedAny = false;
        ByteBuffer from;
        while (!closeNotifyReceived && (from = inbound.source(src)) != null) {
            if (out.remaining() < appSize) {
                deliver(out);
                if (stopped()) {
                    return;
                }
            }
            SSLEngineResult r = engine.unwrap(from, out);
            consumedAny |= r.bytesConsumed() > 0;
            inbound.unwrapped(from);
            switch (r.getStatus()) {
                case BUFFER_UNDERFLOW -> inbound.underflow(from, src);
                case BUFFER_OVERFLOW -> {
                    if (out.position() == 0) {
                        throw new SSLException("the TLS engine overflowed an empty plaintext buffer of " + out.capacity() + " bytes");
                    }
                    deliver(out);
                }
                case CLOSED -> closeNotifyReceived = true;
                case OK -> { }
            }
            if (stopped()) {
                return;
            }
            HandshakeStatus hs = r.getHandshakeStatus();
            if (hs != HandshakeStatus.NOT_HANDSHAKING || !handshakeDone) {
                wrote |= handshake(hs);
                if (stopped()) {
                    return;
                }
            }
        }
        if (!handshakeDone && consumedAny && engine.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
            // Netty's OpenSSL engine notices that a handshake completed inside its last read only at
            // its next call (its SslHandler then unwraps an empty buffer too): give it that call.
            SSLEngineResult r = engine.unwrap(NO_BYTES, out);
            wrote |= handshake(r.getHandshakeStatus());
            if (stopped()) {
                return;
            }
        }
        deliver(out);
        if (stopped()) {
            return;
        }
        if (wrote || closeNotifyReceived) {
            owner.scheduleFlush();
        }
        if (closeNotifyReceived && !inputEndReported) {
            inputEndReported = true;
            if (closeNotifyQueued && !TlsEngines.readsAfterOwnCloseNotify(engine)) {
                // Our shutdownOutput or close sent close_notify, and this engine stops reading then:
                // its CLOSED says nothing about the peer. Nothing more can be received: close.
                owner.tlsReadingEndedLocally();
                return;
            }
            if (!closeNotifyQueued && answersCloseNotify()) {
                // TLS 1.2, or Netty's OpenSSL engine: it answered with its own close_notify (queued
                // now) and sends nothing more. Plaintext not yet encrypted is dropped, its futures
                // fail; later sends are refused with ENGINE_CLOSED_OUTPUT.
                engineClosedOutput = true;
                closeNotifyQueued = true;
                if (outbound.hasPlaintextToEncrypt()) {
                    owner.discardPlaintext("cannot send on " + owner + ": " + ENGINE_CLOSED_OUTPUT);
                }
                owner.scheduleFlush();
            }
            owner.tlsInputClosed();
        }
    }

    /**
     * After the peer's close_notify: whether the engine closed its own output in answer. A wrap of
     * nothing tells: an engine still open produces nothing and reports OK; one that closed produces
     * its close_notify (queued here) and reports CLOSED.
     */
    private boolean answersCloseNotify() throws SSLException {
        if (engine.isOutboundDone()) {
            return true;
        }
        SSLEngineResult r = outbound.wrapControl(engine);
        return r.getStatus() == SSLEngineResult.Status.CLOSED || engine.isOutboundDone();
    }

    /** Presents the plaintext in {@code out} (from 0 to its position) to the connection, then empties it. */
    private void deliver(ByteBuffer out) {
        if (out.position() == 0) {
            return;
        }
        if (!handshakeDone) {
            completed(); // application data means the engine is done with the handshake
            if (stopped() || owner.isClosed()) {
                return;
            }
        }
        ByteBuffer view = worker.tlsPlaintextView();
        view.limit(out.position()).position(0);
        out.clear();
        owner.tlsPlaintext(view);
    }

    // ---------------------------------------------------------------- sending

    /** {@return whether more plaintext can be encrypted now or a close_notify waits: worth a flush pass} */
    boolean wantsFlush() {
        return !failed && !released && ((handshakeDone && outbound.hasPlaintextToEncrypt() && outbound.hasRoom())
                || (closeRequested && !closeNotifyQueued));
    }

    /**
     * The loop's flush point: encrypts queued plaintext (after the handshake), then a pending
     * {@code close_notify}, and asks the transport to write the ciphertext. When nothing is left to
     * write but the output finished, reports a flush at once so that a close completes.
     */
    void flushNow(Transport transport) {
        if (released) {
            return;
        }
        try {
            if (!failed && engine != null && handshakeDone) {
                SSLEngineResult r = outbound.encrypt(engine);
                if (r != null && r.getStatus() == SSLEngineResult.Status.CLOSED && outbound.hasPlaintextToEncrypt()) {
                    owner.discardPlaintext("the TLS engine closed its output (the TLS 1.2 peer sent close_notify)");
                    closeNotifyQueued = true;
                } else if (r != null && r.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
                    handshake(r.getHandshakeStatus());
                }
            }
            if (!failed && closeRequested && !closeNotifyQueued && (!handshakeDone || !outbound.hasPlaintextToEncrypt())) {
                queueCloseNotify();
            }
        } catch (SSLException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(new SSLException("TLS engine failed: " + e, e));
        }
        if (released) {
            return;
        }
        if (!outbound.ciphertext().isEmpty()) {
            transport.flush();
        } else if (outputDrained()) {
            owner.flushed();
        }
    }

    private void queueCloseNotify() throws SSLException {
        closeNotifyQueued = true;
        if (!handshakeDone) {
            owner.discardPlaintext("connection closed before its TLS handshake completed");
        }
        if (engine == null) {
            return;
        }
        engine.closeOutbound();
        for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) { // close_notify: one wrap, a few for an odd engine
            SSLEngineResult r = outbound.wrapControl(engine);
            if (r.bytesProduced() == 0) {
                break;
            }
        }
    }

    /** The socket took {@code n} ciphertext bytes. */
    void written(long n) {
        outbound.written(n);
    }

    /** The plaintext queue was discarded: forget how far it was encrypted. */
    void plaintextDropped() {
        outbound.plaintextDropped();
    }

    /** Graceful close or {@code shutdownOutput}: {@code close_notify} after the plaintext queued so far. */
    void closeOutput() {
        closeRequested = true;
    }

    // ---------------------------------------------------------------- failure and close

    /**
     * Fails the connection with {@code e}: the engine's alert is wrapped (best effort), the
     * worker's {@code tlsFailures} counted, a connect's stage failed, and the connection closes
     * with {@code TLS_FAILED} once the alert was written.
     */
    void fail(SSLException e) {
        if (failed || released) {
            return;
        }
        failed = true;
        failure = e;
        log.debug("ringline: TLS failed on {}", owner, e);
        if (!handshakeDone) {
            JfrEvents.tlsHandshake(worker.workerId(), remote, config.isServer(), owner.openedNanos(), null, e);
        }
        if (engine != null) {
            try {
                engine.closeOutbound();
                for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
                    if (outbound.wrapControl(engine).bytesProduced() == 0) {
                        break;
                    }
                }
            } catch (SSLException | RuntimeException ignored) {
                // best effort: the alert is a courtesy
            }
        }
        if (stage != null) {
            stage.completeExceptionally(e);
        }
        owner.tlsFailed(e);
    }

    /**
     * Closes {@code engine} both ways, quietly. What it still has to send (a close_notify it made
     * now, or an alert) is wrapped into a scratch chunk and dropped first: Netty's OpenSSL engines
     * free their native {@code SSL} (their {@code shutdown()}) in {@code closeInbound()} only once
     * their output is done, that is drained.
     */
    private static void release(SSLEngine engine, BufferPool chunks) {
        try {
            engine.closeOutbound();
            if (!engine.isOutboundDone()) {
                BufferPool.Chunk scratch = chunks.acquire();
                try {
                    ByteBuffer[] none = {ByteBuffer.allocate(0)};
                    for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
                        ByteBuffer dst = scratch.writer().clear();
                        if (engine.wrap(none, dst).bytesProduced() == 0) {
                            break;
                        }
                    }
                } finally {
                    chunks.release(scratch);
                }
            }
        } catch (SSLException | RuntimeException ignored) {
            // a failed engine: nothing more to say to the peer
        }
        try {
            engine.closeInbound();
        } catch (SSLException | RuntimeException ignored) {
            // no close_notify from the peer: expected on most closes
        }
    }

    /**
     * The connection closed: drops the ciphertext (held while the backend retains it), closes the
     * engine both ways quietly, gives the buffers back, fails a connect's stage still pending.
     */
    void closed(io.ringline.CloseReason reason, Throwable cause, String why) {
        if (released) {
            return;
        }
        released = true;
        cancelTimer();
        outbound.plaintextDropped();
        outbound.ciphertext().discard(why);
        inbound.release();
        if (engine != null) {
            release(engine, worker.tlsChunks());
        }
        if (stage != null && !stage.isDone()) {
            stage.completeExceptionally(cause != null ? cause
                    : new io.ringline.ConnectionClosedException("connection " + owner + " closed (" + reason
                    + ") before its TLS handshake completed"));
        }
    }
}
