package io.ringline.spi;

import java.net.InetSocketAddress;

/** A bound listening socket and whatever accepts on it. */
public interface Listener extends AutoCloseable {

    /** {@return the bound address (port 0 resolved)} */
    InetSocketAddress localAddress();

    /** Stops accepting and closes the socket; waits for the accepting thread, if any, to stop. Idempotent. */
    @Override
    void close();
}
