package io.ringline.examples;

import io.ringline.Config;
import io.ringline.HandlerFactory;
import io.ringline.Runtime;
import io.ringline.examples.resp.RegionStore;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * An example server (echo, resp, http or udp-echo) started in this JVM, configured exactly as its command
 * line subcommand would be ({@code ExampleServer.start("resp", "nio", List.of("--port", "0",
 * "--workers", "1"))}), for benchmarks and tests that measure it in-process. {@link #close()}
 * shuts it down gracefully and frees what it owns (the RESP arena).
 *
 * <p>Threading: start and close it from any thread that is not one of its workers.
 */
public final class ExampleServer implements AutoCloseable {

    private final Runtime runtime;
    private final RegionStore store;

    private ExampleServer(Runtime runtime, RegionStore store) {
        this.runtime = runtime;
        this.store = store;
    }

    /**
     * Starts the server {@code kind} on {@code backend} with the subcommand's options {@code args}.
     *
     * @param kind    {@code echo}, {@code resp}, {@code http} or {@code udp-echo}
     * @param backend the backend name ({@code io_uring}, {@code nio}), or null to let the runtime choose
     * @param args    the subcommand's options (e.g. {@code --port 0 --workers 1 --host 127.0.0.1})
     * @return the running server
     * @throws IllegalArgumentException                if {@code kind} is none of the four, or {@code args} are
     *                                                 invalid for it (the message says why, as the command line would)
     * @throws io.ringline.BackendUnavailableException if {@code backend} cannot run here
     */
    public static ExampleServer start(String kind, String backend, List<String> args) {
        Objects.requireNonNull(kind, "kind");
        try {
            return create(kind, backend, args);
        } catch (UsageException e) {
            throw new IllegalArgumentException(kind + ": " + e.getMessage(), e);
        }
    }

    private static ExampleServer create(String kind, String backend, List<String> args) throws UsageException {
        switch (kind) {
            case "echo" -> {
                Config config = EchoCommand.builder(args).backend(backend).build();
                return new ExampleServer(Runtime.start(config, EchoHandler.factory(config)), null);
            }
            case "http" -> {
                Config config = HttpCommand.builder(args).backend(backend).build();
                return new ExampleServer(Runtime.start(config, HttpCommand.factory(args, config)), null);
            }
            case "resp" -> {
                RespCommand.Settings s = RespCommand.settings(args);
                RegionStore store = new RegionStore(s.arenaBytes(), s.regionThreshold());
                try {
                    Config config = RespCommand.configure(s.config().backend(backend), store, s.limits().maxBulk());
                    HandlerFactory factory = RespCommand.factory(config, store, s.limits());
                    return new ExampleServer(Runtime.start(config, factory), store);
                } catch (RuntimeException e) {
                    store.close();
                    throw e;
                }
            }
            case "udp-echo" -> {
                Config config = UdpEchoCommand.builder(args).backend(backend).build();
                return new ExampleServer(Runtime.start(config, UdpEchoHandler.factory()), null);
            }
            default -> throw new IllegalArgumentException("unknown example server '" + kind
                    + "': echo, resp, http or udp-echo");
        }
    }

    /** {@return the running runtime} */
    public Runtime runtime() {
        return runtime;
    }

    /**
     * {@return the address of the (first) listener, its port resolved}
     *
     * @throws java.util.NoSuchElementException for udp-echo, which has no TCP listener (see {@link #udpAddress()})
     */
    public InetSocketAddress address() {
        return runtime.boundAddresses().getFirst();
    }

    /**
     * {@return the address of the (first) UDP binding, its port resolved}
     *
     * @throws java.util.NoSuchElementException for a server without UDP (echo, resp, http)
     */
    public InetSocketAddress udpAddress() {
        return runtime.udpAddresses().getFirst();
    }

    /** Shuts the runtime down gracefully, waits for it, then frees the RESP arena. Idempotent. */
    @Override
    public void close() {
        runtime.close();
        if (store != null) {
            store.close();
        }
    }
}
