package io.ringline.examples;

import io.ringline.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The options every server subcommand takes: {@code --port N [--workers N] [--host ADDR]
 * [--idle-timeout SECONDS] [--cpus ...] [--metrics]} and the TLS options of {@link TlsOptions}
 * ({@code --tls-cert FILE --tls-key FILE [--tls-provider jdk|openssl]}), turned into the common
 * part of the runtime {@link Config}.
 */
final class ServerOptions {

    private static final Logger log = LoggerFactory.getLogger(ServerOptions.class);

    /** Default {@code --idle-timeout}: a connection silent in both directions this long is closed. */
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(300);

    /** Usage text of the common options. */
    static final String USAGE = "--port N [--workers N] [--host ADDR] [--idle-timeout SECONDS (default "
            + DEFAULT_IDLE_TIMEOUT.toSeconds() + ", 0: none)] [--cpus auto|N[,N...] (pin workers: auto = one allowed"
            + " CPU each, or worker i on the i-th listed CPU)] " + TlsOptions.USAGE + " " + MetricsPrinter.USAGE;

    private static final Set<String> NAMES = Set.of("port", "workers", "host", "idle-timeout", "cpus");

    /** The options that take no value: {@code --metrics}. */
    static final Set<String> FLAGS = Set.of(MetricsPrinter.FLAG);

    private ServerOptions() {
    }

    /** Parses {@code args}, accepting the common options plus {@code extra}. */
    static Options parse(List<String> args, String... extra) throws UsageException {
        Set<String> known = new HashSet<>(NAMES);
        known.addAll(TlsOptions.NAMES);
        known.addAll(List.of(extra));
        return Options.parse(args, known, FLAGS);
    }

    /** {@return whether {@code --metrics} was given: print one line of the workers' counters per second} */
    static boolean metrics(Options o) {
        return o.has(MetricsPrinter.FLAG);
    }

    /**
     * {@return a config builder with the bind address (plain, or TLS only with the TLS options),
     * worker count, idle timeout and CPUs {@code o} asks for}; logs which TLS provider serves, and why
     *
     * @param alpn the ALPN protocols a TLS listener accepts, in preference order (none: no ALPN)
     */
    static Config.Builder builder(Options o, String... alpn) throws UsageException {
        InetSocketAddress bind = address(o);
        int idle = o.optionalInt("idle-timeout", 0, 7 * 24 * 3600, (int) DEFAULT_IDLE_TIMEOUT.toSeconds());
        Config.Builder b = workersAndCpus(o).idleTimeout(Duration.ofSeconds(idle));
        Optional<TlsOptions.Choice> tls = TlsOptions.parse(o, alpn);
        if (tls.isPresent()) {
            log.info("{}", tls.get().description());
            b.bind(bind, tls.get().config());
        } else {
            b.bind(bind);
        }
        return b;
    }

    /** {@return the address of {@code --port} (required) and {@code --host} (default 0.0.0.0)} */
    static InetSocketAddress address(Options o) throws UsageException {
        int port = o.requiredInt("port", 0, 65535);
        String host = o.string("host", "0.0.0.0");
        InetSocketAddress bind = new InetSocketAddress(host, port);
        if (bind.isUnresolved()) {
            throw new UsageException("option --host: cannot resolve '" + host + "'");
        }
        return bind;
    }

    /** {@return a config builder with the {@code --workers} count (default: CPU count) and the {@code --cpus} pinning} */
    static Config.Builder workersAndCpus(Options o) throws UsageException {
        int workers = o.optionalInt("workers", 1, Config.MAX_WORKERS,
                Math.min(Config.MAX_WORKERS, java.lang.Runtime.getRuntime().availableProcessors()));
        Config.Builder b = Config.builder().workers(workers);
        if (o.has("cpus")) {
            pin(b, o.string("cpus", "auto"));
        }
        return b;
    }

    /** {@code --cpus auto} pins each worker to one allowed CPU; {@code --cpus 1,3} puts worker i on the i-th listed CPU. */
    private static void pin(Config.Builder b, String cpus) throws UsageException {
        if (cpus.equals("auto")) {
            b.pinWorkers(true);
            return;
        }
        String[] parts = cpus.split(",", -1);
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UsageException("option --cpus must be 'auto' or a comma-separated list of CPU numbers, was '"
                        + cpus + "'");
            }
        }
        try {
            b.workerCpus(ids);
        } catch (IllegalArgumentException e) {
            throw new UsageException("option --cpus: " + e.getMessage());
        }
    }
}
