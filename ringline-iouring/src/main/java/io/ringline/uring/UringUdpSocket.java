package io.ringline.uring;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;
import io.ringline.spi.DatagramQueue;
import io.ringline.spi.UdpCore;
import io.ringline.spi.UdpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A UDP socket on a worker's ring.
 *
 * <p><b>Receive:</b> one multishot {@code RECVMSG} from a provided buffer ring of the socket's own
 * (its own buffer group, {@link IoUringOptions#UDP_BUFFER_COUNT} buffers). Each buffer holds an
 * {@code io_uring_recvmsg_out}, the sender's address, the control messages ({@code SO_RXQ_OVFL}
 * drop count, {@code UDP_GRO} segment size) and the payload; a coalesced payload is split into its
 * datagrams. Each datagram is shown to the core in place through the buffer's reused read-only
 * view, and the buffer goes back to the ring right after. The sender address comes from a
 * {@link UdpSenderCache}: nothing is allocated per datagram in steady state. When the buffers run
 * out ({@code ENOBUFS}) the receive is re-armed once the worker's completion batch is over (the
 * buffers are back by then), never in a loop.
 *
 * <p><b>Send:</b> the head entries of the core's queue go out as {@code SENDMSG}s, up to
 * {@link #MAX_SENDS} in flight, each from a pre-allocated slot holding its {@code msghdr}, {@code
 * iovec}, target address and {@code UDP_SEGMENT} control message; the payload is read in place
 * (pooled copies or region memory alike). Completions may arrive in any order; they are reported to
 * the core in queue order. {@code EAGAIN} resubmits the same slot with {@code POLL_FIRST} (the
 * kernel waits for writability). A send's memory stays valid until its completion: at close with
 * sends in flight the queue is {@linkplain DatagramQueue#retain() retained} until they completed.
 *
 * <p><b>Close:</b> cancels every operation on the socket; once Netty reports the last completion
 * ({@code unregistered}) the fd is closed, the buffer ring unregistered and the native memory freed.
 *
 * <p>IPv6 sockets are dual-stack ({@code IPV6_V6ONLY} off, as Java's {@code DatagramChannel}):
 * IPv4 peers appear as {@link java.net.Inet4Address}es and IPv4 targets are sent v4-mapped.
 *
 * <p>Threading: worker thread only.
 */
final class UringUdpSocket implements UdpTransport {

    private static final Logger log = LoggerFactory.getLogger(UringUdpSocket.class);

    /** Sends in flight per socket at most (a power of two). */
    static final int MAX_SENDS = 32;
    /** The payload area of a receive buffer with {@code UDP_GRO}: the largest coalesced receive. */
    static final int GRO_PAYLOAD = 65_536;

    private static final short RECV = 1;
    private static final short CANCEL = 2;
    /** User data of a send: this plus its slot. */
    private static final short SEND = 16;

    /** Bytes reserved for the sender's address in each receive buffer: a {@code sockaddr_in6}, rounded to 8. */
    private static final int NAME_SPACE = 32;
    /** Bytes reserved for control messages in each receive buffer: {@code UDP_GRO} and {@code SO_RXQ_OVFL} (24 each). */
    private static final int CONTROL_SPACE = 64;
    private static final int OUT_SIZE = (int) KernelStructs.IO_URING_RECVMSG_OUT.byteSize();
    /** Where the payload starts in a receive buffer. */
    static final int PAYLOAD_OFFSET = OUT_SIZE + NAME_SPACE + CONTROL_SPACE;

    private static final long SLOT_IOV = KernelStructs.MSGHDR_SIZE;
    private static final long SLOT_NAME = SLOT_IOV + KernelStructs.IOVEC_SIZE;
    private static final long SLOT_CMSG = SLOT_NAME + NAME_SPACE;
    private static final long SEGMENT_CMSG_SPACE = KernelStructs.cmsgSpace(2);
    private static final long SLOT_SIZE = SLOT_CMSG + SEGMENT_CMSG_SPACE;

    private final UringWorkerIo io;
    private final UdpCore core;
    private final Arena arena;
    private final boolean ipv6;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final boolean gso;
    private final boolean gro;
    private final int maxDatagram;
    private final int payloadArea;
    private final short groupId;
    private final BufferRing buffers;
    private final IoUringIoOps recvOp;
    private final UdpSenderCache senders = new UdpSenderCache();
    private final UdpTargetEncoder targets;
    private final MemorySegment sendSlots;
    private final int[] sendResults = new int[MAX_SENDS];
    private final boolean[] sendDone = new boolean[MAX_SENDS];
    private int fd;
    private IoRegistration registration;
    private boolean recvArmed;
    /** Queue entries submitted and not yet reported to the core: the first {@code inFlight} of the queue. */
    private int inFlight;
    /** The slot of queue entry 0 (while {@link #inFlight} {@code > 0}). */
    private int headSlot;
    /** Send SQEs whose completion has not arrived. */
    private int sendsPending;
    private boolean reporting;
    private long buffersDelivered;
    private boolean retained;
    private boolean closed;
    private boolean gone;
    /** Set while queued for a receive re-arm after ENOBUFS (see {@link UringWorkerIo#starved(UringUdpSocket)}). */
    boolean starved;

    /**
     * Creates, configures, binds and (with {@code remote}) connects the socket, and sets up its
     * buffer ring in buffer group {@code groupId}. Does not register with the ring.
     *
     * @throws IOException naming the address and the errno if a step fails (the socket is then closed)
     */
    UringUdpSocket(UringWorkerIo io, UdpCore core, InetSocketAddress local, InetSocketAddress remote, boolean reusePort,
                   short groupId) throws IOException {
        this.io = io;
        this.core = core;
        this.remote = remote;
        this.groupId = groupId;
        UringFeatures features = io.features();
        this.maxDatagram = io.worker().config().maxDatagramSize();
        if (local.getAddress() == null) {
            throw new UnknownHostException("cannot bind a UDP socket to unresolved address " + local);
        }
        this.ipv6 = local.getAddress() instanceof Inet6Address;
        int s = Sys.datagramSocket(ipv6 ? Sys.AF_INET6 : Sys.AF_INET);
        if (s < 0) {
            throw Sys.error("creating a UDP socket for " + local, s);
        }
        this.fd = s;
        Arena a = null;
        try {
            if (ipv6) {
                check(Sys.setIntOption(s, Sys.IPPROTO_IPV6, Sys.IPV6_V6ONLY, 0), "IPV6_V6ONLY=0", local);
            }
            if (reusePort) {
                check(Sys.setIntOption(s, Sys.SOL_SOCKET, Sys.SO_REUSEPORT, 1), "SO_REUSEPORT", local);
            }
            check(Sys.setIntOption(s, Sys.SOL_SOCKET, Sys.SO_RXQ_OVFL, 1), "SO_RXQ_OVFL", local);
            boolean groOn = false;
            if (features.udpGro()) {
                int r = Sys.setIntOption(s, Sys.SOL_UDP, Sys.UDP_GRO, 1);
                groOn = r == 0;
                if (!groOn) {
                    log.debug("UDP socket for {}: UDP_GRO refused ({}), receiving one datagram per buffer", local, Sys.strerror(-r));
                }
            }
            this.gro = groOn;
            this.gso = features.udpGso() && GsoProbe.UNSUPPORTED == null;
            check(Sys.bind(s, local, ipv6), "binding", local);
            if (remote != null) {
                int r = Sys.connect(s, remote, ipv6);
                if (r < 0) {
                    throw Sys.error("connecting UDP socket bound to " + local + " to " + remote, r);
                }
            }
            InetSocketAddress bound = Sys.address(s, false);
            this.local = bound != null ? bound : local;
            this.payloadArea = gro ? Math.max(GRO_PAYLOAD, maxDatagram) : maxDatagram;
            int bufferSize = (PAYLOAD_OFFSET + payloadArea + 7) & ~7;
            a = Arena.ofConfined();
            this.arena = a;
            this.buffers = new BufferRing(a, io.ringFd(), groupId, features.udpBufferCount(), bufferSize, 0);
            MemorySegment msghdr = a.allocate(KernelStructs.MSGHDR); // zeroed: no iovec (the buffer is picked)
            msghdr.set(JAVA_INT, KernelStructs.MSG_NAMELEN, NAME_SPACE);
            msghdr.set(JAVA_LONG, KernelStructs.MSG_CONTROLLEN, CONTROL_SPACE);
            this.recvOp = Sqe.recvmsgMultishot(s, msghdr.address(), groupId, RECV);
            this.sendSlots = a.allocate(SLOT_SIZE * MAX_SENDS, 8);
            this.targets = new UdpTargetEncoder(a, ipv6);
        } catch (IOException | RuntimeException e) {
            Sys.close(s);
            if (a != null) {
                a.close();
            }
            throw e;
        }
        log.debug("UDP socket {}{}: GSO {}, GRO {}, {} receive buffers of {} bytes", this.local,
                remote == null ? "" : " connected to " + remote,
                gso ? "on" : "off (" + (features.udpGso() ? GsoProbe.UNSUPPORTED : "io_uring.udpGso=false") + ")",
                gro ? "on" : "off", buffers.entries(), buffers.bufferSize());
    }

    private static void check(int result, String what, InetSocketAddress local) throws IOException {
        if (result < 0) {
            throw Sys.error(what + " of UDP socket for " + local, result);
        }
    }

    /** {@return why the kernel refuses {@code UDP_SEGMENT}, or null if it takes it (probed once per JVM)} */
    static String gsoUnsupported() {
        return GsoProbe.UNSUPPORTED;
    }

    /** Whether the kernel takes {@code UDP_SEGMENT}: probed once on a throwaway socket. */
    private static final class GsoProbe {
        /** Null if supported, else why not. */
        static final String UNSUPPORTED = probe();

        private static String probe() {
            try {
                int s = Sys.datagramSocket(Sys.AF_INET);
                if (s < 0) {
                    return "probe socket: " + Sys.strerror(-s);
                }
                try {
                    int r = Sys.setIntOption(s, Sys.SOL_UDP, Sys.UDP_SEGMENT, 1400);
                    return r < 0 ? "kernel refused UDP_SEGMENT: " + Sys.strerror(-r) : null;
                } finally {
                    Sys.close(s);
                }
            } catch (RuntimeException e) {
                return "probe failed: " + e;
            }
        }
    }

    /** Sets the ring registration of {@link #handle()}; called before the socket is used. */
    void attach(IoRegistration registration) {
        this.registration = registration;
    }

    /** Releases everything when the socket could not be registered with the ring (nothing was submitted). */
    void abandon() {
        closed = true;
        gone = true;
        free();
    }

    /** {@return the handle to register with the ring} */
    IoUringIoHandle handle() {
        return handle;
    }

    /** {@return this socket's buffer group id (for tests)} */
    short groupId() {
        return groupId;
    }

    /** {@return this socket's receive buffers (for tests)} */
    BufferRing buffers() {
        return buffers;
    }

    /** {@return receive buffers delivered so far, each one datagram or one coalesced batch (for tests)} */
    long buffersDelivered() {
        return buffersDelivered;
    }

    /** {@return the sender cache (for tests)} */
    UdpSenderCache senders() {
        return senders;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public boolean segmentationOffload() {
        return gso;
    }

    @Override
    public boolean receiveOffload() {
        return gro;
    }

    // ---------------------------------------------------------------- receive

    @Override
    public void startReceiving() {
        armRecv();
    }

    /** Arms the multishot receive unless it is armed or the socket closed. */
    void armRecv() {
        if (closed || recvArmed) {
            return;
        }
        long id = submit(recvOp);
        recvArmed = id != 0;
    }

    private void onRecv(int res, int flags) {
        if ((flags & Uring.IORING_CQE_F_MORE) == 0) {
            recvArmed = false;
        }
        if ((flags & Uring.IORING_CQE_F_BUFFER) != 0) {
            int bid = flags >>> Uring.IORING_CQE_BUFFER_SHIFT;
            ProvidedBuffer memory = buffers.deliver(bid);
            try {
                if (!closed && res > 0) {
                    deliver(bid);
                }
            } finally {
                memory.deliveryOver(); // back to the ring: the views were valid only during the calls
            }
        }
        if (closed) {
            return; // stale completion after close (the cancel's, or one already queued)
        }
        if (res >= 0) {
            armRecv();
            return;
        }
        int errno = -res;
        if (errno == Sys.ENOBUFS) {
            io.worker().stats().recvBufferExhausted();
            io.starved(this); // re-armed after this completion batch, when its buffers are back
        } else if (errno == Sys.ECONNREFUSED) {
            core.asyncError(Sys.error("receive on UDP socket " + local + " connected to " + remote, res));
            armRecv();
        } else if (errno == Sys.ECANCELED) {
            armRecv();
        } else {
            core.failed(Sys.error("receive on UDP socket " + local, res));
        }
    }

    /** Reports the datagram(s) in buffer {@code bid}. */
    private void deliver(int bid) {
        buffersDelivered++;
        MemorySegment m = buffers.segment();
        long base = (long) bid * buffers.bufferSize();
        int namelen = m.get(JAVA_INT, base + KernelStructs.RECVMSG_OUT_NAMELEN);
        int controllen = m.get(JAVA_INT, base + KernelStructs.RECVMSG_OUT_CONTROLLEN);
        int payloadlen = m.get(JAVA_INT, base + KernelStructs.RECVMSG_OUT_PAYLOADLEN);
        int outFlags = m.get(JAVA_INT, base + KernelStructs.RECVMSG_OUT_FLAGS);
        InetSocketAddress sender = namelen > 0 ? senders.sender(m, base + OUT_SIZE) : null;
        if (sender == null) {
            sender = remote;
            if (sender == null) {
                return; // no sender to report (not seen for UDP: the kernel always gives one)
            }
        }
        int segment = 0;
        long c = base + OUT_SIZE + NAME_SPACE;
        long end = c + Math.min(controllen, CONTROL_SPACE);
        while (c + KernelStructs.CMSGHDR_SIZE <= end) {
            long len = m.get(JAVA_LONG, c + KernelStructs.CMSG_LEN_FIELD);
            if (len < KernelStructs.CMSGHDR_SIZE || c + len > end) {
                break;
            }
            int level = m.get(JAVA_INT, c + KernelStructs.CMSG_LEVEL);
            int type = m.get(JAVA_INT, c + KernelStructs.CMSG_TYPE);
            long data = c + KernelStructs.CMSGHDR_SIZE;
            if (level == Sys.SOL_UDP && type == Sys.UDP_GRO) {
                segment = m.get(JAVA_INT, data);
            } else if (level == Sys.SOL_SOCKET && type == Sys.SO_RXQ_OVFL) {
                core.kernelDrops(Integer.toUnsignedLong(m.get(JAVA_INT, data)));
            }
            c += KernelStructs.cmsgAlign(len);
        }
        int kept = Math.min(payloadlen, payloadArea);
        boolean cut = (outFlags & Uring.MSG_TRUNC) != 0;
        ByteBuffer view = buffers.view(bid);
        if (segment <= 0 || segment >= kept) {
            present(sender, view, PAYLOAD_OFFSET, kept, cut);
            return;
        }
        for (int off = 0; off < kept && !closed; off += segment) {
            int len = Math.min(segment, kept - off);
            present(sender, view, PAYLOAD_OFFSET + off, len, cut && off + len >= kept);
        }
    }

    private void present(InetSocketAddress sender, ByteBuffer view, int at, int length, boolean truncated) {
        if (length > maxDatagram) {
            length = maxDatagram; // a buffer sized for coalesced receives held one longer datagram
            truncated = true;
        }
        view.clear().limit(at + length).position(at);
        core.received(sender, view, truncated);
    }

    // ---------------------------------------------------------------- send

    @Override
    public void flush() {
        if (closed || reporting) {
            return; // reporting: the report loop flushes when it is done
        }
        DatagramQueue queue = core.outbound();
        int size = queue.size();
        while (inFlight < size && inFlight < MAX_SENDS) {
            int slot = (headSlot + inFlight) & (MAX_SENDS - 1);
            sendDone[slot] = false;
            if (!submitSend(queue, inFlight, slot, false)) {
                if (sendDone[slot]) {
                    inFlight++; // failed before submission: reported in order below
                    continue;
                }
                break;
            }
            inFlight++;
        }
        reportDone();
    }

    /**
     * Fills slot {@code slot} for queue entry {@code index} and submits it.
     *
     * @return whether it was submitted; if not, either the entry failed ({@link #sendDone} set) or
     *         the ring refused (retry on the next flush)
     */
    private boolean submitSend(DatagramQueue queue, int index, int slot, boolean pollFirst) {
        MemorySegment m = sendSlots;
        long s = slot * SLOT_SIZE;
        long address = m.address() + s;
        m.set(JAVA_LONG, s + SLOT_IOV + KernelStructs.IOV_BASE, queue.address(index));
        m.set(JAVA_LONG, s + SLOT_IOV + KernelStructs.IOV_LEN, queue.buffer(index).remaining());
        m.set(JAVA_LONG, s + KernelStructs.MSG_IOV, address + SLOT_IOV);
        m.set(JAVA_LONG, s + KernelStructs.MSG_IOVLEN, 1);
        InetSocketAddress target = queue.target(index);
        if (target == null) {
            m.set(JAVA_LONG, s + KernelStructs.MSG_NAME, 0);
            m.set(JAVA_INT, s + KernelStructs.MSG_NAMELEN, 0);
        } else {
            int len;
            try {
                len = targets.encode(target, m, s + SLOT_NAME);
            } catch (UnknownHostException e) {
                sendResults[slot] = -Sys.EDESTADDRREQ;
                sendDone[slot] = true;
                return false;
            }
            m.set(JAVA_LONG, s + KernelStructs.MSG_NAME, address + SLOT_NAME);
            m.set(JAVA_INT, s + KernelStructs.MSG_NAMELEN, len);
        }
        int segment = queue.segmentSize(index);
        if (segment > 0 && gso) {
            long c = s + SLOT_CMSG;
            m.set(JAVA_LONG, c + KernelStructs.CMSG_LEN_FIELD, KernelStructs.CMSGHDR_SIZE + 2);
            m.set(JAVA_INT, c + KernelStructs.CMSG_LEVEL, Sys.SOL_UDP);
            m.set(JAVA_INT, c + KernelStructs.CMSG_TYPE, Sys.UDP_SEGMENT);
            m.set(JAVA_SHORT, c + KernelStructs.CMSGHDR_SIZE, (short) segment);
            m.set(JAVA_LONG, s + KernelStructs.MSG_CONTROL, address + SLOT_CMSG);
            m.set(JAVA_LONG, s + KernelStructs.MSG_CONTROLLEN, SEGMENT_CMSG_SPACE);
        } else {
            m.set(JAVA_LONG, s + KernelStructs.MSG_CONTROL, 0);
            m.set(JAVA_LONG, s + KernelStructs.MSG_CONTROLLEN, 0);
        }
        if (submit(Sqe.sendmsg(fd, address, 0, pollFirst, SEND + slot)) == 0) {
            return false;
        }
        sendsPending++;
        return true;
    }

    private void onSend(int slot, int res) {
        sendsPending--;
        if (closed) {
            if (sendsPending == 0 && retained) {
                retained = false;
                core.outbound().release(); // the kernel no longer reads any entry's memory
            }
            return;
        }
        if (-res == Sys.EAGAIN) {
            // The socket buffer was full and the kernel gave up instead of waiting: resend this
            // entry once the socket is writable (POLL_FIRST); later entries wait for it in order.
            int index = (slot - headSlot) & (MAX_SENDS - 1);
            if (submitSend(core.outbound(), index, slot, true)) {
                return;
            }
        }
        sendResults[slot] = res;
        sendDone[slot] = true;
        reportDone();
    }

    /** Reports the completed sends at the head of the queue, in queue order, then {@code flushed()}. */
    private void reportDone() {
        if (reporting || inFlight == 0 || !sendDone[headSlot]) {
            return;
        }
        reporting = true;
        try {
            int sent = 0;
            while (inFlight > 0 && sendDone[headSlot] && !closed) {
                int res = sendResults[headSlot];
                sendDone[headSlot] = false;
                headSlot = (headSlot + 1) & (MAX_SENDS - 1);
                inFlight--;
                if (res >= 0) {
                    sent++;
                    continue;
                }
                if (sent > 0) {
                    core.sent(sent);
                    sent = 0;
                }
                core.sendFailed(Sys.error("sendmsg on UDP socket " + local, res));
            }
            if (sent > 0 && !closed) {
                core.sent(sent);
            }
        } finally {
            reporting = false;
        }
        if (!closed) {
            flush();
            core.flushed();
        }
    }

    // ---------------------------------------------------------------- close

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        io.unstarve(this);
        if (sendsPending > 0) {
            core.outbound().retain(); // until the last send completed: the kernel reads the entries' memory
            retained = true;
        }
        if ((recvArmed || sendsPending > 0) && registration.isValid()) {
            submit(Sqe.cancelAllOnFd(fd, CANCEL));
        }
        registration.cancel(); // Netty calls unregistered() once every outstanding completion arrived
    }

    /** Frees everything once no completion can reference the socket's memory any more. */
    private void release() {
        if (gone) {
            return;
        }
        gone = true;
        recvArmed = false;
        if (retained) {
            retained = false;
            core.outbound().release();
        }
        free();
        io.udpGone(this);
    }

    private void free() {
        Sys.close(fd);
        fd = -1;
        buffers.unregister();
        arena.close();
    }

    private long submit(IoUringIoOps op) {
        long id = registration.submit(op);
        if (id != 0) {
            io.submitted();
        }
        return id;
    }

    @Override
    public String toString() {
        return "UDP socket " + local + (remote == null ? "" : " connected to " + remote);
    }

    // ---------------------------------------------------------------- completions

    private final IoUringIoHandle handle = new IoUringIoHandle() {
        @Override
        public void handle(IoRegistration reg, IoEvent event) {
            IoUringIoEvent e = (IoUringIoEvent) event;
            int res = e.res();
            int flags = e.flags();
            short data = (short) e.userData();
            try {
                if (data == RECV) {
                    onRecv(res, flags);
                } else if (data >= SEND && data < SEND + MAX_SENDS) {
                    onSend(data - SEND, res);
                }
                // CANCEL: nothing to do
            } catch (Throwable bug) {
                if (bug instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
                if (!core.isClosed()) {
                    core.failed(bug);
                }
            }
        }

        @Override
        public void unregistered() {
            release();
        }

        /** Called by Netty when the ring is torn down with this socket still registered. */
        @Override
        public void close() {
            if (!core.isClosed()) {
                core.failed(new IOException("the worker's io_uring ring closed under " + UringUdpSocket.this));
            }
        }
    };
}
