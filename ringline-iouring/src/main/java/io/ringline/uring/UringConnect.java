package io.ringline.uring;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.ringline.Connection;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * One outbound connect: a non-blocking socket and an io_uring {@code CONNECT}. On success the
 * socket becomes a {@link UringConnection}; on failure, or after {@link #abort()} (timeout,
 * shutdown), the socket is closed once the kernel returned the operation, and the address memory
 * freed. Runs on the worker thread.
 */
final class UringConnect implements IoUringIoHandle {

    private static final short CONNECT = 1;
    private static final short CANCEL = 2;

    private final UringWorkerIo io;
    private final InetSocketAddress remote;
    private final CompletableFuture<Connection> result;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment sockaddr;
    private final int addressLength;
    private int fd;
    private IoRegistration registration;
    private long connectId;
    private boolean done;
    private boolean aborted;

    /**
     * Creates the socket.
     *
     * @throws IOException if the socket cannot be created or the address is unresolved
     */
    UringConnect(UringWorkerIo io, InetSocketAddress remote, CompletableFuture<Connection> result) throws IOException {
        this.io = io;
        this.remote = remote;
        this.result = result;
        try {
            this.sockaddr = arena.allocate(KernelStructs.SOCKADDR_STORAGE);
            this.addressLength = Sys.encodeSockaddr(remote, sockaddr);
            int s = Sys.socket(remote.getAddress() instanceof java.net.Inet6Address ? Sys.AF_INET6 : Sys.AF_INET);
            if (s < 0) {
                throw Sys.error("socket", s);
            }
            this.fd = s;
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Submits the connect on {@code reg}. */
    void start(IoRegistration reg) {
        this.registration = reg;
        connectId = reg.submit(Sqe.connect(fd, sockaddr.address(), addressLength, CONNECT));
        io.submitted();
    }

    /** Aborts the attempt if it is still pending: cancels the operation; the socket is closed on its completion. */
    void abort() {
        if (done || aborted) {
            return;
        }
        aborted = true;
        registration.submit(Sqe.cancel(connectId, CANCEL));
        io.submitted();
    }

    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        IoUringIoEvent e = (IoUringIoEvent) event;
        if ((short) e.userData() != CONNECT) {
            return;
        }
        done = true;
        int res = e.res();
        int s = fd;
        fd = -1;
        registration.cancel();
        if (res < 0 || aborted || result.isDone()) {
            Sys.close(s);
            if (!result.isDone()) {
                String why = -res == Sys.ECANCELED ? "aborted" : Sys.strerror(-res);
                result.completeExceptionally(new ConnectException("connect to " + remote + " failed: " + why));
            }
            return;
        }
        try {
            result.complete(io.open(s, result).core().connection());
        } catch (IOException | RuntimeException ex) {
            result.completeExceptionally(ex);
        }
    }

    @Override
    public void unregistered() {
        if (fd >= 0) {
            Sys.close(fd);
            fd = -1;
        }
        arena.close();
        io.connectGone();
    }

    /** Called by Netty when the ring is torn down with this attempt pending. */
    @Override
    public void close() {
        abort();
        registration.cancel();
    }
}
