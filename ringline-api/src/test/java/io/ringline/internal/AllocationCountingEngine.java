package io.ringline.internal;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiFunction;

/**
 * An {@link SSLEngine} that delegates everything and counts the bytes the calling thread
 * allocates inside the engine's {@code wrap} and {@code unwrap}, so a test can tell the engine's
 * allocation from the core's own.
 */
final class AllocationCountingEngine extends SSLEngine {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final SSLEngine d;
    private long allocated;

    AllocationCountingEngine(SSLEngine delegate) {
        this.d = delegate;
    }

    /** {@return bytes allocated inside wrap and unwrap so far} */
    long allocated() {
        return allocated;
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            return d.wrap(srcs, offset, length, dst);
        } finally {
            allocated += THREADS.getCurrentThreadAllocatedBytes() - before;
        }
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            return d.unwrap(src, dsts, offset, length);
        } finally {
            allocated += THREADS.getCurrentThreadAllocatedBytes() - before;
        }
    }

    // The single-buffer forms: SSLEngine's own implementations allocate the arrays they pass on;
    // that is the engine API's cost, counted with the engine's.

    @Override
    public SSLEngineResult wrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            return d.wrap(src, dst);
        } finally {
            allocated += THREADS.getCurrentThreadAllocatedBytes() - before;
        }
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, ByteBuffer dst) throws SSLException {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            return d.wrap(srcs, dst);
        } finally {
            allocated += THREADS.getCurrentThreadAllocatedBytes() - before;
        }
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            return d.unwrap(src, dst);
        } finally {
            allocated += THREADS.getCurrentThreadAllocatedBytes() - before;
        }
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts) throws SSLException {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            return d.unwrap(src, dsts);
        } finally {
            allocated += THREADS.getCurrentThreadAllocatedBytes() - before;
        }
    }

    @Override public String getPeerHost() { return d.getPeerHost(); }
    @Override public int getPeerPort() { return d.getPeerPort(); }
    @Override public Runnable getDelegatedTask() { return d.getDelegatedTask(); }
    @Override public void closeInbound() throws SSLException { d.closeInbound(); }
    @Override public boolean isInboundDone() { return d.isInboundDone(); }
    @Override public void closeOutbound() { d.closeOutbound(); }
    @Override public boolean isOutboundDone() { return d.isOutboundDone(); }
    @Override public String[] getSupportedCipherSuites() { return d.getSupportedCipherSuites(); }
    @Override public String[] getEnabledCipherSuites() { return d.getEnabledCipherSuites(); }
    @Override public void setEnabledCipherSuites(String[] suites) { d.setEnabledCipherSuites(suites); }
    @Override public String[] getSupportedProtocols() { return d.getSupportedProtocols(); }
    @Override public String[] getEnabledProtocols() { return d.getEnabledProtocols(); }
    @Override public void setEnabledProtocols(String[] protocols) { d.setEnabledProtocols(protocols); }
    @Override public SSLSession getSession() { return d.getSession(); }
    @Override public SSLSession getHandshakeSession() { return d.getHandshakeSession(); }
    @Override public void beginHandshake() throws SSLException { d.beginHandshake(); }
    @Override public SSLEngineResult.HandshakeStatus getHandshakeStatus() { return d.getHandshakeStatus(); }
    @Override public void setUseClientMode(boolean mode) { d.setUseClientMode(mode); }
    @Override public boolean getUseClientMode() { return d.getUseClientMode(); }
    @Override public void setNeedClientAuth(boolean need) { d.setNeedClientAuth(need); }
    @Override public boolean getNeedClientAuth() { return d.getNeedClientAuth(); }
    @Override public void setWantClientAuth(boolean want) { d.setWantClientAuth(want); }
    @Override public boolean getWantClientAuth() { return d.getWantClientAuth(); }
    @Override public void setEnableSessionCreation(boolean flag) { d.setEnableSessionCreation(flag); }
    @Override public boolean getEnableSessionCreation() { return d.getEnableSessionCreation(); }
    @Override public SSLParameters getSSLParameters() { return d.getSSLParameters(); }
    @Override public void setSSLParameters(SSLParameters params) { d.setSSLParameters(params); }
    @Override public String getApplicationProtocol() { return d.getApplicationProtocol(); }
    @Override public String getHandshakeApplicationProtocol() { return d.getHandshakeApplicationProtocol(); }

    @Override
    public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
        d.setHandshakeApplicationProtocolSelector(selector);
    }

    @Override
    public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
        return d.getHandshakeApplicationProtocolSelector();
    }
}
