package io.ringline.examples;

import io.ringline.Config;

import java.io.PrintStream;
import java.util.List;

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
        return ServerOptions.USAGE + "   (port 0: any free port; workers default: CPU count; host default: 0.0.0.0)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws UsageException, InterruptedException {
        Config config = config(args);
        boolean metrics = ServerOptions.metrics(ServerOptions.parse(args));
        return Servers.serve(name(), config, EchoHandler.factory(config), metrics, out, err);
    }

    /** {@return the runtime configuration the arguments ask for} */
    static Config config(List<String> args) throws UsageException {
        return builder(args).build();
    }

    /** {@return the runtime configuration the arguments ask for, still to be built} */
    static Config.Builder builder(List<String> args) throws UsageException {
        return ServerOptions.builder(ServerOptions.parse(args));
    }
}
