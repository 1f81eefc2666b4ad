package io.ringline.examples;

import io.ringline.BackendUnavailableException;
import io.ringline.Config;
import io.ringline.HandlerFactory;
import io.ringline.RinglineException;
import io.ringline.Runtime;
import io.ringline.UdpMode;
import io.ringline.UdpSocket;
import io.ringline.WorkerContext;

import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
        return serve(name, config, factory, false, out, err);
    }

    /**
     * As {@link #serve(String, Config, HandlerFactory, PrintStream, PrintStream)}; with {@code metrics}
     * a {@link MetricsPrinter} prints one line of the workers' counters per second to {@code out}
     * while the server runs, and stops when the runtime terminated.
     */
    static int serve(String name, Config config, HandlerFactory factory, boolean metrics, PrintStream out,
                     PrintStream err) throws InterruptedException {
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
        List<InetSocketAddress> udp = runtime.udpAddresses();
        for (int i = 0; i < udp.size(); i++) {
            boolean perWorker = config.udpBindings().get(i).mode() == UdpMode.PER_WORKER;
            out.println(prefix + "UDP on " + format(udp.get(i)) + (perWorker
                    ? " with " + runtime.workerCount() + " workers (one socket each, SO_REUSEPORT)"
                    : " (one socket, worker 0)"));
        }
        if (!udp.isEmpty()) {
            out.println(prefix + "UDP offloads of worker 0's first socket: " + udpOffloads(runtime));
        }
        out.println(prefix + "press Ctrl-C (SIGINT) or send SIGTERM to stop");
        out.flush();

        MetricsPrinter printer = metrics
                ? MetricsPrinter.start(prefix, runtime, config.bindings().isEmpty(), out, MetricsPrinter.INTERVAL)
                : null;
        RinglineException failure = null;
        try {
            runtime.awaitTermination();
        } catch (RinglineException e) {
            failure = e; // a worker died, and the runtime shut itself down
        } finally {
            if (printer != null) {
                printer.close();
            }
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

    /**
     * {@return whether worker 0's first UDP socket receives coalesced datagrams (GRO) and sends
     * segmented ones through the kernel (GSO), as "GRO on, GSO off"}; asked on worker 0's thread, as
     * {@link UdpSocket} requires
     */
    static String udpOffloads(Runtime runtime) throws InterruptedException {
        CompletableFuture<String> answer = new CompletableFuture<>();
        WorkerContext worker = runtime.worker(0);
        try {
            worker.execute(() -> {
                List<UdpSocket> sockets = worker.udpSockets();
                answer.complete(sockets.isEmpty() ? "none (worker 0 has no UDP socket)"
                        : "GRO " + onOff(sockets.getFirst().receiveOffload())
                                + ", GSO " + onOff(sockets.getFirst().segmentationOffload()));
            });
            return answer.get(5, TimeUnit.SECONDS);
        } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
            return "unknown (" + e + ")";
        }
    }

    private static String onOff(boolean on) {
        return on ? "on" : "off";
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
