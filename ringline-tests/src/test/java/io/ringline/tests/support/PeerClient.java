package io.ringline.tests.support;

import io.ringline.testkit.TestPeer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;

/** A {@link Client} over the testkit backend's in-memory {@link TestPeer}, with the suite's read timeout. */
public final class PeerClient implements Client {

    private final TestPeer peer;

    private PeerClient(TestPeer peer) {
        this.peer = peer;
    }

    /** {@return a client connected to the testkit listener at {@code address}} */
    public static PeerClient connect(InetSocketAddress address) throws IOException {
        TestPeer peer = TestPeer.connect(address);
        peer.setSoTimeout(READ_TIMEOUT_MS);
        return new PeerClient(peer);
    }

    @Override
    public InputStream input() {
        return peer.input();
    }

    @Override
    public OutputStream output() {
        return peer.output();
    }

    @Override
    public void shutdownOutput() throws IOException {
        peer.shutdownOutput();
    }

    @Override
    public void close() {
        peer.close();
    }

    @Override
    public void reset() {
        peer.reset();
    }

    @Override
    public String toString() {
        return "PeerClient[" + peer + "]";
    }
}
