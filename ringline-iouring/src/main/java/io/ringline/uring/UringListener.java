package io.ringline.uring;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;
import io.ringline.spi.AcceptSink;
import io.ringline.spi.Listener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A listening socket served by a dedicated acceptor thread with its own small ring and one
 * multishot {@code ACCEPT}. Accepted sockets (as {@code Integer} fds) go to
 * {@link AcceptSink#dispatch}, which blocks the acceptor while every worker is full; the
 * ring (DEFER_TASKRUN) completes no further accepts meanwhile, so pending connections wait in the
 * kernel's listen backlog: backpressure, nothing dropped.
 *
 * <p>Thread-safe: {@link #close()} may be called from any thread and does not wait. It shuts the
 * listening socket down for reading, which makes the kernel stop listening at once (new
 * connections are refused, the multishot accept ends) and wakes the ring; the acceptor thread then
 * tears its ring down, closes the socket and completes {@link #closed()}. {@link #lock} makes sure
 * {@code close()} never touches the descriptor or the ring once the acceptor began releasing them
 * (a closed descriptor number may already belong to someone else).
 */
final class UringListener implements Listener {

    private static final Logger log = LoggerFactory.getLogger(UringListener.class);
    private static final short ACCEPT = 1;
    private static final short CANCEL = 2;
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final int fd;
    private final InetSocketAddress localAddress;
    private final AcceptSink sink;
    private final Thread thread;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
    /** Guards {@link #released}: {@link #close()} uses {@link #fd} and {@link #ring} only while it is false. */
    private final Object lock = new Object();
    private boolean released;
    private volatile boolean closing;
    private volatile NettyRing ring;
    private IoRegistration registration;
    private long acceptId;
    private boolean armed;

    /**
     * Binds, listens and starts the acceptor thread.
     *
     * @throws IOException if binding fails or the acceptor ring cannot be created
     */
    UringListener(InetSocketAddress address, int backlog, AcceptSink sink, String threadName) throws IOException {
        this.sink = sink;
        int s = Sys.socket(address.getAddress() instanceof Inet6Address ? Sys.AF_INET6 : Sys.AF_INET);
        if (s < 0) {
            throw Sys.error("socket", s);
        }
        this.fd = s;
        try {
            Sys.setIntOption(fd, Sys.SOL_SOCKET, Sys.SO_REUSEADDR, 1);
            int r = Sys.bind(fd, address);
            if (r < 0) {
                throw Sys.error("bind " + address, r);
            }
            r = Sys.listen(fd, backlog);
            if (r < 0) {
                throw Sys.error("listen " + address, r);
            }
            this.localAddress = Sys.address(fd, false);
        } catch (IOException | RuntimeException e) {
            Sys.close(fd);
            throw e;
        }
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
        try {
            started.join();
        } catch (java.util.concurrent.CompletionException e) {
            Sys.close(fd);
            throw new IOException("cannot start the acceptor of " + localAddress + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    private void run() {
        NettyRing r;
        try {
            r = new NettyRing(16, tasks::add);
            registration = r.register(new Acceptor());
        } catch (IOException | RuntimeException e) {
            synchronized (lock) {
                released = true; // the constructor closes the socket and throws
            }
            started.completeExceptionally(e);
            closedFuture.complete(null);
            return;
        }
        ring = r;
        started.complete(null);
        try {
            arm();
            while (!closing) {
                r.run(armed ? -1 : RETRY_NANOS);
                Runnable t;
                while ((t = tasks.poll()) != null) {
                    t.run();
                }
                if (!armed && !closing) {
                    arm();
                }
            }
        } catch (Throwable t) {
            log.error("acceptor of {} died", localAddress, t);
        } finally {
            synchronized (lock) {
                released = true;
            }
            r.close(); // cancels the accept (see Acceptor.close()) and drains it; late accepted sockets are closed
            Sys.close(fd);
            closedFuture.complete(null);
        }
    }

    private void arm() {
        acceptId = registration.submit(new IoUringIoOps(Uring.OP_ACCEPT, (byte) 0, Uring.IORING_ACCEPT_MULTISHOT, fd,
                0, 0, 0, Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC, ACCEPT, (short) 0, (short) 0, 0, 0));
        armed = acceptId != 0;
    }

    /** The multishot accept on the acceptor ring. */
    private final class Acceptor implements IoUringIoHandle {
        @Override
        public void handle(IoRegistration reg, IoEvent event) {
            IoUringIoEvent e = (IoUringIoEvent) event;
            if ((short) e.userData() != ACCEPT) {
                return;
            }
            if ((e.flags() & Uring.IORING_CQE_F_MORE) == 0) {
                armed = false;
            }
            int res = e.res();
            if (res >= 0) {
                if (closing) {
                    Sys.close(res);
                    return;
                }
                try {
                    sink.dispatch(new UringAcceptedSocket(res));
                } catch (InterruptedException ie) {
                    closing = true; // the dispatcher closed the socket
                }
            } else if (-res != Sys.ECANCELED && !closing) {
                log.warn("accept on {} failed: {}; retrying", localAddress, Sys.strerror(-res));
            }
        }

        /** Called by Netty while the acceptor ring is torn down: cancels the pending accept. */
        @Override
        public void close() {
            if (armed) {
                registration.submit(new IoUringIoOps(Uring.OP_ASYNC_CANCEL, (byte) 0, (short) 0, -1, 0, acceptId, 0, 0,
                        CANCEL, (short) 0, (short) 0, 0, 0));
            }
            registration.cancel();
        }
    }

    /**
     * Stops listening at once and wakes the acceptor thread, which then closes the socket and
     * completes {@link #closed()}; does not wait for it. Idempotent.
     */
    @Override
    public void close() {
        closing = true;
        synchronized (lock) {
            if (released) {
                return;
            }
            int r = Sys.shutdown(fd, Sys.SHUT_RD);
            if (r < 0) {
                log.debug("shutting down listener {} failed: {}", localAddress, Sys.strerror(-r));
            }
            NettyRing ringNow = ring;
            if (ringNow != null) {
                ringNow.wakeup();
            }
        }
    }

    @Override
    public CompletionStage<Void> closed() {
        return closedFuture;
    }

    @Override
    public String toString() {
        return "io_uring listener " + localAddress;
    }
}
