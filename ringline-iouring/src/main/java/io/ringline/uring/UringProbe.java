package io.ringline.uring;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.util.Version;
import io.ringline.spi.Availability;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Decides whether the io_uring backend works here, and which optional kernel features it may use.
 * {@link #observe()} gathers the {@link Facts} (it has side effects: throwaway rings);
 * {@link #evaluate(Facts)} and {@link #support(Facts)} are pure functions of them, so every
 * mismatch can be tested by feeding simulated facts.
 *
 * <p>Checked: Linux; the {@code kernel.io_uring_disabled} sysctl; an {@code io_uring_setup}
 * through {@code java.lang.foreign}; the Netty version against the one this backend was built
 * against ({@value #NETTY_BUILT_AGAINST}; another major.minor is refused, another patch accepted);
 * Netty's own probes ({@link IoUring#isAvailable()}, multishot accept, buffer rings, multishot
 * receive); the reflective access to Netty's ring fd; the kernel's opcode table
 * ({@code IORING_REGISTER_PROBE}) for every opcode the backend submits; and a round trip through
 * a throwaway {@link NettyRing} with the behaviours the backend relies on ({@link #roundTrip()}).
 * A {@link LinkageError} anywhere (e.g. a Netty without a method this backend calls) becomes a
 * reason, never an exception. Features that only make the backend faster (buffer ring, SEND_ZC,
 * cloning fixed buffers between rings) fall back one by one ({@link #support}) instead.
 *
 * <p>Thread-safe (stateless).
 */
final class UringProbe {

    /** The Netty version this backend is built and tested against ({@code netty.version} of the parent pom). */
    static final String NETTY_BUILT_AGAINST = "4.2.18.Final";
    /** The Netty artifact whose version is checked. */
    static final String NETTY_ARTIFACT = "netty-transport-classes-io_uring";

    /** Every opcode the backend (or Netty's ring underneath) submits, by name. */
    static final Map<Integer, String> REQUIRED_OPCODES = requiredOpcodes();

    private static final long NOP_DATA = 1;
    private static final long TIMEOUT_DATA = 2;
    private static final long CANCEL_DATA = 3;
    private static final long ROUND_TRIP_NANOS = TimeUnit.SECONDS.toNanos(5);

    private UringProbe() {
    }

    private static Map<Integer, String> requiredOpcodes() {
        Map<Integer, String> m = new LinkedHashMap<>();
        m.put((int) Uring.OP_NOP, "NOP");
        m.put((int) Uring.OP_SENDMSG, "SENDMSG");
        m.put((int) Uring.OP_TIMEOUT, "TIMEOUT");
        m.put((int) Uring.OP_ACCEPT, "ACCEPT");
        m.put((int) Uring.OP_ASYNC_CANCEL, "ASYNC_CANCEL");
        m.put((int) Uring.OP_CONNECT, "CONNECT");
        m.put((int) Uring.OP_SEND, "SEND");
        m.put((int) Uring.OP_RECV, "RECV");
        return Map.copyOf(m);
    }

    /**
     * What the probe observed on this machine.
     *
     * @param osName              {@code os.name}
     * @param kernelRelease       {@code os.version}, e.g. {@code 6.18.0-1-amd64} (reported, never parsed)
     * @param sysctlDisabled      {@code kernel.io_uring_disabled} (0, 1, 2), or -1 if the sysctl does not exist
     * @param nativeError         why {@code java.lang.foreign} calls cannot be linked, or null
     * @param setupErrno          errno of a test {@code io_uring_setup}, 0 if it worked
     * @param opcodes             the opcodes {@code IORING_REGISTER_PROBE} reports as supported, or null if not probed
     * @param opcodeProbeErrno    errno of {@code IORING_REGISTER_PROBE}, 0 if it worked
     * @param nettyVersion        the version of {@value #NETTY_ARTIFACT} on the class path, or null if unknown
     * @param nettyAvailable      {@link IoUring#isAvailable()}
     * @param nettyCause          {@link IoUring#unavailabilityCause()}, or null
     * @param reflectionError     why Netty's ring fd cannot be reached, or null
     * @param nettyAcceptMultishot {@link IoUring#isAcceptMultishotEnabled()}
     * @param nettyBufferRing     {@link IoUring#isRegisterBufferRingSupported()}
     * @param nettyRecvMultishot  {@link IoUring#isRecvMultishotEnabled()}
     * @param cloneBuffers        whether fixed buffers can be cloned between rings with replacement
     * @param roundTripFailure    what went wrong in {@link #roundTrip()}, or null if it passed (or was not run)
     * @param linkageError        a {@link LinkageError} thrown anywhere in the probe, or null
     */
    record Facts(String osName, String kernelRelease, int sysctlDisabled, Throwable nativeError, int setupErrno,
                 BitSet opcodes, int opcodeProbeErrno, String nettyVersion, boolean nettyAvailable, Throwable nettyCause,
                 Throwable reflectionError, boolean nettyAcceptMultishot, boolean nettyBufferRing, boolean nettyRecvMultishot,
                 boolean cloneBuffers, String roundTripFailure, Throwable linkageError) {
    }

    /**
     * What the kernel and Netty offer of the optional features: each reason is null when the
     * feature is there, else says why it is not (for the log).
     */
    record Support(String noBufferRing, String noSendZc, String noCloneBuffers) {

        /** Everything there (for runtimes whose options are tested without a probe). */
        static final Support ALL = new Support(null, null, null);

        /** {@return the reasons of the missing features, in a fixed order} */
        List<String> missing() {
            List<String> m = new ArrayList<>();
            if (noBufferRing != null) {
                m.add("no buffer ring (" + noBufferRing + "): receives go single-shot into per-connection buffers");
            }
            if (noSendZc != null) {
                m.add("no SEND_ZC (" + noSendZc + "): region sends go out as plain sends");
            }
            if (noCloneBuffers != null) {
                m.add("no fixed buffers (" + noCloneBuffers + "): regions are not installed in the rings' fixed-buffer tables");
            }
            return m;
        }
    }

    // ------------------------------------------------------------------ observation

    /** {@return the facts of this machine; never throws} */
    static Facts observe() {
        String os = System.getProperty("os.name", "?");
        String release = System.getProperty("os.version", "?");
        return guarded(os, release, () -> observeLinux(os, release));
    }

    /**
     * {@return what {@code observation} observed, or, if it threw a {@link LinkageError} (a Netty
     * without a class, field or method this backend uses), facts that record that error}
     */
    static Facts guarded(String os, String release, Supplier<Facts> observation) {
        try {
            return observation.get();
        } catch (LinkageError e) {
            return new Facts(os, release, -1, null, 0, null, 0, null, false, null, null, false, false, false, false, null, e);
        }
    }

    private static Facts observeLinux(String os, String release) {
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return new Facts(os, release, -1, null, 0, null, 0, null, false, null, null, false, false, false, false, null, null);
        }
        int sysctl = readSysctl();
        Throwable nativeError = Sys.linkError();
        int setupErrno = 0;
        BitSet opcodes = null;
        int probeErrno = 0;
        boolean clone = false;
        if (nativeError == null) {
            try {
                int fd = Sys.ioUringSetup(1);
                if (fd < 0) {
                    setupErrno = -fd;
                } else {
                    try {
                        opcodes = new BitSet();
                        probeErrno = probeOpcodes(fd, opcodes);
                    } finally {
                        Sys.close(fd);
                    }
                    clone = probeClone();
                }
            } catch (RuntimeException e) {
                nativeError = e;
            }
        }
        String version = nettyVersion();
        boolean netty;
        Throwable cause;
        try {
            netty = IoUring.isAvailable();
            cause = netty ? null : IoUring.unavailabilityCause();
        } catch (RuntimeException e) {
            netty = false;
            cause = e;
        }
        Throwable reflection = NettyRing.reflectionError();
        boolean acceptMultishot = netty && IoUring.isAcceptMultishotEnabled();
        boolean bufferRing = netty && IoUring.isRegisterBufferRingSupported();
        boolean recvMultishot = netty && IoUring.isRecvMultishotEnabled();
        String roundTrip = null;
        if (nativeError == null && setupErrno == 0 && netty && reflection == null) {
            roundTrip = roundTrip();
        }
        return new Facts(os, release, sysctl, nativeError, setupErrno, opcodes, probeErrno, version, netty, cause,
                reflection, acceptMultishot, bufferRing, recvMultishot, clone, roundTrip, null);
    }

    private static int readSysctl() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/sys/kernel/io_uring_disabled")).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {@return the version of {@value #NETTY_ARTIFACT} that Netty reports, or null} */
    private static String nettyVersion() {
        Version v = Version.identify(IoUring.class.getClassLoader()).get(NETTY_ARTIFACT);
        return v == null ? null : v.artifactVersion();
    }

    /** Fills {@code supported} with the opcodes ring {@code ringFd} supports; {@return 0 or errno} */
    static int probeOpcodes(int ringFd, BitSet supported) {
        int ops = 256;
        try (Arena arena = Arena.ofConfined()) {
            long opSize = KernelStructs.IO_URING_PROBE_OP.byteSize();
            MemorySegment probe = arena.allocate(KernelStructs.IO_URING_PROBE.byteSize() + opSize * ops, 8);
            int r = Sys.ioUringRegister(ringFd, Uring.REGISTER_PROBE, probe, ops);
            if (r < 0) {
                return -r;
            }
            int len = Byte.toUnsignedInt(probe.get(JAVA_BYTE, KernelStructs.PROBE_OPS_LEN));
            int last = Byte.toUnsignedInt(probe.get(JAVA_BYTE, KernelStructs.PROBE_LAST_OP));
            long base = KernelStructs.IO_URING_PROBE.byteSize();
            for (int op = 0; op < len && op <= last; op++) {
                short flags = probe.get(JAVA_SHORT, base + opSize * op + KernelStructs.PROBE_OP_FLAGS);
                if ((flags & KernelStructs.IO_URING_OP_SUPPORTED) != 0) {
                    supported.set(op);
                }
            }
            return 0;
        }
    }

    /** Clones a one-slot table between two plain rings with IORING_REGISTER_DST_REPLACE. */
    private static boolean probeClone() {
        int a = Sys.ioUringSetup(1);
        int b = Sys.ioUringSetup(1);
        try {
            if (a < 0 || b < 0) {
                return false;
            }
            RegionDonor.registerSparseTable(a, 1);
            RegionDonor.registerSparseTable(b, 1);
            return RegionDonor.cloneBuffers(a, b, 0, 1) >= 0;
        } catch (IOException e) {
            return false;
        } finally {
            Sys.close(a);
            Sys.close(b);
        }
    }

    /**
     * Round-trips operations through a throwaway {@link NettyRing} and a registration, exactly as
     * the backend submits them, and checks what the backend relies on: {@code submit} returns a
     * non-zero id; a NOP's completion comes back to the registered handle with the user data it
     * was submitted with; that id is the kernel's user data (an {@code ASYNC_CANCEL} of it cancels
     * a pending TIMEOUT); and after {@link IoRegistration#cancel()}, {@code unregistered()} is called
     * only once every completion of the registration arrived, with none after it.
     *
     * @return null if everything held, else what did not
     */
    static String roundTrip() {
        ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        RecordingHandle handle = new RecordingHandle();
        try (Arena arena = Arena.ofConfined(); NettyRing ring = new NettyRing(8, tasks::add)) {
            MemorySegment timespec = arena.allocate(KernelStructs.KERNEL_TIMESPEC);
            timespec.set(JAVA_LONG, KernelStructs.TV_SEC, 30);
            IoRegistration reg = ring.register(handle);
            long nop = reg.submit(Sqe.nop(NOP_DATA));
            if (nop == 0) {
                reg.cancel();
                return "IoRegistration.submit returned 0 for a NOP on a valid registration";
            }
            long timeout = reg.submit(Sqe.timeout(timespec.address(), TIMEOUT_DATA));
            reg.submit(Sqe.cancel(timeout, CANCEL_DATA));
            reg.cancel();
            long deadline = System.nanoTime() + ROUND_TRIP_NANOS;
            while (!handle.unregistered && System.nanoTime() < deadline) {
                ring.run(TimeUnit.MILLISECONDS.toNanos(50));
                Runnable t;
                while ((t = tasks.poll()) != null) {
                    t.run();
                }
            }
            return handle.verdict();
        } catch (IOException | RuntimeException e) {
            return "the round trip through a Netty ring failed: " + e;
        }
    }

    /** Records the completions of {@link #roundTrip()}. */
    private static final class RecordingHandle implements IoUringIoHandle {
        final Map<Long, Integer> results = new LinkedHashMap<>();
        boolean unregistered;
        boolean completionAfterUnregistered;
        int completionsBeforeUnregistered = -1;

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            IoUringIoEvent e = (IoUringIoEvent) event;
            if (unregistered) {
                completionAfterUnregistered = true;
            }
            results.put(e.userData(), e.res());
        }

        @Override
        public void unregistered() {
            unregistered = true;
            completionsBeforeUnregistered = results.size();
        }

        @Override
        public void close() {
            // the registration is cancelled by the round trip itself
        }

        String verdict() {
            Integer nop = results.get(NOP_DATA);
            if (nop == null) {
                return "a NOP's completion did not come back to its handle with the user data it was submitted with "
                        + "(completions by user data: " + results + ")";
            }
            if (nop != 0) {
                return "a NOP completed with " + nop + " instead of 0";
            }
            Integer timeout = results.get(TIMEOUT_DATA);
            Integer cancel = results.get(CANCEL_DATA);
            if (timeout == null || cancel == null || timeout != -Sys.ECANCELED || cancel != 0) {
                return "an ASYNC_CANCEL of the id IoRegistration.submit returned did not cancel the operation "
                        + "(so that id is not the kernel's user data): timeout res " + timeout + ", cancel res " + cancel;
            }
            if (!unregistered) {
                return "IoRegistration.cancel() was never followed by unregistered()";
            }
            if (completionAfterUnregistered || completionsBeforeUnregistered < 3) {
                return "unregistered() was called before the registration's last completion";
            }
            return null;
        }
    }

    // ------------------------------------------------------------------ evaluation

    /** {@return the availability implied by {@code f}; pure, so every branch can be tested} */
    static Availability evaluate(Facts f) {
        if (!f.osName().toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Availability.unavailable("io_uring needs Linux; this is " + f.osName());
        }
        if (f.linkageError() != null) {
            return Availability.unavailable("the io_uring probe hit a linkage error, so the Netty on the class path is not "
                    + "the one this backend was built against (" + NETTY_BUILT_AGAINST + "): " + f.linkageError());
        }
        if (f.sysctlDisabled() == 2) {
            return Availability.unavailable("io_uring is disabled on this machine by sysctl kernel.io_uring_disabled=2 "
                    + "(set it to 0 to enable it)");
        }
        if (f.nativeError() != null) {
            return Availability.unavailable("cannot call io_uring_setup through java.lang.foreign (run with "
                    + "--enable-native-access=ALL-UNNAMED): " + f.nativeError());
        }
        if (f.setupErrno() != 0) {
            return Availability.unavailable("io_uring_setup failed with " + setupError(f));
        }
        String version = versionMismatch(f.nettyVersion());
        if (version != null) {
            return Availability.unavailable(version);
        }
        if (!f.nettyAvailable()) {
            return Availability.unavailable("Netty's io_uring transport is unavailable: " + f.nettyCause());
        }
        if (f.reflectionError() != null) {
            return Availability.unavailable("cannot reach the ring fd inside Netty's IoUringIoHandler (this backend needs "
                    + "Netty " + NETTY_BUILT_AGAINST + "): " + f.reflectionError());
        }
        if (f.opcodes() == null || f.opcodeProbeErrno() != 0) {
            return Availability.unavailable("IORING_REGISTER_PROBE failed (" + (f.opcodeProbeErrno() != 0
                    ? Sys.strerror(f.opcodeProbeErrno()) : "not run") + "), so the kernel's io_uring opcodes are unknown");
        }
        List<String> missing = new ArrayList<>();
        REQUIRED_OPCODES.forEach((op, name) -> {
            if (!f.opcodes().get(op)) {
                missing.add("IORING_OP_" + name + " (" + op + ")");
            }
        });
        if (!missing.isEmpty()) {
            return Availability.unavailable("kernel " + f.kernelRelease() + " lacks the io_uring opcodes " + missing
                    + " that this backend submits");
        }
        if (!f.nettyAcceptMultishot()) {
            return Availability.unavailable("Netty reports multishot accept as unsupported or disabled "
                    + "(IoUring.isAcceptMultishotEnabled(); kernel 5.19+, system property io.netty.iouring.acceptMultishotEnabled)");
        }
        if (f.roundTripFailure() != null) {
            return Availability.unavailable("Netty's ring does not behave as this backend relies on (built against Netty "
                    + NETTY_BUILT_AGAINST + ", found " + f.nettyVersion() + "): " + f.roundTripFailure());
        }
        Support s = support(f);
        return Availability.available("io_uring on kernel " + f.kernelRelease() + " with Netty " + f.nettyVersion()
                + (NETTY_BUILT_AGAINST.equals(f.nettyVersion()) ? "" : " (built against " + NETTY_BUILT_AGAINST + ")")
                + "; kernel features: buffer ring " + yesNo(s.noBufferRing()) + ", SEND_ZC " + yesNo(s.noSendZc())
                + ", fixed buffers cloned between rings " + yesNo(s.noCloneBuffers()));
    }

    private static String yesNo(String reason) {
        return reason == null ? "yes" : "no";
    }

    private static String setupError(Facts f) {
        return switch (f.setupErrno()) {
            case Sys.EPERM -> f.sysctlDisabled() == 1
                    ? "EPERM: kernel.io_uring_disabled=1 allows io_uring only to members of kernel.io_uring_group "
                    + "(or CAP_SYS_ADMIN); or a seccomp filter blocks it"
                    : "EPERM: a seccomp filter blocks io_uring_setup (container runtimes such as Docker block it by default; "
                    + "allow io_uring_setup/enter/register in the seccomp profile)";
            case Sys.ENOSYS -> "ENOSYS: the kernel was built without io_uring (CONFIG_IO_URING)";
            case Sys.ENOMEM -> "ENOMEM: not enough locked memory for a ring";
            default -> "errno " + f.setupErrno();
        };
    }

    /** {@return why {@code observed} cannot be used (unknown, or another major.minor than built against), or null} */
    static String versionMismatch(String observed) {
        if (observed == null) {
            return "cannot tell the version of " + NETTY_ARTIFACT + " on the class path (no META-INF/io.netty.versions.properties "
                    + "entry; a shaded jar must append those files): this backend needs Netty " + NETTY_BUILT_AGAINST;
        }
        int[] built = version(NETTY_BUILT_AGAINST);
        int[] found = version(observed);
        if (found == null || found[0] != built[0] || found[1] != built[1]) {
            return "Netty " + observed + " (" + NETTY_ARTIFACT + ") is on the class path, but this backend was built against "
                    + NETTY_BUILT_AGAINST + " and relies on its internals: use Netty " + built[0] + "." + built[1] + ".x";
        }
        return null;
    }

    /** {@return whether {@code observed} is the built-against major.minor with another patch (worth a log line)} */
    static boolean patchDiffers(String observed) {
        return observed != null && versionMismatch(observed) == null && !NETTY_BUILT_AGAINST.equals(observed);
    }

    /** {@return {major, minor, patch} of a version such as {@code 4.2.18.Final}, or null if unparsable} */
    static int[] version(String v) {
        String[] parts = v.split("\\.");
        if (parts.length < 3) {
            return null;
        }
        try {
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** {@return which optional features the kernel and Netty offer, per {@code f}; pure} */
    static Support support(Facts f) {
        String noBufferRing = !f.nettyBufferRing()
                ? "Netty's IoUring.isRegisterBufferRingSupported() is false (kernel 5.19+)"
                : !f.nettyRecvMultishot() ? "Netty's IoUring.isRecvMultishotEnabled() is false (kernel 6.0+)" : null;
        String noSendZc = f.opcodes() != null && f.opcodes().get(Uring.OP_SEND_ZC) ? null
                : "the kernel lacks IORING_OP_SEND_ZC (6.0+)";
        String noClone = f.cloneBuffers() ? null
                : "the kernel cannot clone fixed buffers between rings with IORING_REGISTER_CLONE_BUFFERS (6.13+)";
        return new Support(noBufferRing, noSendZc, noClone);
    }
}
