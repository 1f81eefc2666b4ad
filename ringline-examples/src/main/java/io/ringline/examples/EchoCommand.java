package io.ringline.examples;

import io.ringline.Config;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;

/** {@code echo --port N [--workers N] [--host ADDR]}: an echo server. */
final class EchoCommand implements Command {

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public String summary() {
        return "echo server: sends back every byte it receives";
    }

    @Override
    public String usage() {
        return "--port N [--workers N] [--host ADDR]   (port 0: any free port; workers default: CPU count; host default: 0.0.0.0)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws UsageException, InterruptedException {
        Config config = config(args);
        return Servers.serve(name(), config, EchoHandler.factory(config), out, err);
    }

    /** {@return the runtime configuration the arguments ask for} */
    static Config config(List<String> args) throws UsageException {
        Options o = Options.parse(args, Set.of("port", "workers", "host"));
        int port = o.requiredInt("port", 0, 65535);
        int workers = o.optionalInt("workers", 1, Config.MAX_WORKERS,
                Math.min(Config.MAX_WORKERS, java.lang.Runtime.getRuntime().availableProcessors()));
        String host = o.string("host", "0.0.0.0");
        InetSocketAddress bind = new InetSocketAddress(host, port);
        if (bind.isUnresolved()) {
            throw new UsageException("option --host: cannot resolve '" + host + "'");
        }
        return Config.builder().workers(workers).bind(bind).build();
    }
}
