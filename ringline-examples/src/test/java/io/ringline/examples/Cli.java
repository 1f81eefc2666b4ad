package io.ringline.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command-line client the TLS tests drive ({@code openssl}, {@code curl}, {@code redis-cli},
 * {@code redis-benchmark}) running as a child process: stdin written by the test, stdout and stderr
 * collected together by a reader thread. The tools are part of the CI machine: a missing one fails
 * the test naming the package that provides it (no skip).
 */
final class Cli implements AutoCloseable {

    private final String name;
    private final Process process;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final Thread reader;

    private Cli(String name, Process process) {
        this.name = name;
        this.process = process;
        this.reader = Thread.ofPlatform().daemon().name("cli-" + name).start(() -> drain(process.getInputStream()));
    }

    /**
     * {@return the path of executable {@code name} on the {@code PATH}}
     *
     * @param debianPackage the package to install if it is missing, for the failure message
     * @throws AssertionError if it is not installed
     */
    static Path require(String name, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError(name + " is not installed, the TLS client tests need it (apt-get install "
                + debianPackage + ")");
    }

    /** Starts {@code command}; its stdin stays open until {@link #closeInput()}. */
    static Cli start(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            return new Cli(Path.of(command.getFirst()).getFileName().toString(), p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /**
     * Runs {@code command} with an empty stdin until it exits.
     *
     * @return its output (stdout and stderr)
     * @throws AssertionError if it runs longer than {@link Await#LONG} or exits with a status other than 0
     */
    static String run(List<String> command) {
        try (Cli cli = start(command)) {
            cli.closeInput();
            cli.awaitExit(0);
            return cli.output();
        }
    }

    /** Writes {@code bytes} to the process's stdin. */
    void write(byte[] bytes) {
        try {
            OutputStream in = process.getOutputStream();
            in.write(bytes);
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(name + " stopped reading its input; output so far:\n" + output(), e);
        }
    }

    /** Closes the process's stdin (end of input). */
    void closeInput() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // the process has exited already: its status tells
        }
    }

    /** {@return everything the process wrote so far, stdout and stderr interleaved} */
    String output() {
        synchronized (output) {
            return output.toString(StandardCharsets.UTF_8);
        }
    }

    /** Waits until the output contains {@code text}; {@link AssertionError} with the output if it exits first or after {@link Await#LONG}. */
    void awaitOutput(String text) {
        Await.until(() -> {
            if (output().contains(text)) {
                return true;
            }
            if (!process.isAlive() && !reader.isAlive()) {
                throw new AssertionError(name + " exited with status " + process.exitValue() + " before printing '"
                        + text + "'; output:\n" + output());
            }
            return false;
        }, () -> name + " to print '" + text + "', output so far:\n" + output());
    }

    /**
     * Waits for the process to exit (and its output to be read).
     *
     * @param expectedStatus the exit status it must have
     * @throws AssertionError if it runs longer than {@link Await#LONG} or exits with another status
     */
    void awaitExit(int expectedStatus) {
        try {
            if (!process.waitFor(Await.LONG.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError(name + " still running after " + Await.LONG + ", output:\n" + output());
            }
            reader.join(Await.LONG.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + name, e);
        }
        if (process.exitValue() != expectedStatus) {
            throw new AssertionError(name + " exited with status " + process.exitValue() + ", expected "
                    + expectedStatus + "; output:\n" + output());
        }
    }

    /** Kills the process if it still runs. */
    @Override
    public void close() {
        process.destroyForcibly();
    }

    private void drain(InputStream in) {
        byte[] buf = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                synchronized (output) {
                    output.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // the process was killed
        }
    }

    /** {@return {@code first} followed by {@code rest}, as a mutable list to add to} */
    static List<String> command(Path first, String... rest) {
        List<String> cmd = new ArrayList<>();
        cmd.add(first.toString());
        cmd.addAll(List.of(rest));
        return cmd;
    }
}
