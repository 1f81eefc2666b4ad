package io.ringline.tests.tls;

import io.ringline.tests.support.Await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An {@code openssl} process ({@code s_server} or {@code s_client}) as a TLS peer: its standard
 * output is collected by a thread so a test waits for text with a deadline; standard error goes to
 * a file shown in failure messages. Closing destroys the process.
 */
final class OpensslProcess implements AutoCloseable {

    /** Where the tests expect the openssl binary. */
    static final Path OPENSSL = Path.of("/usr/bin/openssl");

    private final Process process;
    private final StringBuilder out = new StringBuilder();
    private final Path err;

    private OpensslProcess(Process process, Path err) {
        this.process = process;
        this.err = err;
        Thread.ofPlatform().daemon().name("openssl-stdout").start(this::pump);
    }

    /** Starts {@code openssl args...} in the module directory; fails clearly if openssl is not installed. */
    static OpensslProcess start(String... args) throws IOException {
        if (!Files.isExecutable(OPENSSL)) {
            throw new AssertionError(OPENSSL + " is missing: the TLS interoperability tests need openssl installed");
        }
        List<String> command = new ArrayList<>();
        command.add(OPENSSL.toString());
        command.addAll(List.of(args));
        Path err = Files.createTempFile("ringline-openssl-", ".err");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        return new OpensslProcess(p, err);
    }

    private void pump() {
        byte[] b = new byte[4096];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(b)) >= 0) {
                synchronized (out) {
                    out.append(new String(b, 0, n, StandardCharsets.ISO_8859_1));
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    /** {@return standard output so far} */
    String output() {
        synchronized (out) {
            return out.toString();
        }
    }

    /** {@return standard error so far} */
    String errors() {
        try {
            return Files.readString(err, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(cannot read " + err + ": " + e + ")";
        }
    }

    /** Waits until standard output contains {@code text}. */
    void awaitOutput(String text) {
        Await.until(() -> output().contains(text),
                () -> "openssl printed '" + text + "'; stdout: " + output() + "; stderr: " + errors()
                        + (process.isAlive() ? "" : "; exited with " + process.exitValue()));
    }

    /** {@return the process's standard input} */
    OutputStream input() {
        return process.getOutputStream();
    }

    /** Waits for the process to exit and returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("openssl did not exit within " + timeout + "; stderr: " + errors());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(err);
    }
}
