package io.ringline.uring;

import io.netty.channel.uring.IoUring;
import io.ringline.spi.Availability;
import io.ringline.spi.Backend;
import io.ringline.spi.BackendContext;
import io.ringline.spi.BackendProvider;
import io.ringline.spi.Capability;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The io_uring backend ({@value #NAME}, priority 100). Found by {@link java.util.ServiceLoader}.
 *
 * <p>{@link #availability()} probes once per JVM and caches the answer: Linux, the kernel version
 * (6.1 or newer for multishot receive with provided buffer rings and SEND_ZC), the
 * {@code kernel.io_uring_disabled} sysctl, an actual {@code io_uring_setup} through
 * {@code java.lang.foreign} (which fails with EPERM under a seccomp filter or the sysctl),
 * Netty's {@link IoUring#isAvailable()}, and the reflective access to Netty's ring fd. Whether the
 * kernel can clone fixed buffers between rings ({@code IORING_REGISTER_CLONE_BUFFERS} with
 * replacement, 6.13+) decides whether regions become fixed buffers.
 *
 * <p>Thread-safe.
 */
public final class IoUringBackendProvider implements BackendProvider {
    /** Backend name. */
    public static final String NAME = "io_uring";

    private static final class Probe {
        static final Facts FACTS = Facts.observe();
        static final Availability RESULT = evaluate(FACTS);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Availability availability() {
        return Probe.RESULT;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.OS_SOCKETS, Capability.KERNEL_REGISTERED_REGIONS);
    }

    /**
     * @throws IOException if the backend cannot be opened (or io_uring is unavailable here)
     */
    @Override
    public Backend open(BackendContext context) throws IOException {
        Availability a = availability();
        if (!a.available()) {
            throw new IOException("io_uring backend unavailable: " + a.reason());
        }
        return new IoUringBackend(context.config(), Features.fixedBuffers && Probe.FACTS.cloneBuffers());
    }

    /**
     * What the probe observed on this machine.
     *
     * @param osName          {@code os.name}
     * @param kernelRelease   {@code os.version}, e.g. {@code 6.18.0-1-amd64}
     * @param sysctlDisabled  {@code kernel.io_uring_disabled} (0, 1, 2), or -1 if the sysctl does not exist
     * @param nativeError     why {@code java.lang.foreign} calls cannot be linked, or null
     * @param setupErrno      errno of a test {@code io_uring_setup}, 0 if it worked
     * @param nettyAvailable  {@link IoUring#isAvailable()}
     * @param nettyCause      {@link IoUring#unavailabilityCause()}, or null
     * @param reflectionError why Netty's ring fd cannot be reached, or null
     * @param cloneBuffers    whether fixed buffers can be cloned between rings with replacement
     */
    record Facts(String osName, String kernelRelease, int sysctlDisabled, Throwable nativeError, int setupErrno,
                 boolean nettyAvailable, Throwable nettyCause, Throwable reflectionError, boolean cloneBuffers) {

        static Facts observe() {
            String os = System.getProperty("os.name", "?");
            String release = System.getProperty("os.version", "?");
            if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
                return new Facts(os, release, -1, null, 0, false, null, null, false);
            }
            int sysctl = readSysctl();
            Throwable nativeError = Sys.linkError();
            int setupErrno = 0;
            boolean clone = false;
            if (nativeError == null) {
                try {
                    int fd = Sys.ioUringSetup(1);
                    if (fd < 0) {
                        setupErrno = -fd;
                    } else {
                        Sys.close(fd);
                        clone = probeClone();
                    }
                } catch (Throwable t) {
                    nativeError = t;
                }
            }
            boolean netty;
            Throwable cause;
            try {
                netty = IoUring.isAvailable();
                cause = netty ? null : IoUring.unavailabilityCause();
            } catch (Throwable t) {
                netty = false;
                cause = t;
            }
            return new Facts(os, release, sysctl, nativeError, setupErrno, netty, cause, NettyRing.reflectionError(), clone);
        }

        private static int readSysctl() {
            try {
                return Integer.parseInt(Files.readString(Path.of("/proc/sys/kernel/io_uring_disabled")).trim());
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        /** Clones a one-slot table between two plain rings with IORING_REGISTER_DST_REPLACE. */
        private static boolean probeClone() {
            int a = Sys.ioUringSetup(1);
            int b = Sys.ioUringSetup(1);
            try (Arena arena = Arena.ofConfined()) {
                if (a < 0 || b < 0) {
                    return false;
                }
                RegionDonor.registerSparseTable(a, 1);
                RegionDonor.registerSparseTable(b, 1);
                MemorySegment arg = arena.allocate(32, 8);
                arg.set(JAVA_INT, 0, a);
                arg.set(JAVA_INT, 4, Uring.IORING_REGISTER_DST_REPLACE);
                arg.set(JAVA_INT, 16, 1);
                return Sys.ioUringRegister(b, Uring.REGISTER_CLONE_BUFFERS, arg, 1) >= 0;
            } catch (IOException e) {
                return false;
            } finally {
                Sys.close(a);
                Sys.close(b);
            }
        }
    }

    /** {@return the availability implied by {@code f}; pure, so every branch can be tested} */
    static Availability evaluate(Facts f) {
        if (!f.osName().toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Availability.unavailable("io_uring needs Linux; this is " + f.osName());
        }
        int[] v = kernelVersion(f.kernelRelease());
        if (v[0] < 6 || (v[0] == 6 && v[1] < 1)) {
            return Availability.unavailable("kernel " + f.kernelRelease() + " is too old: the io_uring backend needs Linux 6.1 "
                    + "or newer (multishot receive with provided buffer rings, SEND_ZC)");
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
            String why = switch (f.setupErrno()) {
                case Sys.EPERM -> f.sysctlDisabled() == 1
                        ? "EPERM: kernel.io_uring_disabled=1 allows io_uring only to members of kernel.io_uring_group "
                        + "(or CAP_SYS_ADMIN); or a seccomp filter blocks it"
                        : "EPERM: a seccomp filter blocks io_uring_setup (container runtimes such as Docker block it by default; "
                        + "allow io_uring_setup/enter/register in the seccomp profile)";
                case Sys.ENOSYS -> "ENOSYS: the kernel was built without io_uring (CONFIG_IO_URING)";
                case Sys.ENOMEM -> "ENOMEM: not enough locked memory for a ring";
                default -> "errno " + f.setupErrno();
            };
            return Availability.unavailable("io_uring_setup failed with " + why);
        }
        if (!f.nettyAvailable()) {
            return Availability.unavailable("Netty's io_uring transport is unavailable: " + f.nettyCause());
        }
        if (f.reflectionError() != null) {
            return Availability.unavailable("cannot reach the ring fd inside Netty's IoUringIoHandler (this backend needs "
                    + "Netty 4.2.18.Final): " + f.reflectionError());
        }
        return Availability.available("io_uring on kernel " + f.kernelRelease() + "; fixed buffers "
                + (!Features.fixedBuffers ? "off (" + Features.FIXED_BUFFERS + "=false)"
                : f.cloneBuffers() ? "on (cloned from a donor ring)" : "off (kernel cannot clone buffers between rings, needs 6.13)")
                + "; SEND_ZC " + (Features.sendZc ? "on" : "off") + "; buffer ring " + (Features.bufferRing ? "on" : "off"));
    }

    /** {@return {major, minor} of a kernel release string, {0, 0} if unparsable} */
    static int[] kernelVersion(String release) {
        String[] parts = release.split("[^0-9]+", 3);
        try {
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (RuntimeException e) {
            return new int[] {0, 0};
        }
    }
}
