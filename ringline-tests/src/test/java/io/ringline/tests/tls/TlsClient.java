package io.ringline.tests.tls;

import io.ringline.internal.PemFiles;
import io.ringline.testkit.TestPeer;
import io.ringline.tests.support.BackendSpec;
import io.ringline.tests.support.Backends;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.SocketClient;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;

/**
 * A blocking JDK {@link SSLSocket} client of a ringline TLS listener, on every backend: layered on
 * a {@link java.net.Socket} where the backend has OS sockets, on a {@link PeerSocket} over the
 * testkit's in-memory peer otherwise. The handshake runs on the first read or write, or on
 * {@link #handshake()}. Reads have the suite's deadline ({@link Client#READ_TIMEOUT_MS}).
 *
 * <p>The test JVM runs with {@code com.sun.net.ssl.requireCloseNotify=true} (ringline-tests'
 * pom): a TCP end of stream without {@code close_notify} is an {@link javax.net.ssl.SSLException}
 * here, not a clean end, so a test can tell a TLS close from a TCP close.
 */
public final class TlsClient implements Client {

    /** System property that makes the JDK's SSLSocket refuse a TCP end of stream without close_notify. */
    public static final String REQUIRE_CLOSE_NOTIFY = "com.sun.net.ssl.requireCloseNotify";

    private final SSLSocket socket;
    private final Socket transport;

    private TlsClient(SSLSocket socket, Socket transport) {
        this.socket = socket;
        this.transport = transport;
    }

    /** What the client offers. */
    public static final class Options {
        private final List<String> protocols = new ArrayList<>();
        private final List<String> alpn = new ArrayList<>();
        private Path trusted = TlsProviders.file("server.crt");
        private boolean clientCertificate;
        private String serverName;
        private int receiveBuffer;

        /** {@return the defaults: trust server.crt, TLS 1.3 and 1.2, no ALPN, no client certificate} */
        public static Options defaults() {
            return new Options();
        }

        /** Enables only {@code versions} (e.g. {@code TLSv1.2}). */
        public Options protocols(String... versions) {
            protocols.addAll(List.of(versions));
            return this;
        }

        /** Offers ALPN {@code names}. */
        public Options alpn(String... names) {
            alpn.addAll(List.of(names));
            return this;
        }

        /** Trusts only {@code certificate} (a file of the test certificates, e.g. {@code other.crt}). */
        public Options trusting(String certificate) {
            trusted = TlsProviders.file(certificate);
            return this;
        }

        /** Presents client.crt when the server asks for a certificate. */
        public Options clientCertificate() {
            clientCertificate = true;
            return this;
        }

        /** Asks for {@code name} with SNI. */
        public Options serverName(String name) {
            serverName = name;
            return this;
        }

        /** A socket receive buffer of {@code bytes} (OS sockets only; set before connecting). */
        public Options receiveBuffer(int bytes) {
            receiveBuffer = bytes;
            return this;
        }
    }

    /** {@return a client with {@link Options#defaults()} connected to {@code address} (handshake not yet done)} */
    public static TlsClient connect(BackendSpec spec, InetSocketAddress address) throws IOException {
        return connect(spec, address, Options.defaults());
    }

    /** {@return a client with {@code options} connected to {@code address} (handshake not yet done)} */
    public static TlsClient connect(BackendSpec spec, InetSocketAddress address, Options options) throws IOException {
        if (!"true".equals(System.getProperty(REQUIRE_CLOSE_NOTIFY))) {
            throw new AssertionError("the TLS tests need -D" + REQUIRE_CLOSE_NOTIFY
                    + "=true (set in ringline-tests' pom) to tell a close_notify from a TCP close");
        }
        Socket transport = Backends.hasOsSockets(spec)
                ? SocketClient.connect(address, options.receiveBuffer).socket()
                : new PeerSocket(TestPeer.connect(address));
        try {
            SSLContext ctx = context(options);
            String host = options.serverName != null ? options.serverName : "localhost";
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(transport, host, address.getPort(), true);
            SSLParameters p = s.getSSLParameters();
            if (!options.protocols.isEmpty()) {
                p.setProtocols(options.protocols.toArray(String[]::new));
            }
            if (!options.alpn.isEmpty()) {
                p.setApplicationProtocols(options.alpn.toArray(String[]::new));
            }
            if (options.serverName != null) {
                p.setServerNames(List.of(new SNIHostName(options.serverName)));
            }
            s.setSSLParameters(p);
            s.setSoTimeout(READ_TIMEOUT_MS);
            return new TlsClient(s, transport);
        } catch (IOException | RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    private static SSLContext context(Options options) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(options.clientCertificate
                            ? TlsProviders.keyManagers(TlsProviders.file("client.crt"), TlsProviders.file("client.key"))
                            : null,
                    PemFiles.trustManagers(options.trusted), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new AssertionError("cannot build the client context: " + e, e);
        }
    }

    /** {@return the TLS socket} */
    public SSLSocket socket() {
        return socket;
    }

    /** Runs the handshake now (it runs on the first read or write otherwise). */
    public TlsClient handshake() throws IOException {
        socket.startHandshake();
        return this;
    }

    @Override
    public InputStream input() throws IOException {
        return socket.getInputStream();
    }

    @Override
    public OutputStream output() throws IOException {
        return socket.getOutputStream();
    }

    /** Sends close_notify and shuts the TCP output down (TLS 1.3 half-close). */
    @Override
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Resets the TCP connection without close_notify. */
    @Override
    public void reset() throws IOException {
        if (transport instanceof PeerSocket peer) {
            peer.reset();
        } else {
            transport.setSoLinger(true, 0);
            transport.close();
        }
    }

    @Override
    public String toString() {
        return "TlsClient[" + transport + "]";
    }
}
