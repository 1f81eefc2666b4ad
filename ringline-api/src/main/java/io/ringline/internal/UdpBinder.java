package io.ringline.internal;

import io.ringline.Config;
import io.ringline.DatagramHandler;
import io.ringline.Handler;
import io.ringline.RinglineException;
import io.ringline.UdpMode;
import io.ringline.spi.Capability;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Opens the sockets of {@link Config#udpBindings()} at start, once the workers run: checks that
 * the backend has {@link Capability#UDP} and that every worker's handler is a
 * {@link DatagramHandler}, then per binding opens worker 0's socket and, for
 * {@link UdpMode#PER_WORKER}, the other workers' sockets on the port it got, one after another
 * (each open finished before the next starts). Runs on the starting thread.
 */
final class UdpBinder {

    private UdpBinder() {
    }

    /**
     * @return the bound address of each binding, in order
     * @throws RinglineException if the backend or a handler cannot serve UDP, or a socket cannot be bound
     */
    static List<InetSocketAddress> bindAll(Config config, String backendName, Set<Capability> capabilities,
                                           Worker[] workers) {
        List<Config.UdpBinding> bindings = config.udpBindings();
        if (bindings.isEmpty()) {
            return List.of();
        }
        if (!capabilities.contains(Capability.UDP)) {
            throw new RinglineException("backend '" + backendName + "' has no UDP (Capability.UDP): cannot serve "
                    + "Config.bindUdp " + addresses(bindings) + "; choose a backend with UDP (Config.Builder.backend)");
        }
        for (Worker w : workers) {
            Handler h = w.handler();
            if (!(h instanceof DatagramHandler)) {
                throw new RinglineException("Config.bindUdp " + addresses(bindings) + " needs the workers' handlers to"
                        + " implement DatagramHandler, but worker " + w.workerId() + "'s handler "
                        + h.getClass().getName() + " does not");
            }
        }
        List<InetSocketAddress> bound = new ArrayList<>(bindings.size());
        for (Config.UdpBinding b : bindings) {
            boolean perWorker = b.mode() == UdpMode.PER_WORKER;
            InetSocketAddress first = bind(workers[0], b.address(), perWorker);
            bound.add(first);
            if (perWorker) {
                InetSocketAddress samePort = new InetSocketAddress(b.address().getAddress(), first.getPort());
                for (int i = 1; i < workers.length; i++) {
                    bind(workers[i], samePort, true);
                }
            }
        }
        return List.copyOf(bound);
    }

    /** Opens the socket on {@code w}'s thread and waits for it. @return its bound address */
    private static InetSocketAddress bind(Worker w, InetSocketAddress address, boolean reusePort) {
        CompletableFuture<InetSocketAddress> done = new CompletableFuture<>();
        try {
            w.executeInternal(() -> {
                try {
                    done.complete(w.bindUdp(address, reusePort));
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                    Throwables.rethrowIfFatal(t);
                }
            });
            return done.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new RinglineException("cannot bind UDP " + address + " on worker " + w.workerId() + ": "
                    + c.getMessage(), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RinglineException("interrupted while binding UDP " + address, e);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new RinglineException("cannot bind UDP " + address + ": worker " + w.workerId() + " stopped", e);
        }
    }

    private static List<InetSocketAddress> addresses(List<Config.UdpBinding> bindings) {
        return bindings.stream().map(Config.UdpBinding::address).toList();
    }
}
