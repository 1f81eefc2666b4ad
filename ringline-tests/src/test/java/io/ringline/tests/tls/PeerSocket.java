package io.ringline.tests.tls;

import io.ringline.testkit.TestPeer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;

/**
 * A {@link Socket} over the testkit backend's in-memory {@link TestPeer}, so that a JDK
 * {@link javax.net.ssl.SSLSocket} can be layered on it
 * ({@link javax.net.ssl.SSLSocketFactory#createSocket(Socket, String, int, boolean)}): the TLS
 * tests run the same client on every backend. Only what a layered SSLSocket uses is implemented.
 */
final class PeerSocket extends Socket {

    private final TestPeer peer;
    private boolean inputShutdown;
    private boolean outputShutdown;
    private boolean closed;

    PeerSocket(TestPeer peer) {
        this.peer = peer;
    }

    @Override
    public boolean isConnected() {
        return true;
    }

    @Override
    public boolean isBound() {
        return true;
    }

    @Override
    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public InputStream getInputStream() {
        return peer.input();
    }

    @Override
    public OutputStream getOutputStream() {
        return peer.output();
    }

    @Override
    public synchronized void shutdownOutput() throws IOException {
        outputShutdown = true;
        peer.shutdownOutput();
    }

    @Override
    public synchronized void shutdownInput() {
        inputShutdown = true; // the in-memory peer has no input shutdown; reads after it are not made
    }

    @Override
    public synchronized boolean isInputShutdown() {
        return inputShutdown;
    }

    @Override
    public synchronized boolean isOutputShutdown() {
        return outputShutdown;
    }

    @Override
    public synchronized void close() {
        closed = true;
        peer.close();
    }

    /** Resets the peer (like SO_LINGER 0 and close). */
    synchronized void reset() {
        closed = true;
        peer.reset();
    }

    @Override
    public void setSoTimeout(int timeout) {
        peer.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() {
        return peer.getSoTimeout();
    }

    @Override
    public void setSoLinger(boolean on, int linger) {
        // no kernel socket; reset() is the abortive close
    }

    @Override
    public int getSoLinger() {
        return -1;
    }

    @Override
    public void setTcpNoDelay(boolean on) {
        // no Nagle in memory
    }

    @Override
    public boolean getTcpNoDelay() {
        return true;
    }

    @Override
    public InetAddress getInetAddress() {
        return peer.remoteAddress().getAddress();
    }

    @Override
    public int getPort() {
        return peer.remoteAddress().getPort();
    }

    @Override
    public InetAddress getLocalAddress() {
        return peer.localAddress().getAddress();
    }

    @Override
    public int getLocalPort() {
        return peer.localAddress().getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return peer.remoteAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return peer.localAddress();
    }

    @Override
    public String toString() {
        return "PeerSocket[" + peer + "]";
    }
}
