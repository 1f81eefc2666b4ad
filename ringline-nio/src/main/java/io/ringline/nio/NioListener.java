package io.ringline.nio;

import io.ringline.spi.AcceptSink;
import io.ringline.spi.Listener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A listening socket with its own acceptor thread, which accepts in blocking mode and hands each
 * socket to a worker through the {@link AcceptSink} (waiting while every worker is full, so
 * excess connections wait in the kernel's backlog).
 *
 * <p>Thread-safe: {@link #close()} only closes the channel, which wakes an acceptor blocked in
 * {@code accept} (the JDK closes the descriptor once that thread left the call); the acceptor then
 * ends and completes {@link #closed()}.
 */
final class NioListener implements Listener {

    private static final Logger log = LoggerFactory.getLogger(NioListener.class);

    private final ServerSocketChannel server;
    private final InetSocketAddress localAddress;
    private final AcceptSink sink;
    private final Thread acceptor;
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
    private volatile boolean closed;

    NioListener(InetSocketAddress address, int backlog, AcceptSink sink) throws IOException {
        this.sink = sink;
        this.server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(address, backlog);
            this.localAddress = (InetSocketAddress) server.getLocalAddress();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        this.acceptor = new Thread(this::acceptLoop, "ringline-acceptor-" + localAddress.getPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop() {
        try {
            accept();
        } finally {
            try {
                server.close(); // no-op after close(); closes it if the loop ended on its own
            } catch (IOException e) {
                log.debug("ringline: closing listener {} failed", localAddress, e);
            }
            closedFuture.complete(null);
        }
    }

    private void accept() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                log.warn("ringline: accept on {} failed", localAddress, e);
                continue; // e.g. EMFILE: keep the listener alive
            }
            try {
                if (!sink.dispatch(new NioAcceptedSocket(ch))) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Closes the channel (waking the acceptor) without waiting for the acceptor to end. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            log.debug("ringline: closing listener {} failed", localAddress, e);
        }
    }

    @Override
    public CompletionStage<Void> closed() {
        return closedFuture;
    }

    @Override
    public String toString() {
        return "NioListener[" + localAddress + "]";
    }
}
