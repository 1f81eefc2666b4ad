package io.ringline.testkit;

import io.ringline.spi.AcceptSink;
import io.ringline.spi.AcceptedSocket;
import io.ringline.spi.Listener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A port of the {@link TestkitNetwork} and its accepting thread: connections wait in a backlog of
 * the configured size (a connect to a full backlog is refused), and the thread hands them to the
 * runtime's {@link AcceptSink}, waiting while every worker is full.
 *
 * <p>Thread-safe. {@link #close()} frees the port at once and stops the thread without waiting
 * for it; connections still in the backlog are reset (as a kernel does); {@link #closed()}
 * completes when the thread has ended.
 */
final class TestkitListener implements Listener {

    private static final Logger log = LoggerFactory.getLogger(TestkitListener.class);

    private final InetSocketAddress localAddress;
    private final TestkitSettings settings;
    private final AcceptSink sink;
    private final BlockingQueue<Accepted> backlog;
    private final Thread acceptor;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** Guarded by {@code this}: set once, then no connection enters the backlog. */
    private boolean closing;

    TestkitListener(InetSocketAddress address, int backlog, AcceptSink sink, TestkitSettings settings)
            throws BindException {
        this.settings = settings;
        this.sink = sink;
        this.backlog = new ArrayBlockingQueue<>(backlog);
        this.localAddress = TestkitNetwork.bind(address, this);
        this.acceptor = new Thread(this::acceptLoop, "ringline-testkit-acceptor-" + localAddress.getPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    TestkitSettings settings() {
        return settings;
    }

    /**
     * Puts the server end of a new connection in the backlog.
     *
     * @throws ConnectException "Connection refused" if the listener closed or the backlog is full
     */
    synchronized void enqueue(Endpoint server) throws ConnectException {
        if (closing) {
            throw new ConnectException("Connection refused: the testkit listener on " + localAddress + " closed");
        }
        if (!backlog.offer(new Accepted(server))) {
            throw new ConnectException("Connection refused: the backlog of the testkit listener on " + localAddress
                    + " is full (" + (backlog.size() + backlog.remainingCapacity()) + " connections)");
        }
    }

    private void acceptLoop() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                if (!sink.dispatch(backlog.take())) {
                    return; // the runtime stopped accepting; the sink closed the socket
                }
            }
        } catch (InterruptedException e) {
            // close() stops the thread
        } catch (RuntimeException | Error e) {
            log.error("ringline: the testkit listener on {} stopped accepting", localAddress, e);
            throw e;
        } finally {
            synchronized (this) {
                closing = true;
            }
            TestkitNetwork.unbind(localAddress, this);
            Accepted left;
            while ((left = backlog.poll()) != null) {
                left.end.reset();
            }
            closed.complete(null);
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public void close() {
        synchronized (this) {
            closing = true;
        }
        TestkitNetwork.unbind(localAddress, this);
        acceptor.interrupt();
    }

    @Override
    public CompletionStage<Void> closed() {
        return closed;
    }

    @Override
    public String toString() {
        return "TestkitListener[" + localAddress + "]";
    }

    /** The server end of a connection on its way from the backlog to a worker. */
    record Accepted(Endpoint end) implements AcceptedSocket {

        /** Closes it unserved: the peer reads the end of stream (or a reset if it had written). */
        @Override
        public void close() {
            end.close();
        }
    }
}
