package io.ringline.examples;

import io.ringline.Config;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/** {@code udp-echo --port N [--workers N] [--host ADDR] [--cpus ...] [--metrics]}: a UDP echo server. */
final class UdpEchoCommand implements Command {

    private static final Set<String> NAMES = Set.of("port", "workers", "host", "cpus");

    @Override
    public String name() {
        return "udp-echo";
    }

    @Override
    public String summary() {
        return "UDP echo server: sends every datagram back to its sender";
    }

    @Override
    public String usage() {
        return "--port N [--workers N] [--host ADDR] [--cpus auto|N[,N...] (pin workers: auto = one allowed CPU each,"
                + " or worker i on the i-th listed CPU)] " + MetricsPrinter.USAGE + "   (port 0: any free port; workers default: CPU count; host"
                + " default: 0.0.0.0; one socket per worker on the port with SO_REUSEPORT; an echo refused because"
                + " the socket's send queue is full is dropped and counted in the worker's datagramSendsRefused)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws UsageException, InterruptedException {
        boolean metrics = ServerOptions.metrics(Options.parse(args, NAMES, ServerOptions.FLAGS));
        return Servers.serve(name(), config(args), UdpEchoHandler.factory(), metrics, out, err);
    }

    /** {@return the runtime configuration the arguments ask for} */
    static Config config(List<String> args) throws UsageException {
        return builder(args).build();
    }

    /** {@return the runtime configuration the arguments ask for, still to be built: one UDP binding, PER_WORKER} */
    static Config.Builder builder(List<String> args) throws UsageException {
        Options o = Options.parse(args, NAMES, ServerOptions.FLAGS);
        return ServerOptions.workersAndCpus(o).bindUdp(ServerOptions.address(o));
    }
}
