package io.ringline.examples;

import io.ringline.BackendUnavailableException;
import io.ringline.Config;
import io.ringline.HandlerFactory;
import io.ringline.RinglineException;
import io.ringline.Runtime;

import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/** Runs a server subcommand: start, report backend and address, serve until SIGINT/SIGTERM, shut down gracefully. */
final class Servers {

    private Servers() {
    }

    /**
     * Starts a runtime with {@code config} and {@code factory} and blocks until it terminates
     * (a shutdown hook shuts it down gracefully when the JVM is asked to stop).
     *
     * @param name the command name, used as the prefix of messages
     * @return the exit status: {@link Main#EXIT_OK}, {@link Main#EXIT_BACKEND_UNAVAILABLE} or {@link Main#EXIT_FAILURE}
     *     (failed to start, or a worker died and took the runtime down: the message names the cause)
     */
    static int serve(String name, Config config, HandlerFactory factory, PrintStream out, PrintStream err)
            throws InterruptedException {
        String prefix = "ringline " + name + ": ";
        Runtime runtime;
        try {
            runtime = Runtime.start(config, factory);
        } catch (BackendUnavailableException e) {
            err.println(prefix + e.getMessage());
            return Main.EXIT_BACKEND_UNAVAILABLE;
        } catch (RinglineException e) {
            err.println(prefix + "failed to start: " + describe(e));
            return Main.EXIT_FAILURE;
        }
        Thread hook = new Thread(() -> {
            runtime.shutdownHandle().shutdown();
            try {
                // wait for the graceful shutdown so the JVM does not exit under it
                runtime.awaitTermination(config.shutdownGracePeriod().plus(Duration.ofSeconds(5)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RinglineException workerDied) {
                // reported by serve(), which is waiting too
            }
        }, "ringline-shutdown-hook");
        java.lang.Runtime.getRuntime().addShutdownHook(hook);

        out.println(prefix + "backend " + runtime.backendName() + " (" + runtime.backendSelectionReason() + ")");
        List<InetSocketAddress> bound = runtime.boundAddresses();
        for (int i = 0; i < bound.size(); i++) {
            boolean tls = config.bindings().get(i).tls().isPresent();
            out.println(prefix + "listening on " + format(bound.get(i)) + " with " + runtime.workerCount() + " workers"
                    + (tls ? ", TLS only" : ""));
        }
        out.println(prefix + "press Ctrl-C (SIGINT) or send SIGTERM to stop");
        out.flush();

        RinglineException failure = null;
        try {
            runtime.awaitTermination();
        } catch (RinglineException e) {
            failure = e; // a worker died, and the runtime shut itself down
        }
        try {
            java.lang.Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is what stopped us
        }
        if (failure != null) {
            err.println(prefix + "stopped with an error: " + describe(failure));
            err.flush();
            return Main.EXIT_FAILURE;
        }
        out.println(prefix + "stopped");
        out.flush();
        return Main.EXIT_OK;
    }

    /** {@return {@code host:port}, with brackets around an IPv6 address} */
    static String format(InetSocketAddress a) {
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        if (a.getAddress() instanceof Inet6Address) {
            host = "[" + host + "]";
        }
        return host + ":" + a.getPort();
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        Throwable c = e.getCause();
        for (int depth = 0; c != null && depth < 5; c = c.getCause(), depth++) {
            sb.append(": ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
        }
        return sb.toString();
    }
}
