package io.ringline.uring;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;
import io.ringline.CloseReason;
import io.ringline.spi.ConnectionCore;
import io.ringline.spi.OutboundQueue;
import io.ringline.spi.Transport;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A TCP connection on a worker's ring. Receives with multishot {@code RECV} from the worker's
 * provided buffer ring (or single-shot into its own buffer when the buffer ring is off); sends one
 * operation at a time from the head of the send queue: a region entry as {@code SEND_ZC} from the
 * kernel's fixed buffer, otherwise up to {@link UringFeatures#maxIov()} entries gathered with {@code SENDMSG}
 * (or a single {@code SEND}). Partial sends resubmit the rest.
 *
 * <p>Memory the kernel may still read is never released early: the send queue is
 * {@linkplain OutboundQueue#retain() retained} while a send is in flight and once per outstanding
 * zero-copy notification, so finished entries are kept until then, and the socket is closed
 * and the connection's native memory freed only after every completion arrived (pending
 * operations are cancelled with {@code ASYNC_CANCEL}).
 *
 * <p>Received bytes are shown to the core in place, through a read-only view: from the provided
 * buffer with its {@link ProvidedBuffer} (which the core may borrow for {@code sendReceived}), or
 * from the connection's own buffer (nothing to lend). The receive operations never change, so
 * they are built once (with and without POLL_FIRST) and resubmitted; sends take the entries'
 * addresses from {@link OutboundQueue#address(int)}. Everything runs on the worker thread.
 */
final class UringConnection implements Transport {

    private static final short RECV = 1;
    private static final short SEND = 2;
    private static final short SEND_ZC = 3;
    private static final short CANCEL = 4;

    private final UringWorkerIo io;
    private final ConnectionCore core;
    /** The receive buffer when the buffer ring is off (the kernel writes here), else null. */
    private final ByteBuffer ownRecvBuffer;
    /** A read-only twin of {@link #ownRecvBuffer}, shown to the core. */
    private final ByteBuffer ownRecvView;
    /** The receive operation, built once: [0] without, [1] with POLL_FIRST. */
    private final IoUringIoOps[] recvOps = new IoUringIoOps[2];
    private int fd;
    private IoRegistration registration;
    private MemorySegment iov;
    private boolean recvArmed;
    private long recvId;
    private boolean readPaused;
    private boolean endOfStream;
    private boolean sendInFlight;
    /**
     * The last send completed with EAGAIN (the socket buffer was full and the kernel did not wait):
     * the next one asks the kernel to wait for writability first (IORING_RECVSEND_POLL_FIRST), so
     * the retry neither spins nor fails the connection.
     */
    private boolean sendPollFirst;
    /** Like {@link #sendPollFirst}, for a receive that completed with EAGAIN. */
    private boolean recvPollFirst;
    /** The head entry went out partly as a zero-copy send: its rest stays zero-copy, however short. */
    private boolean zcHeadPartial;
    private int zcNotifs;
    private boolean ioClosed;
    /** Set while queued for a receive re-arm after ENOBUFS (see {@link UringWorkerIo#starved}). */
    boolean starved;

    /** The handle registered with the ring (a separate object: IoHandle.close() is not Connection.close()). */
    private final IoUringIoHandle handle = new IoUringIoHandle() {
        @Override
        public void handle(IoRegistration reg, IoEvent event) {
            IoUringIoEvent e = (IoUringIoEvent) event;
            int res = e.res();
            int flags = e.flags();
            try {
                switch ((short) e.userData()) {
                    case RECV -> onRecv(res, flags);
                    case SEND -> onSend(res, flags, false);
                    case SEND_ZC -> onSend(res, flags, true);
                    default -> { } // CANCEL
                }
            } catch (Throwable bug) {
                // Netty rethrows Errors out of the ring and logs (and sleeps on) anything else: contain
                // it here. Never lose bytes silently: a failure while processing a completion ends the
                // connection; only a VirtualMachineError goes on to terminate the worker.
                if (bug instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
                if (!core.isClosed()) {
                    core.failed(CloseReason.ERROR, bug);
                }
            }
            closeSocketIfIdle();
        }

        /** Every completion of this connection arrived (after {@link #close(boolean)} cancelled the registration). */
        @Override
        public void unregistered() {
            recvArmed = false;
            if (sendInFlight) {
                sendInFlight = false;
                core.outbound().release();
            }
            for (; zcNotifs > 0; zcNotifs--) {
                core.outbound().release();
            }
            ioClosed = true;
            closeSocketIfIdle();
            if (iov != null) {
                io.returnIovMemory(iov);
                iov = null;
            }
            io.connectionGone(UringConnection.this);
        }

        /** Called by Netty when the ring is torn down with this connection still registered. */
        @Override
        public void close() {
            if (!core.isClosed()) {
                core.failed(CloseReason.SHUTDOWN, null);
            }
        }
    };

    UringConnection(UringWorkerIo io, int fd, InetSocketAddress local, InetSocketAddress remote,
                    java.util.concurrent.CompletableFuture<io.ringline.Connection> connect) {
        this.io = io;
        this.fd = fd;
        this.ownRecvBuffer = io.bufferRing() == null ? ByteBuffer.allocateDirect(io.worker().config().recvBufferSize()) : null;
        this.ownRecvView = ownRecvBuffer == null ? null : ownRecvBuffer.asReadOnlyBuffer();
        this.core = io.worker().newConnection(this, local, remote, connect);
    }

    /** {@return the core's side of this connection} */
    ConnectionCore core() {
        return core;
    }

    /** Sets the ring registration of {@link #handle()}; called before the connection is used. */
    void attach(IoRegistration registration) {
        this.registration = registration;
    }

    // ---------------------------------------------------------------- receive

    /** Arms the receive (multishot with the buffer ring, else one single-shot receive). */
    void armRecv() {
        if (ioClosed || recvArmed || readPaused || endOfStream) {
            return;
        }
        recvId = submit(recvOp(recvPollFirst));
        recvArmed = recvId != 0;
    }

    /** {@return the receive operation of this connection, built on first use (its fields never change)} */
    private IoUringIoOps recvOp(boolean pollFirst) {
        int i = pollFirst ? 1 : 0;
        IoUringIoOps op = recvOps[i];
        if (op == null) {
            BufferRing ring = io.bufferRing();
            op = ring != null
                    ? Sqe.recvMultishot(fd, ring.groupId(), pollFirst, RECV)
                    : Sqe.recv(fd, MemorySegment.ofBuffer(ownRecvBuffer).address(), ownRecvBuffer.capacity(), pollFirst, RECV);
            recvOps[i] = op;
        }
        return op;
    }

    /** Pausing cancels the receive (the kernel then leaves bytes in the socket: TCP flow control); resuming re-arms it. */
    @Override
    public void readingPausedChanged(boolean paused) {
        readPaused = paused;
        if (!paused) {
            armRecv();
        } else if (recvArmed && !ioClosed) {
            submit(Sqe.cancel(recvId, CANCEL));
        }
    }

    private void onRecv(int res, int flags) {
        if ((flags & Uring.IORING_CQE_F_MORE) == 0) {
            recvArmed = false;
        }
        BufferRing ring = io.bufferRing();
        if (res > 0) {
            recvPollFirst = false;
            if ((flags & Uring.IORING_CQE_F_BUFFER) != 0) {
                int bid = flags >>> Uring.IORING_CQE_BUFFER_SHIFT;
                ProvidedBuffer memory = ring.deliver(bid);
                try {
                    if (!ioClosed) {
                        core.received(ring.received(bid, res), memory);
                    }
                } finally {
                    memory.deliveryOver(); // back to the ring unless the core borrowed it
                }
            } else if (!ioClosed) {
                core.received(ownRecvView.clear().limit(res), null);
            }
            if (!recvArmed && !ioClosed) {
                armRecv();
            }
        } else if (res == 0) {
            endOfStream = true;
            if (!ioClosed) {
                core.inputEnded();
            }
        } else if (-res == Sys.ENOBUFS) {
            io.worker().stats().recvBufferExhausted();
            if (!ioClosed) {
                io.starved(this);
            }
        } else if (-res == Sys.ECANCELED) {
            armRecv(); // cancelled by a pause that was lifted meanwhile (a no-op if closed or still paused)
        } else if (-res == Sys.EAGAIN) {
            recvPollFirst = true; // nothing to read after all: wait for readability, never spin
            armRecv();
        } else if (!ioClosed) {
            fail("recv", res);
        }
    }

    // ---------------------------------------------------------------- send

    @Override
    public void flush() {
        if (sendInFlight || ioClosed) {
            return;
        }
        OutboundQueue queue = core.outbound();
        if (queue.isEmpty()) {
            return;
        }
        if (zeroCopy(queue, 0)) {
            ByteBuffer b = queue.buffer(0);
            IoUringIoOps op = Sqe.sendZcFixed(fd, queue.address(0), b.remaining(), Uring.MSG_NOSIGNAL, (short) queue.regionSlot(0),
                    sendPollFirst, SEND_ZC);
            if (submit(op) != 0) {
                zcHeadPartial = true;
                sendInFlight = true;
                queue.retain(); // until the send's completion: the kernel reads the entry's memory
            }
            return;
        }
        if (iov == null) {
            iov = io.takeIovMemory();
        }
        int n = 0;
        int maxIov = io.features().maxIov();
        for (int size = queue.size(); n < size && n < maxIov; ) {
            if (n > 0 && zeroCopy(queue, n)) {
                break;
            }
            ByteBuffer b = queue.buffer(n);
            long base = KernelStructs.iovecAt(n);
            iov.set(JAVA_LONG, base + KernelStructs.IOV_BASE, queue.address(n));
            iov.set(JAVA_LONG, base + KernelStructs.IOV_LEN, b.remaining());
            n++;
        }
        IoUringIoOps op;
        if (n == 1) {
            long first = KernelStructs.iovecAt(0);
            op = Sqe.send(fd, iov.get(JAVA_LONG, first + KernelStructs.IOV_BASE),
                    (int) iov.get(JAVA_LONG, first + KernelStructs.IOV_LEN), Uring.MSG_NOSIGNAL, sendPollFirst, SEND);
        } else {
            // struct msghdr: name, namelen, iov, iovlen, control, controllen, flags; only iov and
            // iovlen are ever set, the rest stays as allocated (zero)
            iov.set(JAVA_LONG, KernelStructs.MSG_IOV, iov.address() + KernelStructs.iovecAt(0));
            iov.set(JAVA_LONG, KernelStructs.MSG_IOVLEN, n);
            op = Sqe.sendmsg(fd, iov.address(), Uring.MSG_NOSIGNAL, sendPollFirst, SEND);
        }
        if (submit(op) != 0) {
            sendInFlight = true;
            queue.retain(); // until the send's completion: the kernel reads the entries' memory
        }
    }

    /** {@return whether entry {@code index} goes out as a zero-copy send from the kernel's fixed buffer} */
    private boolean zeroCopy(OutboundQueue queue, int index) {
        if (index == 0 && zcHeadPartial) {
            return true; // the rest of a partly written zero-copy send stays zero-copy, however short
        }
        int slot = queue.regionSlot(index);
        UringFeatures features = io.features();
        return slot >= 0 && features.sendZc() && io.hasFixedSlot(slot)
                && queue.buffer(index).remaining() >= features.sendZcThreshold();
    }

    private void onSend(int res, int flags, boolean zc) {
        OutboundQueue queue = core.outbound();
        if (zc && (flags & Uring.IORING_CQE_F_NOTIF) != 0) {
            zcNotifs--;
            queue.release(); // the kernel no longer reads the memory of that zero-copy send
            return;
        }
        if (zc && (flags & Uring.IORING_CQE_F_MORE) != 0) {
            zcNotifs++;
            queue.retain(); // a notification follows: the kernel may still read the memory until then
        }
        sendInFlight = false;
        if (ioClosed) {
            queue.release();
            return;
        }
        if (-res == Sys.EAGAIN) {
            // The socket buffer was full and the kernel gave up instead of waiting (seen with slow
            // readers): nothing was written; resend once the socket is writable.
            queue.release();
            sendPollFirst = true;
            flush();
            return;
        }
        if (res < 0) {
            queue.release();
            if (-res != Sys.ECANCELED) {
                fail("send", res);
            }
            return;
        }
        sendPollFirst = false;
        if (zc && res > 0 && res == queue.buffer(0).remaining()) {
            io.worker().stats().zeroCopySent(); // a fixed-buffer send, written whole
        }
        if (zc && res == queue.buffer(0).remaining()) {
            zcHeadPartial = false; // written whole: the next entry decides for itself
        }
        core.written(res);
        queue.release();
        if (!queue.isEmpty()) {
            flush();
        }
        core.flushed();
    }

    // ---------------------------------------------------------------- shutdown and close

    @Override
    public void shutdownOutput() {
        int r = Sys.shutdown(fd, Sys.SHUT_WR);
        if (r < 0 && -r != Sys.ENOTCONN) {
            fail("shutdown", r);
        }
    }

    @Override
    public void close(boolean reset) {
        if (ioClosed) {
            return;
        }
        ioClosed = true;
        io.unstarve(this);
        if (reset || sendInFlight) {
            // Queued bytes are being dropped (abort, error, grace period over): reset instead of a
            // FIN behind unsent data, so that the peer cannot take a truncated stream for a whole
            // one, and the kernel frees the send buffer, and with it any region pages a zero-copy
            // send still references, now rather than when the peer reads.
            Sys.setLingerZero(fd);
        }
        if ((recvArmed || sendInFlight) && registration.isValid()) {
            submit(Sqe.cancelAllOnFd(fd, CANCEL));
        }
        closeSocketIfIdle();
        registration.cancel(); // Netty calls unregistered() once every outstanding completion arrived
    }

    /** Closes the socket once nothing but zero-copy notifications is outstanding. */
    private void closeSocketIfIdle() {
        if (ioClosed && !recvArmed && !sendInFlight && fd >= 0) {
            Sys.close(fd);
            fd = -1;
        }
    }

    private void fail(String op, int res) {
        IOException e = Sys.error(op + " on " + this, res);
        int errno = -res;
        core.failed(errno == Sys.ECONNRESET || errno == Sys.EPIPE ? CloseReason.RESET : CloseReason.ERROR, e);
    }

    private long submit(IoUringIoOps op) {
        long id = registration.submit(op);
        if (id != 0) {
            io.submitted();
        }
        return id;
    }

    // ---------------------------------------------------------------- completions

    /** {@return the handle to register with the ring} */
    IoUringIoHandle handle() {
        return handle;
    }

}
