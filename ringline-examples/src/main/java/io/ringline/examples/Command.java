package io.ringline.examples;

import java.io.PrintStream;
import java.util.List;

/**
 * One subcommand of {@link Main} ({@code echo}, {@code resp}, {@code http}, {@code udp-echo}). Register a new
 * one in {@link Main#COMMANDS}.
 */
interface Command {

    /** {@return the name typed on the command line} */
    String name();

    /** {@return a one-line description for the usage listing} */
    String summary();

    /** {@return the options part of the usage line, e.g. {@code "--port N [--workers N]"}} */
    String usage();

    /**
     * Runs the command; a server runs until the JVM is asked to stop (SIGINT/SIGTERM).
     *
     * @param args the arguments after the command name
     * @param out  where normal output goes
     * @param err  where errors go
     * @return the process exit status (see {@link Main})
     * @throws UsageException       if the arguments are bad ({@link Main} prints the usage and exits 64)
     * @throws InterruptedException if interrupted while serving
     */
    int run(List<String> args, PrintStream out, PrintStream err) throws UsageException, InterruptedException;
}
