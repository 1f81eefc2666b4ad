package io.ringline.uring;

import io.ringline.Config;
import io.ringline.spi.Availability;
import io.ringline.spi.Backend;
import io.ringline.spi.BackendContext;
import io.ringline.spi.BackendOption;
import io.ringline.spi.BackendOptions;
import io.ringline.spi.BackendProvider;
import io.ringline.spi.Capability;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * The io_uring backend ({@value #NAME}, priority 100). Found by {@link java.util.ServiceLoader}.
 *
 * <p>{@link #availability()} probes once per JVM and caches the answer (see {@link UringProbe}:
 * the Netty version, Netty's and the kernel's feature probes, a round trip through a throwaway
 * ring); any mismatch makes the backend unavailable with a reason naming it, so that
 * auto-selection falls back to another backend. Missing optional kernel features (buffer ring,
 * SEND_ZC, cloning fixed buffers) are logged once and only turn that feature off.
 *
 * <p>Each runtime gets its own {@link UringFeatures}, from its {@link IoUringOptions} and the probe.
 *
 * <p>Thread-safe.
 */
public final class IoUringBackendProvider implements BackendProvider {
    /** Backend name. */
    public static final String NAME = "io_uring";

    private static final Logger log = LoggerFactory.getLogger(IoUringBackendProvider.class);

    /** The probe, run once per JVM on first use. */
    private static final class Probe {
        static final Availability RESULT;
        static final UringProbe.Support SUPPORT;

        static {
            Availability a;
            UringProbe.Support s = null;
            try {
                UringProbe.Facts facts = UringProbe.observe();
                a = UringProbe.evaluate(facts);
                s = UringProbe.support(facts);
                if (a.available()) {
                    if (UringProbe.patchDiffers(facts.nettyVersion())) {
                        log.info("io_uring backend: Netty {} is on the class path, built against {} (same minor version)",
                                facts.nettyVersion(), UringProbe.NETTY_BUILT_AGAINST);
                    }
                    for (String missing : s.missing()) {
                        log.info("io_uring backend: {}", missing);
                    }
                }
            } catch (LinkageError e) {
                a = Availability.unavailable("the io_uring probe hit a linkage error, so the Netty on the class path is not "
                        + "the one this backend was built against: " + e);
            }
            RESULT = a;
            SUPPORT = s;
        }
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
        return Set.of(Capability.OS_SOCKETS, Capability.KERNEL_REGISTERED_REGIONS, Capability.UDP);
    }

    /** {@return the options this backend declares: {@link IoUringOptions#all()}} */
    @Override
    public List<BackendOption<?>> options() {
        return IoUringOptions.all();
    }

    /**
     * Opens a runtime's backend with its resolved {@link IoUringOptions} ({@code Config.option}
     * values, else the system properties {@code ringline.io_uring.*}, else the built-in defaults).
     *
     * @throws IOException if the backend cannot be opened (or io_uring is unavailable here)
     */
    @Override
    public Backend open(BackendContext context) throws IOException {
        return open(context.config(), context.options());
    }

    /**
     * Opens a runtime's backend with resolved {@code options}.
     *
     * @throws IOException if the backend cannot be opened (or io_uring is unavailable here)
     * @throws IllegalArgumentException if an option's value is invalid
     */
    Backend open(Config config, BackendOptions options) throws IOException {
        Availability a = availability();
        if (!a.available()) {
            throw new IOException("io_uring backend unavailable: " + a.reason());
        }
        UringFeatures features = UringFeatures.resolve(Probe.SUPPORT, options);
        if (features.bufferRing()) {
            BufferRing.lendBudget(features.lendBudget(), config.recvBufferCount()); // fails the start on a bad value
        }
        return new IoUringBackend(config, features);
    }
}
