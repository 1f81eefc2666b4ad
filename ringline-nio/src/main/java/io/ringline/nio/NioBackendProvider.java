package io.ringline.nio;

import io.ringline.spi.Availability;
import io.ringline.spi.Backend;
import io.ringline.spi.BackendContext;
import io.ringline.spi.BackendOption;
import io.ringline.spi.BackendProvider;
import io.ringline.spi.Capability;

import java.io.IOException;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;
import java.util.List;
import java.util.Set;

/** Provider of the portable NIO backend ({@value #NAME}). Available wherever a {@link Selector} opens. */
public final class NioBackendProvider implements BackendProvider {

    /** Backend name. */
    public static final String NAME = "nio";

    /** Reads per readiness event before the worker turns to other connections. */
    public static final BackendOption<Integer> READS_PER_EVENT = BackendOption.intRange("nio.readsPerEvent", 16, 1, 1024,
            "socket reads per readiness event before the worker serves other connections");

    /** Buffers per gathered write. */
    public static final BackendOption<Integer> GATHER_LIMIT = BackendOption.intRange("nio.gatherLimit", 64, 1, 1024,
            "send-queue buffers gathered into one socket write");

    /** Datagrams received per readiness event of a UDP socket before the worker turns to other sockets. */
    public static final BackendOption<Integer> DATAGRAMS_PER_EVENT = BackendOption.intRange("nio.datagramsPerEvent", 64, 1, 1024,
            "datagrams received per readiness event of a UDP socket before the worker serves other sockets");

    /**
     * {@code SO_RCVBUF} of every UDP socket in bytes, set before it binds; 0 (the default) keeps the
     * kernel's default ({@code net.core.rmem_default} on Linux, which also caps it at
     * {@code net.core.rmem_max} and doubles it for bookkeeping). A larger buffer absorbs longer
     * bursts before the kernel drops datagrams ({@link io.ringline.WorkerStats#datagramsDropped()}).
     */
    public static final BackendOption<Integer> UDP_RECEIVE_BUFFER_SIZE = BackendOption.intRange("nio.udpReceiveBufferSize", 0,
            0, 1 << 30, "SO_RCVBUF of UDP sockets in bytes; 0: the kernel's default");

    private static final List<BackendOption<?>> OPTIONS = List.of(READS_PER_EVENT, GATHER_LIMIT, DATAGRAMS_PER_EVENT,
            UDP_RECEIVE_BUFFER_SIZE);

    private static final Availability AVAILABILITY = probe();

    private static Availability probe() {
        try (Selector s = Selector.open()) {
            return Availability.available("java.nio " + s.provider().getClass().getSimpleName());
        } catch (IOException | RuntimeException e) {
            return Availability.unavailable("cannot open a java.nio Selector: " + e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /** {@return 10: below io_uring, which is preferred where available} */
    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Availability availability() {
        return AVAILABILITY;
    }

    @Override
    public List<BackendOption<?>> options() {
        return OPTIONS;
    }

    /**
     * {@return {@link Capability#OS_SOCKETS} (regions are sent from their memory, with a copy into
     * the kernel) and {@link Capability#UDP} (without segmentation or receive offload; kernel drops
     * are reported on Linux only)}
     */
    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.OS_SOCKETS, Capability.UDP);
    }

    @Override
    public Backend open(BackendContext context) {
        return new NioBackend(context.options(), SelectorProvider.provider().getClass().getSimpleName());
    }
}
