package io.ringline;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Immutable runtime configuration, built with {@link #builder()}. Every setter validates its
 * argument and {@link Builder#build()} validates the combination; bad values throw
 * {@link IllegalArgumentException} naming the value and the limit.
 *
 * <p>Thread-safe (immutable).
 */
public final class Config {

    /** System property that selects a backend by name ({@code io_uring}, {@code nio}); overrides auto-selection. */
    public static final String BACKEND_PROPERTY = "ringline.backend";
    /** Largest number of workers. */
    public static final int MAX_WORKERS = 1024;
    /** Largest number of registered region slots. */
    public static final int MAX_REGIONS_LIMIT = 16384;
    /** Largest number of connections per worker. */
    public static final int MAX_CONNECTIONS_LIMIT = 1 << 20;
    /** Largest {@link #taskQueueLimit()}. */
    public static final int MAX_TASK_QUEUE_LIMIT = 1 << 24;
    /** Largest {@link #blockingQueueLimit()}. */
    public static final int MAX_BLOCKING_QUEUE_LIMIT = 1 << 24;

    private final int workers;
    private final List<InetSocketAddress> bindAddresses;
    private final List<Binding> bindings;
    private final List<UdpBinding> udpBindings;
    private final long udpSendQueueLimit;
    private final int maxDatagramSize;
    private final int recvBufferSize;
    private final int recvBufferCount;
    private final int maxConnectionsPerWorker;
    private final long sendQueueLimit;
    private final int inboundLimit;
    private final int maxRegions;
    private final List<MemoryRegion> initialRegions;
    private final String backend;
    private final Duration shutdownGracePeriod;
    private final int acceptHandoffLimit;
    private final int backlog;
    private final int blockingPoolSize;
    private final Duration idleTimeout;
    private final int taskQueueLimit;
    private final int blockingQueueLimit;
    private final Map<String, Object> options;
    private final IdleStrategy idleStrategy;
    private final boolean pinWorkers;
    private final int[] workerCpus;

    private Config(Builder b) {
        this.workers = b.workers;
        this.bindings = List.copyOf(b.bindings);
        this.bindAddresses = bindings.stream().map(Binding::address).toList();
        this.udpBindings = List.copyOf(b.udpBindings);
        this.udpSendQueueLimit = b.udpSendQueueLimit;
        this.maxDatagramSize = b.maxDatagramSize;
        this.recvBufferSize = b.recvBufferSize;
        this.recvBufferCount = b.recvBufferCount;
        this.maxConnectionsPerWorker = b.maxConnectionsPerWorker;
        this.sendQueueLimit = b.sendQueueLimit;
        this.inboundLimit = b.inboundLimit;
        this.maxRegions = b.maxRegions;
        this.initialRegions = List.copyOf(b.initialRegions);
        this.backend = b.backend;
        this.shutdownGracePeriod = b.shutdownGracePeriod;
        this.acceptHandoffLimit = b.acceptHandoffLimit;
        this.backlog = b.backlog;
        this.blockingPoolSize = b.blockingPoolSize;
        this.idleTimeout = b.idleTimeout;
        this.taskQueueLimit = b.taskQueueLimit;
        this.blockingQueueLimit = b.blockingQueueLimit;
        this.options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.options));
        this.idleStrategy = b.idleStrategy;
        this.pinWorkers = b.pinWorkers;
        this.workerCpus = b.workerCpus.clone();
    }

    /** {@return a builder with defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the number of worker threads} */
    public int workers() {
        return workers;
    }

    /**
     * A listen address and whether it serves TLS.
     *
     * @param address the address (port 0: a free port)
     * @param tls     the server TLS configuration; empty: plaintext
     */
    public record Binding(InetSocketAddress address, java.util.Optional<TlsConfig> tls) {
        /** Checks the arguments. */
        public Binding {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(tls, "tls");
        }
    }

    /** {@return the listen addresses with their TLS configuration, in {@link Builder#bind} order} */
    public List<Binding> bindings() {
        return bindings;
    }

    /**
     * A UDP address every runtime serves from start to shutdown.
     *
     * @param address the address (port 0: a free port, the same one for every worker's socket)
     * @param mode    one socket per worker, or one shared socket
     */
    public record UdpBinding(InetSocketAddress address, UdpMode mode) {
        /** Checks the arguments. */
        public UdpBinding {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(mode, "mode");
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("UDP bind address " + address + " is unresolved");
            }
        }
    }

    /**
     * {@return the UDP addresses, in {@link Builder#bindUdp} order; their datagrams go to the
     * worker's handler, which must implement {@link DatagramHandler}}
     */
    public List<UdpBinding> udpBindings() {
        return udpBindings;
    }

    /** {@return the most bytes queued for sending on one UDP socket} */
    public long udpSendQueueLimit() {
        return udpSendQueueLimit;
    }

    /**
     * {@return the largest datagram delivered whole to {@link DatagramHandler#onDatagram}; a larger
     * one is cut to this size and goes to {@link DatagramHandler#onDatagramTruncated}}
     */
    public int maxDatagramSize() {
        return maxDatagramSize;
    }

    /** {@return addresses to listen on (may be empty: outbound connections only)} */
    public List<InetSocketAddress> bindAddresses() {
        return bindAddresses;
    }

    /** {@return size in bytes of one receive buffer} */
    public int recvBufferSize() {
        return recvBufferSize;
    }

    /** {@return receive buffers per worker (io_uring: entries of the provided buffer ring)} */
    public int recvBufferCount() {
        return recvBufferCount;
    }

    /** {@return the most connections one worker serves at once} */
    public int maxConnectionsPerWorker() {
        return maxConnectionsPerWorker;
    }

    /** {@return the most bytes queued for sending on one connection} */
    public long sendQueueLimit() {
        return sendQueueLimit;
    }

    /** {@return the most received-but-unconsumed bytes kept for one connection} */
    public int inboundLimit() {
        return inboundLimit;
    }

    /** {@return the size of the registered-region table (initial plus dynamic slots)} */
    public int maxRegions() {
        return maxRegions;
    }

    /** {@return regions installed at start in slots {@code 0..k-1}} */
    public List<MemoryRegion> initialRegions() {
        return initialRegions;
    }

    /** {@return the backend asked for by name, or null for auto-selection (see {@link #BACKEND_PROPERTY})} */
    public String backend() {
        return backend;
    }

    /** {@return how long a graceful shutdown waits for pending sends before force-closing} */
    public Duration shutdownGracePeriod() {
        return shutdownGracePeriod;
    }

    /** {@return accepted connections handed to one worker and not yet taken by it, at most} */
    public int acceptHandoffLimit() {
        return acceptHandoffLimit;
    }

    /** {@return the listen backlog} */
    public int backlog() {
        return backlog;
    }

    /** {@return threads of the pool behind {@link WorkerContext#runBlocking}} */
    public int blockingPoolSize() {
        return blockingPoolSize;
    }

    /**
     * {@return the idle timeout of new connections: one with no byte received or written for this
     * long is closed with {@link CloseReason#IDLE_TIMEOUT}; {@link Duration#ZERO} (the default) means none}
     * Each connection can change its own with {@link Connection#setIdleTimeout(Duration)}.
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * {@return the most tasks given to {@link WorkerContext#execute} that may wait in one worker's
     * queue; beyond it {@code execute} throws {@link java.util.concurrent.RejectedExecutionException}}
     * The runtime's own tasks for the worker do not count.
     */
    public int taskQueueLimit() {
        return taskQueueLimit;
    }

    /**
     * {@return the most {@link WorkerContext#runBlocking} tasks that may wait for a thread of the
     * blocking pool (runtime-wide, on top of the {@link #blockingPoolSize()} running ones); beyond it
     * {@code runBlocking} fails its stage with {@link java.util.concurrent.RejectedExecutionException}}
     */
    public int blockingQueueLimit() {
        return blockingQueueLimit;
    }

    /**
     * {@return the backend options set with {@link Builder#option}, by name, in the order set;
     * immutable} They are validated by {@link Runtime#start}: against the selected backend's
     * declared options, or another present backend's (then ignored), so one configuration can carry
     * the options of several backends.
     */
    public Map<String, Object> options() {
        return options;
    }

    /** {@return how a worker waits when it has nothing to do; default {@link IdleStrategy#BLOCKING}} */
    public IdleStrategy idleStrategy() {
        return idleStrategy;
    }

    /**
     * {@return whether each worker thread is pinned to one CPU when it starts; default false} Worker
     * {@code i} runs on {@code workerCpus()[i % workerCpus().length]} if {@link #workerCpus()} is not
     * empty, else on the {@code i}-th CPU (wrapping) of the set the process may run on at start
     * ({@code sched_getaffinity}). Linux only: elsewhere, or if the kernel refuses, workers run
     * unpinned and the runtime logs why (pinning never fails the start).
     */
    public boolean pinWorkers() {
        return pinWorkers;
    }

    /** {@return the CPUs workers are pinned to, in worker order, wrapping (a copy); empty unless set explicitly} */
    public int[] workerCpus() {
        return workerCpus.clone();
    }

    @Override
    public String toString() {
        return "Config[workers=" + workers + ", bind=" + bindAddresses
                + (udpBindings.isEmpty() ? "" : ", bindUdp=" + udpBindings) + ", recvBufferSize=" + recvBufferSize
                + ", recvBufferCount=" + recvBufferCount + ", maxConnectionsPerWorker=" + maxConnectionsPerWorker
                + ", sendQueueLimit=" + sendQueueLimit + ", inboundLimit=" + inboundLimit + ", maxRegions=" + maxRegions
                + ", initialRegions=" + initialRegions.size() + ", backend=" + (backend == null ? "auto" : backend)
                + ", shutdownGracePeriod=" + shutdownGracePeriod + ", acceptHandoffLimit=" + acceptHandoffLimit
                + ", backlog=" + backlog + ", blockingPoolSize=" + blockingPoolSize + ", taskQueueLimit=" + taskQueueLimit
                + ", blockingQueueLimit=" + blockingQueueLimit + ", idleTimeout=" + idleTimeout
                + ", idleStrategy=" + idleStrategy
                + (pinWorkers ? ", pinWorkers=" + (workerCpus.length == 0 ? "allowed set" : java.util.Arrays.toString(workerCpus)) : "")
                + (options.isEmpty() ? "" : ", options=" + options) + "]";
    }

    /** Builder of {@link Config}. Not thread-safe. */
    public static final class Builder {
        private int workers = java.lang.Runtime.getRuntime().availableProcessors();
        private final List<Binding> bindings = new ArrayList<>();
        private final List<UdpBinding> udpBindings = new ArrayList<>();
        private long udpSendQueueLimit = 1L << 20;
        private int maxDatagramSize = UdpSocket.MAX_IPV6_PAYLOAD;
        private int recvBufferSize = 16 * 1024;
        private int recvBufferCount = 256;
        private int maxConnectionsPerWorker = 16 * 1024;
        private long sendQueueLimit = 4L * 1024 * 1024;
        private int inboundLimit = 64 * 1024 * 1024;
        private int maxRegions = 64;
        private final List<MemoryRegion> initialRegions = new ArrayList<>();
        private String backend;
        private Duration shutdownGracePeriod = Duration.ofSeconds(5);
        private int acceptHandoffLimit = 1024;
        private int backlog = 1024;
        private int blockingPoolSize = 16;
        private Duration idleTimeout = Duration.ZERO;
        private int taskQueueLimit = 65536;
        private int blockingQueueLimit = 4096;
        private final Map<String, Object> options = new LinkedHashMap<>();
        private IdleStrategy idleStrategy = IdleStrategy.BLOCKING;
        private boolean pinWorkers;
        private int[] workerCpus = new int[0];

        private Builder() {
        }

        /**
         * Pins each worker thread to one CPU when it starts: worker {@code i} to the {@code i}-th
         * CPU (wrapping) of the set the process may run on at start, or, after
         * {@link #workerCpus(int...)}, to the CPUs given there. {@code false} turns pinning off and
         * forgets the CPUs given. The pinning itself happens on each worker's thread as it starts
         * (see {@link Config#pinWorkers()}); it is Linux-only and never fails the runtime.
         *
         * @param pin whether to pin; default false
         * @return this
         */
        public Builder pinWorkers(boolean pin) {
            this.pinWorkers = pin;
            if (!pin) {
                this.workerCpus = new int[0];
            }
            return this;
        }

        /**
         * Pins worker {@code i} to CPU {@code cpus[i % cpus.length]} when it starts (implies
         * {@link #pinWorkers(boolean) pinWorkers(true)}); the array is copied. The CPUs may lie
         * outside the affinity the process was started with ({@code taskset}); a CPU the kernel
         * refuses at start (offline, or outside the process's cpuset cgroup) leaves that worker
         * unpinned, and the runtime logs why.
         *
         * @param cpus CPU numbers, each in {@code [0, n)} where {@code n} is the number of CPUs of
         *             this machine (on Linux the highest possible CPU number + 1)
         * @return this
         * @throws NullPointerException     if {@code cpus} is null
         * @throws IllegalArgumentException if {@code cpus} is empty or a CPU number is out of range
         */
        public Builder workerCpus(int... cpus) {
            Objects.requireNonNull(cpus, "cpus");
            if (cpus.length == 0) {
                throw new IllegalArgumentException("workerCpus needs at least one CPU, was empty (use pinWorkers(true) to"
                        + " pin to the CPUs the process may run on)");
            }
            int count = io.ringline.internal.CpuPinning.cpuCount();
            for (int i = 0; i < cpus.length; i++) {
                if (cpus[i] < 0 || cpus[i] >= count) {
                    throw new IllegalArgumentException("workerCpus[" + i + "] must be in [0, " + (count - 1) + "] (this machine has "
                            + count + " CPUs), was " + cpus[i]);
                }
            }
            this.workerCpus = cpus.clone();
            this.pinWorkers = true;
            return this;
        }

        /**
         * Sets {@code idleStrategy}.
         *
         * @param strategy how a worker waits when it has nothing to do; default {@link IdleStrategy#BLOCKING}
         * @return this
         * @throws NullPointerException if {@code strategy} is null
         */
        public Builder idleStrategy(IdleStrategy strategy) {
            this.idleStrategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /**
         * Sets a backend option, named {@code <backend>.<knob>} (for example
         * {@code io_uring.bufferRing} or {@code nio.readsPerEvent}); setting a name again replaces
         * the value. The builder cannot know the backends' declarations: {@link Runtime#start}
         * validates the value against the option the backend declares
         * ({@link io.ringline.spi.BackendProvider#options()}), and fails with
         * {@link IllegalArgumentException} naming the option, the value and the allowed values if
         * it is unknown or invalid. Options of a backend that is present but not selected are
         * validated and ignored.
         *
         * @param name  {@code <backend>.<knob>}
         * @param value the value: a {@link Boolean}, an integral {@link Number} or a {@link String}
         * @return this
         * @throws NullPointerException     if {@code name} or {@code value} is null
         * @throws IllegalArgumentException if {@code name} is not of the form {@code <backend>.<knob>}
         */
        public Builder option(String name, Object value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value of option " + name);
            int dot = name.indexOf('.');
            if (dot <= 0 || dot == name.length() - 1 || !name.strip().equals(name)) {
                throw new IllegalArgumentException("backend option name must be '<backend>.<knob>' (e.g. 'nio.readsPerEvent'), was '"
                        + name + "'");
            }
            options.put(name, value);
            return this;
        }

        /**
         * Sets {@code workers}.
         *
         * @param workers worker threads, 1..{@value Config#MAX_WORKERS}; default: available processors
         * @return this
         * @throws IllegalArgumentException if out of range
         */
        public Builder workers(int workers) {
            this.workers = checkRange("workers", workers, 1, MAX_WORKERS);
            return this;
        }

        /**
         * Adds a listen address; port 0 picks a free port (see {@link Runtime#boundAddresses()}).
         *
         * @param address the address
         * @return this
         */
        public Builder bind(InetSocketAddress address) {
            bindings.add(new Binding(address, java.util.Optional.empty()));
            return this;
        }

        /**
         * Adds a listen address that serves TLS only (see {@link TlsConfig}).
         *
         * @param address the address; port 0 picks a free port
         * @param tls     a server configuration
         * @return this
         * @throws IllegalArgumentException if {@code tls} is a client configuration
         */
        public Builder bind(InetSocketAddress address, TlsConfig tls) {
            Objects.requireNonNull(tls, "tls");
            if (!tls.isServer()) {
                throw new IllegalArgumentException("bind " + address + " needs a server TlsConfig, got " + tls);
            }
            bindings.add(new Binding(address, java.util.Optional.of(tls)));
            return this;
        }

        /**
         * Adds a UDP address served with one socket per worker ({@link UdpMode#PER_WORKER}); see
         * {@link #bindUdp(InetSocketAddress, UdpMode)}.
         *
         * @param address the address; port 0 picks a free port
         * @return this
         * @throws IllegalArgumentException if {@code address} is unresolved
         */
        public Builder bindUdp(InetSocketAddress address) {
            return bindUdp(address, UdpMode.PER_WORKER);
        }

        /**
         * Adds a UDP address. Its sockets are bound at start (a failure fails the start) and closed at
         * shutdown; datagrams go to the worker's handler, which must implement {@link DatagramHandler}.
         * The bound addresses are {@link Runtime#udpAddresses()}, the sockets
         * {@link WorkerContext#udpSockets()}.
         *
         * @param address the address; port 0 picks a free port
         * @param mode    one socket per worker, or one shared socket on worker 0
         * @return this
         * @throws IllegalArgumentException if {@code address} is unresolved
         */
        public Builder bindUdp(InetSocketAddress address, UdpMode mode) {
            udpBindings.add(new UdpBinding(address, mode));
            return this;
        }

        /**
         * Sets {@code udpSendQueueLimit}.
         *
         * @param bytes per-UDP-socket send queue limit, {@code >= }{@value UdpSocket#MAX_IPV6_PAYLOAD}
         *              (a largest datagram must fit); default 1 MiB
         * @return this
         */
        public Builder udpSendQueueLimit(long bytes) {
            if (bytes < UdpSocket.MAX_IPV6_PAYLOAD) {
                throw new IllegalArgumentException("udpSendQueueLimit must be >= " + UdpSocket.MAX_IPV6_PAYLOAD
                        + " bytes (one largest datagram), was " + bytes);
            }
            this.udpSendQueueLimit = bytes;
            return this;
        }

        /**
         * Sets {@code maxDatagramSize}.
         *
         * @param bytes the largest datagram delivered whole, 1..{@value UdpSocket#MAX_IPV6_PAYLOAD}
         *              (default: that, so nothing is cut); larger ones arrive truncated
         *              ({@link DatagramHandler#onDatagramTruncated}). With io_uring's receive
         *              offload (GRO, on by default) each buffer of a socket's UDP buffer ring keeps a
         *              64 KiB payload area whatever this size, since coalesced receives need it;
         *              with {@code io_uring.udpGro=false} the buffers are this size, so smaller
         *              values save receive memory.
         * @return this
         */
        public Builder maxDatagramSize(int bytes) {
            this.maxDatagramSize = checkRange("maxDatagramSize", bytes, 1, UdpSocket.MAX_IPV6_PAYLOAD);
            return this;
        }

        /**
         * Sets {@code recvBufferSize}.
         *
         * @param bytes receive buffer size, 64..16 MiB; default 16 KiB
         * @return this
         */
        public Builder recvBufferSize(int bytes) {
            this.recvBufferSize = checkRange("recvBufferSize", bytes, 64, 16 << 20);
            return this;
        }

        /**
         * Sets {@code recvBufferCount}.
         *
         * @param count receive buffers per worker, 1..32768 (io_uring rounds up to a power of two); default 256
         * @return this
         */
        public Builder recvBufferCount(int count) {
            this.recvBufferCount = checkRange("recvBufferCount", count, 1, 32768);
            return this;
        }

        /**
         * Sets {@code maxConnectionsPerWorker}.
         *
         * @param max connections per worker, 1..{@value Config#MAX_CONNECTIONS_LIMIT}; default 16384
         * @return this
         */
        public Builder maxConnectionsPerWorker(int max) {
            this.maxConnectionsPerWorker = checkRange("maxConnectionsPerWorker", max, 1, MAX_CONNECTIONS_LIMIT);
            return this;
        }

        /**
         * Sets {@code sendQueueLimit}.
         *
         * @param bytes per-connection send queue limit, {@code >= 1}; default 4 MiB
         * @return this
         */
        public Builder sendQueueLimit(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("sendQueueLimit must be >= 1 byte, was " + bytes);
            }
            this.sendQueueLimit = bytes;
            return this;
        }

        /**
         * Sets {@code inboundLimit}.
         *
         * @param bytes most unconsumed received bytes kept per connection, 1 KiB..1 GiB; default
         *              64 MiB; a connection exceeding it is closed with {@link CloseReason#ERROR}
         * @return this
         */
        public Builder inboundLimit(int bytes) {
            this.inboundLimit = checkRange("inboundLimit", bytes, 1024, 1 << 30);
            return this;
        }

        /**
         * Sets {@code maxRegions}.
         *
         * @param max region table size, 0..{@value Config#MAX_REGIONS_LIMIT}; default 64
         * @return this
         */
        public Builder maxRegions(int max) {
            this.maxRegions = checkRange("maxRegions", max, 0, MAX_REGIONS_LIMIT);
            return this;
        }

        /**
         * Adds a region installed at start; the k-th one gets slot k-1. It stays registered for the
         * runtime's life: a runtime-owned region ({@link MemoryRegion#allocate(long)}) closed
         * meanwhile is freed once the runtime terminated. {@link io.ringline.Runtime#start} fails
         * with {@link IllegalStateException} if such a region was closed before the start.
         *
         * @param region the region
         * @return this
         * @throws IllegalArgumentException if {@code region} is a closed runtime-owned region
         */
        public Builder initialRegion(MemoryRegion region) {
            Objects.requireNonNull(region, "region");
            if (region.isClosed()) {
                throw new IllegalArgumentException("initial region " + region + " is closed");
            }
            initialRegions.add(region);
            return this;
        }

        /**
         * Sets {@code backend}.
         *
         * @param name backend name ({@code io_uring}, {@code nio}), or null for auto-selection
         * @return this
         */
        public Builder backend(String name) {
            if (name != null && name.isBlank()) {
                throw new IllegalArgumentException("backend name must not be blank");
            }
            this.backend = name;
            return this;
        }

        /**
         * Sets {@code shutdownGracePeriod}.
         *
         * @param grace how long shutdown waits for pending sends, {@code >= 0}; default 5 s
         * @return this
         */
        public Builder shutdownGracePeriod(Duration grace) {
            Objects.requireNonNull(grace, "grace");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("shutdownGracePeriod must be >= 0, was " + grace);
            }
            this.shutdownGracePeriod = grace;
            return this;
        }

        /**
         * Sets {@code idleTimeout}.
         *
         * @param timeout idle timeout of new connections (see {@link Config#idleTimeout()}), {@code >= 0};
         *                default {@link Duration#ZERO}: none
         * @return this
         * @throws IllegalArgumentException if negative
         */
        public Builder idleTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("idleTimeout must be >= 0 (0: none), was " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * Sets {@code acceptHandoffLimit}.
         *
         * @param limit accepted connections queued per worker, 1..65536; default 1024
         * @return this
         */
        public Builder acceptHandoffLimit(int limit) {
            this.acceptHandoffLimit = checkRange("acceptHandoffLimit", limit, 1, 65536);
            return this;
        }

        /**
         * Sets {@code backlog}.
         *
         * @param backlog listen backlog, 1..65535; default 1024
         * @return this
         */
        public Builder backlog(int backlog) {
            this.backlog = checkRange("backlog", backlog, 1, 65535);
            return this;
        }

        /**
         * Sets {@code blockingPoolSize}.
         *
         * @param threads maximum threads of the blocking pool, 1..4096; default 16
         * @return this
         */
        public Builder blockingPoolSize(int threads) {
            this.blockingPoolSize = checkRange("blockingPoolSize", threads, 1, 4096);
            return this;
        }

        /**
         * Sets {@code taskQueueLimit}.
         *
         * @param limit most {@link WorkerContext#execute} tasks waiting in one worker's queue,
         *              1..{@value Config#MAX_TASK_QUEUE_LIMIT}; default 65536. Past it {@code execute}
         *              throws {@link java.util.concurrent.RejectedExecutionException}; the runtime's
         *              own tasks (accepted connections, region updates, completions) never count.
         * @return this
         * @throws IllegalArgumentException if out of range
         */
        public Builder taskQueueLimit(int limit) {
            this.taskQueueLimit = checkRange("taskQueueLimit", limit, 1, MAX_TASK_QUEUE_LIMIT);
            return this;
        }

        /**
         * Sets {@code blockingQueueLimit}.
         *
         * @param limit most {@link WorkerContext#runBlocking} tasks waiting for a blocking-pool thread
         *              (for the whole runtime), 1..{@value Config#MAX_BLOCKING_QUEUE_LIMIT}; default
         *              4096. Past it {@code runBlocking} fails its stage with
         *              {@link java.util.concurrent.RejectedExecutionException}.
         * @return this
         * @throws IllegalArgumentException if out of range
         */
        public Builder blockingQueueLimit(int limit) {
            this.blockingQueueLimit = checkRange("blockingQueueLimit", limit, 1, MAX_BLOCKING_QUEUE_LIMIT);
            return this;
        }

        /**
         * Builds the configuration from the values set so far.
         *
         * @return the configuration
         * @throws IllegalArgumentException if the initial regions do not fit in {@code maxRegions}
         */
        public Config build() {
            if (initialRegions.size() > maxRegions) {
                throw new IllegalArgumentException("too many initial regions: " + initialRegions.size()
                        + " > maxRegions " + maxRegions);
            }
            return new Config(this);
        }

        private static int checkRange(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], was " + value);
            }
            return value;
        }
    }
}
