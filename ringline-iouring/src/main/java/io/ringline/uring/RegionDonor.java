package io.ringline.uring;

import io.ringline.MemoryRegion;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Charges every registered region against {@code RLIMIT_MEMLOCK} once per runtime, not once per
 * worker: a plain "donor" ring (no SINGLE_ISSUER, so any thread may register on it) holds a sparse
 * fixed-buffer table with every region that at least one worker uses; each worker clones the slot
 * from the donor into its own ring with {@code IORING_REGISTER_CLONE_BUFFERS}, which shares the
 * pinned pages and their accounting.
 *
 * <p>Thread-safe: the methods are synchronized; the worker-ring calls must run on the worker ring's
 * owner thread (SINGLE_ISSUER), which the core guarantees for region installation.
 */
final class RegionDonor implements AutoCloseable {

    private final int fd;
    private final int slots;
    private final MemoryRegion[] regions;
    private final int[] users;
    private boolean closed;

    /**
     * Creates the donor ring and its sparse table of {@code slots} entries.
     *
     * @throws IOException if io_uring refuses
     */
    RegionDonor(int slots) throws IOException {
        this.slots = slots;
        this.regions = new MemoryRegion[slots];
        this.users = new int[slots];
        int ring = Sys.ioUringSetup(1);
        if (ring < 0) {
            throw Sys.error("io_uring_setup of the region donor ring", ring);
        }
        this.fd = ring;
        try {
            registerSparseTable(fd, slots);
        } catch (IOException e) {
            Sys.close(fd);
            throw e;
        }
    }

    /**
     * Registers an empty (sparse) fixed-buffer table of {@code slots} entries on ring {@code ringFd}.
     *
     * @throws IOException if io_uring refuses
     */
    static void registerSparseTable(int ringFd, int slots) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment reg = arena.allocate(KernelStructs.IO_URING_RSRC_REGISTER);
            reg.set(JAVA_INT, KernelStructs.RSRC_REGISTER_NR, slots);
            reg.set(JAVA_INT, KernelStructs.RSRC_REGISTER_FLAGS, Uring.IORING_RSRC_REGISTER_SPARSE);
            int r = Sys.ioUringRegister(ringFd, Uring.REGISTER_BUFFERS2, reg, (int) reg.byteSize());
            if (r < 0) {
                throw Sys.error("registering a sparse fixed-buffer table of " + slots + " slots", r);
            }
        }
    }

    /** Sets one slot of ring {@code ringFd}'s table to {@code region}, or empties it (null); {@return 1 or -errno} */
    static int updateSlot(int ringFd, int slot, MemoryRegion region) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iov = arena.allocate(KernelStructs.IOVEC);
            if (region != null) {
                iov.set(JAVA_LONG, KernelStructs.IOV_BASE, region.address());
                iov.set(JAVA_LONG, KernelStructs.IOV_LEN, region.length());
            }
            MemorySegment up = arena.allocate(KernelStructs.IO_URING_RSRC_UPDATE2);
            up.set(JAVA_INT, KernelStructs.RSRC_UPDATE2_OFFSET, slot);
            up.set(JAVA_LONG, KernelStructs.RSRC_UPDATE2_DATA, iov.address());
            up.set(JAVA_INT, KernelStructs.RSRC_UPDATE2_NR, 1);
            return Sys.ioUringRegister(ringFd, Uring.REGISTER_BUFFERS_UPDATE, up, (int) up.byteSize());
        }
    }

    /**
     * Installs {@code region} in {@code slot} of worker ring {@code ringFd}. Must run on that ring's
     * owner thread.
     *
     * @param held which slots the worker ring holds (its own view; {@code slot} not yet set)
     * @throws IOException if the kernel refuses; for the locked-memory limit the message names the
     *                     limit, the region size and the fix
     */
    synchronized void install(int ringFd, int slot, MemoryRegion region, boolean[] held) throws IOException {
        if (closed) {
            throw new IOException("io_uring backend is closed");
        }
        MemoryRegion current = regions[slot];
        if (current == null) {
            int r = updateSlot(fd, slot, region);
            if (r < 0) {
                throw registrationError(slot, region, r);
            }
            regions[slot] = region;
        } else if (current.address() != region.address() || current.length() != region.length()) {
            throw new IllegalStateException("region slot " + slot + " holds " + current + " on another worker, not " + region);
        }
        // Clone [slot, slots) from the donor with replacement: slots below are kept by the kernel;
        // slots above are overwritten with the donor's, so empty those this worker does not hold.
        int r = cloneRange(ringFd, slot);
        if (r < 0) {
            if (users[slot] == 0) {
                updateSlot(fd, slot, null);
                regions[slot] = null;
            }
            throw new IOException("cloning region slot " + slot + " (" + region + ") into the worker's ring failed: "
                    + Sys.strerror(-r));
        }
        for (int s = slot + 1; s < slots; s++) {
            if (regions[s] != null && !held[s]) {
                int u = updateSlot(ringFd, s, null);
                if (u < 0) {
                    throw Sys.error("emptying fixed-buffer slot " + s + " after a clone", u);
                }
            }
        }
        users[slot]++;
    }

    private int cloneRange(int ringFd, int slot) {
        return cloneBuffers(fd, ringFd, slot, slots - slot);
    }

    /**
     * Clones {@code count} fixed-buffer slots from {@code srcFd} into {@code dstFd} at the same
     * index, replacing what {@code dstFd} holds there ({@code IORING_REGISTER_DST_REPLACE}).
     *
     * @return 0 or -errno
     */
    static int cloneBuffers(int srcFd, int dstFd, int slot, int count) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment arg = arena.allocate(KernelStructs.IO_URING_CLONE_BUFFERS);
            arg.set(JAVA_INT, KernelStructs.CLONE_SRC_FD, srcFd);
            arg.set(JAVA_INT, KernelStructs.CLONE_FLAGS, Uring.IORING_REGISTER_DST_REPLACE);
            arg.set(JAVA_INT, KernelStructs.CLONE_SRC_OFF, slot);
            arg.set(JAVA_INT, KernelStructs.CLONE_DST_OFF, slot);
            arg.set(JAVA_INT, KernelStructs.CLONE_NR, count);
            return Sys.ioUringRegister(dstFd, Uring.REGISTER_CLONE_BUFFERS, arg, 1);
        }
    }

    /**
     * Empties {@code slot} of worker ring {@code ringFd}; the donor drops the region when no worker
     * holds it any more. Must run on that ring's owner thread.
     *
     * @throws IOException if the kernel refuses
     */
    synchronized void remove(int ringFd, int slot) throws IOException {
        int r = updateSlot(ringFd, slot, null);
        if (--users[slot] <= 0) {
            users[slot] = 0;
            MemoryRegion region = regions[slot];
            regions[slot] = null;
            if (region != null && !closed) {
                updateSlot(fd, slot, null);
            }
        }
        if (r < 0) {
            throw Sys.error("emptying fixed-buffer slot " + slot, r);
        }
    }

    private static IOException registrationError(int slot, MemoryRegion region, int negErrno) {
        if (-negErrno == Sys.ENOMEM) {
            long limit = Sys.memlockLimit();
            String lim = limit == -1 ? "unlimited" : limit == -2 ? "unknown" : limit + " bytes (" + (limit / 1024) + " KiB)";
            return new IOException("cannot register region of " + region.length() + " bytes in slot " + slot
                    + ": the locked-memory limit RLIMIT_MEMLOCK is " + lim
                    + " and io_uring pins registered buffers against it (" + Sys.strerror(Sys.ENOMEM) + "). "
                    + "Fix: raise the limit (ulimit -l, LimitMEMLOCK= in systemd, memlock in limits.conf, "
                    + "--ulimit memlock=... in Docker) to at least the total size of the registered regions, "
                    + "or grant the process CAP_IPC_LOCK");
        }
        return new IOException("cannot register region of " + region.length() + " bytes in slot " + slot
                + " with io_uring: " + Sys.strerror(-negErrno));
    }

    /** Closes the donor ring (its table goes with it). */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Sys.close(fd);
        }
    }
}
