package io.ringline.examples;

import io.ringline.Config;
import io.ringline.HandlerFactory;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * {@code http --port N [--workers N] [--host ADDR] [--request-timeout SECONDS]}: the TechEmpower
 * plaintext server ({@link HttpHandler}).
 */
final class HttpCommand implements Command {

    /**
     * The ALPN protocol the server accepts over TLS: {@code http/1.1}, so a client offering
     * {@code h2, http/1.1} (curl, browsers) agrees on HTTP/1.1 in the handshake.
     */
    static final String ALPN = "http/1.1";

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
        return ServerOptions.USAGE + " [--request-timeout SECONDS (longest time a request may take to"
                + " arrive, default " + HttpHandler.DEFAULT_REQUEST_TIMEOUT.toSeconds() + ", 0: none)]";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws UsageException, InterruptedException {
        Config config = config(args);
        boolean metrics = ServerOptions.metrics(ServerOptions.parse(args, "request-timeout"));
        return Servers.serve(name(), config, factory(args, config), metrics, out, err);
    }

    /** {@return the handlers for {@code config}, with the request timeout the arguments ask for} */
    static HandlerFactory factory(List<String> args, Config config) throws UsageException {
        Options o = ServerOptions.parse(args, "request-timeout");
        Duration timeout = Duration.ofSeconds(o.optionalInt("request-timeout", 0, 24 * 3600,
                (int) HttpHandler.DEFAULT_REQUEST_TIMEOUT.toSeconds()));
        return HttpHandler.factory(config.sendQueueLimit(), timeout);
    }

    static Config config(List<String> args) throws UsageException {
        return builder(args).build();
    }

    /** {@return the runtime configuration the arguments ask for, still to be built} */
    static Config.Builder builder(List<String> args) throws UsageException {
        return builder(ServerOptions.parse(args, "request-timeout"));
    }

    private static Config.Builder builder(Options o) throws UsageException {
        // a pipelining client may send much; keep the unconsumed input of a connection modest
        return ServerOptions.builder(o, ALPN).inboundLimit(1 << 20);
    }
}
