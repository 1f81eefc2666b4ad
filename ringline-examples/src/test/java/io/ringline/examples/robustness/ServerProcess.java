package io.ringline.examples.robustness;

import io.ringline.examples.Backends;
import org.junit.jupiter.api.Assertions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One example server ({@code echo}, {@code resp} or {@code http} of {@code io.ringline.examples.Main})
 * running as a child JVM on a loopback port, for the robustness suite.
 *
 * <p>The child runs {@code $JAVA_HOME/bin/java -Xmx256m -Dringline.backend=<backend> -cp <this JVM's
 * class path> io.ringline.examples.Main <command> --port 0 --workers 2 --host 127.0.0.1 ...}; {@link #start}
 * returns once it printed its "listening on HOST:PORT" line. The test gets the port, the pid, the
 * child's open fds and RSS (from {@code /proc}), a fresh-client probe, SIGTERM and the exit status,
 * and the captured output for failure messages. A sampler records the peak RSS while the child runs.
 *
 * <p>{@link #close()} kills the child (SIGKILL) if it still runs; tests call it in {@code @AfterEach}
 * (and a JVM shutdown hook kills children left behind by a test JVM that is itself stopped).
 *
 * <p>Thread-safety: every method may be called from any thread.
 *
 * <p>The cases' client threads are platform threads, not virtual ones: on JDK 25 a virtual thread
 * blocked in a socket write to a server that stopped reading was not woken by closing the socket,
 * which left an attacking client stuck past every deadline.
 */
final class ServerProcess implements AutoCloseable {

    /** Heap of the child JVM. */
    static final String HEAP = "-Xmx256m";
    /**
     * Bound on the child's resident memory in every case: the 256 MiB heap plus the JVM's own
     * (code cache, metaspace, thread stacks: about 100 MiB), the backends' receive buffers and the
     * RESP arena (a few MiB each), with room to spare. A server whose memory use grows with what
     * clients send (not with what it was configured to keep) crosses it.
     */
    static final long RSS_BOUND = 600L << 20;
    /** Descriptors the JDK may open lazily after the baseline was measured (class loading, /dev/random, ...). */
    static final int FD_SLACK = 8;
    /** How long open fds may take to come back to the baseline (a closing connection may linger 5 s). */
    static final Duration FD_DEADLINE = Duration.ofSeconds(20);
    /** How long the child may take to print its listening line. */
    static final Duration START_DEADLINE = Duration.ofSeconds(60);
    /** Characters of the child's output kept (the start and the most recent part). */
    private static final int OUTPUT_KEEP = 256 * 1024;

    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+) with");
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        java.lang.Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "robustness-kill-children"));
    }

    private final String name;
    private final Process process;
    private final StringBuilder output = new StringBuilder();
    private final AtomicLong peakRss = new AtomicLong();
    private final Thread sampler;
    private volatile int port = -1;

    private ServerProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread.ofPlatform().daemon().name("robustness-output-" + process.pid()).start(this::captureOutput);
        this.sampler = Thread.ofPlatform().daemon().name("robustness-rss-" + process.pid()).start(this::sampleRss);
    }

    // ------------------------------------------------------------------ backends

    /** {@return the backends every case runs on: see {@link Backends#names()}} */
    static List<String> backends() {
        return Backends.names();
    }

    /** Fails or skips the calling test if {@code backend} cannot run here: see {@link Backends#assumeAvailable}. */
    static void requireAvailable(String backend) {
        Backends.assumeAvailable(backend);
    }

    // ------------------------------------------------------------------ start and stop

    /**
     * Starts {@code command} on {@code backend} and waits for its listening line.
     *
     * @param extraArgs more arguments of the command (for example {@code --arena-mb 4})
     * @throws AssertionError with the output if the child exits or does not listen within {@link #START_DEADLINE}
     */
    static ServerProcess start(String backend, String command, String... extraArgs) {
        requireAvailable(backend);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, HEAP,
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dringline.backend=" + backend, "-Dorg.slf4j.simpleLogger.log.io.ringline.internal.Worker=debug",
                "-cp", System.getProperty("java.class.path"),
                "io.ringline.examples.Main", command, "--port", "0", "--workers", "2", "--host", "127.0.0.1"));
        cmd.addAll(List.of(extraArgs));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
        LIVE.add(p);
        ServerProcess s = new ServerProcess(command + "/" + backend, p);
        s.awaitListening();
        return s;
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        long pause = 1_000_000;
        while (port < 0) {
            if (!process.isAlive()) {
                throw new AssertionError(name + ": server exited with status " + process.exitValue()
                        + " before listening; output:\n" + output());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(name + ": server did not print 'listening on' within " + START_DEADLINE
                        + "; output:\n" + output());
            }
            LockSupport.parkNanos(pause); // poll interval while waiting for the line
            pause = Math.min(pause * 2, 20_000_000);
        }
    }

    private void captureOutput() {
        try (InputStream in = process.getInputStream()) {
            byte[] buf = new byte[8192];
            StringBuilder line = new StringBuilder();
            int n;
            while ((n = in.read(buf)) > 0) {
                String chunk = new String(buf, 0, n, StandardCharsets.UTF_8);
                synchronized (output) {
                    output.append(chunk);
                    if (output.length() > 2 * OUTPUT_KEEP) {
                        output.delete(OUTPUT_KEEP / 2, output.length() - OUTPUT_KEEP)
                                .insert(OUTPUT_KEEP / 2, "\n[... output cut ...]\n");
                    }
                }
                if (port < 0) {
                    line.append(chunk);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port = Integer.parseInt(m.group(2));
                    }
                }
            }
        } catch (IOException ignored) {
            // the child is gone
        }
    }

    private void sampleRss() {
        while (process.isAlive()) {
            long rss = rssBytes();
            peakRss.accumulateAndGet(rss, Math::max);
            LockSupport.parkNanos(20_000_000); // sampling interval
        }
    }

    /** Sends SIGTERM (the child shuts down gracefully and exits with 143, or 0). */
    void sigterm() {
        process.destroy(); // SIGTERM on Linux
    }

    /** {@return the exit status, or -1 if the child still runs after {@code timeout}} */
    int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** Kills the child if it still runs and waits for it. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        process.waitFor(30, TimeUnit.SECONDS);
        sampler.join(1000);
        LIVE.remove(process);
    }

    // ------------------------------------------------------------------ observations

    /** {@return the port the server listens on (127.0.0.1)} */
    int port() {
        return port;
    }

    /** {@return the server's address} */
    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** {@return the child's pid} */
    long pid() {
        return process.pid();
    }

    /** {@return whether the child still runs} */
    boolean isAlive() {
        return process.isAlive();
    }

    /** {@return "resp/nio" and the like} */
    String name() {
        return name;
    }

    /** {@return the number of entries in /proc/PID/fd, or -1 once the child is gone} */
    int openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
            return (int) fds.count();
        } catch (NoSuchFileException gone) {
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return VmRSS of the child in bytes, or 0 once it is gone} */
    long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return 0;
        } catch (IOException gone) {
            return 0;
        }
    }

    /** {@return the largest RSS sampled so far (every 20 ms)} */
    long peakRssBytes() {
        return Math.max(peakRss.get(), rssBytes());
    }

    /** {@return the output of the child so far (stdout and stderr)} */
    String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /** {@return the last {@code chars} characters of the output, for failure messages} */
    String outputTail(int chars) {
        String o = output();
        return o.length() <= chars ? o : "[...]" + o.substring(o.length() - chars);
    }

    // ------------------------------------------------------------------ fresh client

    /** {@return whether a new connection gets a correct reply to a trivial request within {@code timeout}} */
    boolean answersFreshClient(Duration timeout) {
        return freshClientProblem(timeout) == null;
    }

    /**
     * Opens a new connection and sends the command's trivial request (echo: a line; resp: PING;
     * http: GET /plaintext).
     *
     * @return null if the correct reply arrived within {@code timeout}, else what went wrong
     */
    String freshClientProblem(Duration timeout) {
        String command = name.substring(0, name.indexOf('/'));
        String request;
        String expected;
        switch (command) {
            case "echo" -> {
                request = "fresh client " + System.nanoTime() + "\n";
                expected = request;
            }
            case "resp" -> {
                request = "*1\r\n$4\r\nPING\r\n";
                expected = "+PONG\r\n";
            }
            case "http" -> {
                request = "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
                expected = "\r\n\r\nHello, World!";
            }
            default -> throw new IllegalStateException(command);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        StringBuilder got = new StringBuilder();
        try (Socket s = new Socket()) {
            s.connect(address(), (int) Math.max(1, timeout.toMillis()));
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            while (!(command.equals("http") ? got.indexOf(expected) >= 0 : got.length() >= expected.length())) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return "no complete reply within " + timeout + " (got " + quote(got) + ")";
                }
                s.setSoTimeout((int) left);
                int n = in.read(buf);
                if (n < 0) {
                    return "connection closed after " + quote(got);
                }
                got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (SocketTimeoutException e) {
            return "no complete reply within " + timeout + " (got " + quote(got) + ")";
        } catch (IOException e) {
            return e + " (got " + quote(got) + ")";
        }
        if (command.equals("http") ? !got.toString().startsWith("HTTP/1.1 200 ") : !got.toString().equals(expected)) {
            return "wrong reply " + quote(got) + ", expected " + quote(expected);
        }
        return null;
    }

    private static String quote(CharSequence s) {
        String t = s.length() > 200 ? s.subSequence(0, 200) + "..." : s.toString();
        return "'" + t.replace("\r", "\\r").replace("\n", "\\n") + "'";
    }

    // ------------------------------------------------------------------ the checks every case ends with

    /**
     * Warms the server up (a few fresh-client requests, so the JDK opened what it opens lazily) and
     * {@return the number of open fds then: the baseline of {@link #assertRecovered}}
     */
    int warmUpAndMeasureFds() {
        for (int i = 0; i < 3; i++) {
            String problem = freshClientProblem(Duration.ofSeconds(10));
            if (problem != null) {
                throw new AssertionError(name + ": the warm-up request failed: " + problem + "; output:\n"
                        + outputTail(4000));
            }
        }
        int[] last = {-1};
        // the warm-up connections are closed by now or shortly: wait until the count settles
        awaitTrue(Duration.ofSeconds(10), () -> {
            int n = openFds();
            boolean stable = n == last[0];
            last[0] = n;
            return stable;
        });
        return last[0];
    }

    /** How long a fresh client may wait for its reply once an attack ended. */
    static final Duration RECOVERY_REPLY = Duration.ofSeconds(5);

    /**
     * The end of every case: the server is alive, logged no {@code OutOfMemoryError}, answers a fresh
     * client within {@link #RECOVERY_REPLY} (the in-attack probes allow the same: on a loaded 2-core CI
     * machine the worker may still be discarding what the attackers sent when their sockets close), its open fds come back to {@code baselineFds} (+{@value #FD_SLACK}) within
     * {@link #FD_DEADLINE}, and its peak RSS stayed under {@link #RSS_BOUND}.
     *
     * @param what the case, for the messages
     */
    void assertRecovered(String what, int baselineFds) {
        String prefix = name + " " + what + ": ";
        if (!process.isAlive()) {
            Assertions.fail(prefix + "the server died (exit status " + process.exitValue() + "); output:\n"
                    + outputTail(6000));
        }
        assertNoOutOfMemory(what);
        String problem = freshClientProblem(RECOVERY_REPLY);
        if (problem != null) {
            Assertions.fail(prefix + "the server no longer answers a fresh client within " + RECOVERY_REPLY + ": " + problem
                    + "; output:\n" + outputTail(4000));
        }
        boolean back = awaitTrue(FD_DEADLINE, () -> openFds() <= baselineFds + FD_SLACK);
        if (!back) {
            Assertions.fail(prefix + "open fds did not return to the baseline within " + FD_DEADLINE + ": baseline "
                    + baselineFds + " (+" + FD_SLACK + " allowed), now " + openFds() + "; output:\n" + outputTail(2000));
        }
        assertRssBounded(what);
    }

    /** Fails if the child's output contains {@code OutOfMemoryError}. */
    void assertNoOutOfMemory(String what) {
        String o = output();
        int at = o.indexOf("OutOfMemoryError");
        if (at >= 0) {
            int from = Math.max(0, o.lastIndexOf('\n', at) + 1);
            Assertions.fail(name + " " + what + ": the server ran out of memory: "
                    + o.substring(from, Math.min(o.length(), from + 3000)));
        }
    }

    /** Fails if the peak RSS exceeded {@link #RSS_BOUND}. */
    void assertRssBounded(String what) {
        long peak = peakRssBytes();
        if (peak > RSS_BOUND) {
            Assertions.fail(name + " " + what + ": peak RSS " + (peak >> 20) + " MiB exceeds the bound "
                    + (RSS_BOUND >> 20) + " MiB (-Xmx256m)");
        }
    }

    /** Polls {@code condition} until it holds or {@code timeout} elapses; {@return whether it held} */
    static boolean awaitTrue(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 100_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(pause); // poll interval, not a guess of when the event happens
            pause = Math.min(pause * 2, 20_000_000);
        }
        return true;
    }
}
