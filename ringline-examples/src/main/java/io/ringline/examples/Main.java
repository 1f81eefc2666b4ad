package io.ringline.examples;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of the examples jar: {@code java -jar ringline-examples.jar <command> [options]}.
 *
 * <p>Exit status: {@value #EXIT_OK} after a normal stop, {@value #EXIT_FAILURE} when the server
 * failed to start (for example the port is taken), {@value #EXIT_BACKEND_UNAVAILABLE} when the
 * backend asked for is absent or unavailable, {@value #EXIT_USAGE} (EX_USAGE) for bad arguments.
 * Stopped by SIGINT/SIGTERM, the JVM exits with the signal's status (130/143) after a graceful
 * shutdown.
 */
public final class Main {

    /** Normal exit. */
    public static final int EXIT_OK = 0;
    /** The server could not start. */
    public static final int EXIT_FAILURE = 1;
    /** The backend asked for is absent or unavailable (or none is available). */
    public static final int EXIT_BACKEND_UNAVAILABLE = 2;
    /** Bad command-line arguments (sysexits.h EX_USAGE). */
    public static final int EXIT_USAGE = 64;

    /** The subcommands, in the order the usage lists them. Add new ones here. */
    static final List<Command> COMMANDS = List.of(
            new EchoCommand(),
            new RespCommand(),
            new HttpCommand(),
            new UdpEchoCommand());

    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }

    /**
     * Parses {@code args} and runs the subcommand.
     *
     * @return the exit status
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("ringline-examples: no command given");
            printUsage(err);
            return EXIT_USAGE;
        }
        String name = args[0];
        if (name.equals("-h") || name.equals("--help") || name.equals("help")) {
            printUsage(out);
            return EXIT_OK;
        }
        Command command = find(name);
        if (command == null) {
            err.println("ringline-examples: unknown command '" + name + "'");
            printUsage(err);
            return EXIT_USAGE;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (rest.contains("-h") || rest.contains("--help")) {
            out.println("usage: " + commandUsage(command));
            return EXIT_OK;
        }
        try {
            return command.run(rest, out, err);
        } catch (UsageException e) {
            err.println("ringline-examples " + command.name() + ": " + e.getMessage());
            err.println("usage: " + commandUsage(command));
            return EXIT_USAGE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("ringline-examples " + command.name() + ": interrupted");
            return EXIT_FAILURE;
        }
    }

    static Command find(String name) {
        for (Command c : COMMANDS) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static String commandUsage(Command c) {
        return "java -jar ringline-examples.jar " + c.name() + " " + c.usage();
    }

    static void printUsage(PrintStream s) {
        s.println("usage: java [-D" + io.ringline.Config.BACKEND_PROPERTY + "=nio|io_uring] -jar ringline-examples.jar <command> [options]");
        s.println("commands:");
        for (Command c : COMMANDS) {
            s.printf("  %-8s %s%n", c.name(), c.summary());
            s.printf("           %s %s%n", c.name(), c.usage());
        }
    }
}
