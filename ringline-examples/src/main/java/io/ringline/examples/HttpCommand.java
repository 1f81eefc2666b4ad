package io.ringline.examples;

import io.ringline.Config;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code http --port N [--workers N] [--host ADDR] [--request-timeout SECONDS]}: the TechEmpower
 * plaintext server ({@link HttpHandler}).
 */
final class HttpCommand implements Command {

    @Override
    public String name() {
        return "http";
    }

    @Override
    public String summary() {
        return "HTTP/1.1 plaintext server: GET /plaintext -> Hello, World! (keep-alive, pipelining)";
    }

    @Override
    public String usage() {
        return "--port N [--workers N] [--host ADDR] [--request-timeout SECONDS (longest time a request may take to"
                + " arrive, default " + HttpHandler.DEFAULT_REQUEST_TIMEOUT.toSeconds() + ", 0: none)]";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws UsageException, InterruptedException {
        Options o = Options.parse(args, Set.of("port", "workers", "host", "request-timeout"));
        Config config = config(o);
        Duration timeout = Duration.ofSeconds(o.optionalInt("request-timeout", 0, 24 * 3600,
                (int) HttpHandler.DEFAULT_REQUEST_TIMEOUT.toSeconds()));
        return Servers.serve(name(), config, HttpHandler.factory(config.sendQueueLimit(), timeout), out, err);
    }

    static Config config(List<String> args) throws UsageException {
        return config(Options.parse(args, Set.of("port", "workers", "host", "request-timeout")));
    }

    private static Config config(Options o) throws UsageException {
        int port = o.requiredInt("port", 0, 65535);
        int workers = o.optionalInt("workers", 1, Config.MAX_WORKERS,
                Math.min(Config.MAX_WORKERS, java.lang.Runtime.getRuntime().availableProcessors()));
        String host = o.string("host", "0.0.0.0");
        InetSocketAddress bind = new InetSocketAddress(host, port);
        if (bind.isUnresolved()) {
            throw new UsageException("option --host: cannot resolve '" + host + "'");
        }
        // a pipelining client may send much; keep the unconsumed input of a connection modest
        return Config.builder().workers(workers).bind(bind).inboundLimit(1 << 20).build();
    }
}
