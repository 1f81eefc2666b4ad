package io.ringline.testkit;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-memory network of this JVM: one host, {@code 127.0.0.1}, whose ports are taken by
 * testkit listeners (of any runtime in the JVM). A listener binding port 0 gets a fresh port from
 * a counter starting at {@value #FIRST_LISTEN_PORT}; a connecting end gets a local port from
 * {@value #FIRST_EPHEMERAL_PORT} up.
 *
 * <p>Thread-safe.
 */
final class TestkitNetwork {

    /** The first port given to a listener that binds port 0. */
    static final int FIRST_LISTEN_PORT = 40000;
    /** The first local port of a connecting end. */
    static final int FIRST_EPHEMERAL_PORT = 50000;
    private static final int LAST_LISTEN_PORT = FIRST_EPHEMERAL_PORT - 1;
    private static final int LAST_PORT = 65535;

    /** The one host of the network. */
    static final InetAddress HOST = InetAddress.getLoopbackAddress();

    private static final ConcurrentMap<Integer, TestkitListener> LISTENERS = new ConcurrentHashMap<>();
    private static final AtomicInteger NEXT_LISTEN_PORT = new AtomicInteger(FIRST_LISTEN_PORT);
    private static final AtomicInteger NEXT_EPHEMERAL_PORT = new AtomicInteger(FIRST_EPHEMERAL_PORT);

    private TestkitNetwork() {
    }

    /**
     * Binds {@code listener} to {@code requested}'s port, or to a fresh port if it is 0.
     *
     * @return the bound address, {@code 127.0.0.1:<port>}
     * @throws BindException naming the address if the port is taken, or every listen port is
     */
    static InetSocketAddress bind(InetSocketAddress requested, TestkitListener listener) throws BindException {
        int port = requested.getPort();
        if (port != 0) {
            if (LISTENERS.putIfAbsent(port, listener) != null) {
                throw new BindException("Address already in use: " + HOST.getHostAddress() + ":" + port
                        + " is bound by another testkit listener");
            }
            return new InetSocketAddress(HOST, port);
        }
        for (int tries = LAST_LISTEN_PORT - FIRST_LISTEN_PORT + 1; tries > 0; tries--) {
            int candidate = NEXT_LISTEN_PORT.getAndUpdate(p -> p == LAST_LISTEN_PORT ? FIRST_LISTEN_PORT : p + 1);
            if (LISTENERS.putIfAbsent(candidate, listener) == null) {
                return new InetSocketAddress(HOST, candidate);
            }
        }
        throw new BindException("no free testkit port in [" + FIRST_LISTEN_PORT + ", " + LAST_LISTEN_PORT + "] for "
                + requested);
    }

    /** Frees {@code listener}'s port (if it still holds it). */
    static void unbind(InetSocketAddress address, TestkitListener listener) {
        LISTENERS.remove(address.getPort(), listener);
    }

    /**
     * Connects to the listener at {@code remote}: the new connection waits in its backlog. The
     * direction towards the server gets the listener's window and read delay, the direction back
     * those of {@code client} (a {@link TestPeer}, which has no settings, gets the listener's window
     * and reads without delay).
     *
     * @param remote where to connect
     * @param client the connecting runtime's settings, or null for a {@link TestPeer}
     * @return the connecting end
     * @throws ConnectException "Connection refused" naming {@code remote} if nothing listens there
     *                          (or its backlog is full)
     */
    static Endpoint connect(SocketAddress remote, TestkitSettings client) throws ConnectException {
        TestkitListener listener = lookup(remote);
        if (listener == null) {
            throw new ConnectException("Connection refused: nothing listens on " + remote + " in the testkit network");
        }
        TestkitSettings server = listener.settings();
        Pipe toServer = new Pipe(server.window(), server.readDelayNanos());
        Pipe toClient = client == null ? new Pipe(server.window(), 0) : new Pipe(client.window(), client.readDelayNanos());
        InetSocketAddress local = new InetSocketAddress(HOST, NEXT_EPHEMERAL_PORT.getAndUpdate(
                p -> p == LAST_PORT ? FIRST_EPHEMERAL_PORT : p + 1));
        Endpoint[] ends = Endpoint.pair(local, toServer, listener.localAddress(), toClient);
        listener.enqueue(ends[1]);
        return ends[0];
    }

    /** {@return the listener at {@code remote}, or null if none listens there (or it is not on this host)} */
    static TestkitListener lookup(SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress address) || !isThisHost(address)) {
            return null;
        }
        return LISTENERS.get(address.getPort());
    }

    private static boolean isThisHost(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            return "localhost".equalsIgnoreCase(address.getHostString());
        }
        return ip.isLoopbackAddress() || ip.isAnyLocalAddress();
    }
}
