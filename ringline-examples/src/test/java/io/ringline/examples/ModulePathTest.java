package io.ringline.examples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo on the module path, as a JPMS user runs it: {@code java -p <modules> -m
 * io.ringline.examples/io.ringline.examples.Main echo ...} in a child JVM, with the backends found
 * by service binding (nothing names them). The module path is this module's classes plus its
 * runtime dependencies as Maven resolved them ({@code target/module-path.txt}, written by the
 * dependency plugin): ringline's modules, Netty's and SLF4J's.
 */
class ModulePathTest {

    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+) with");
    private static final String OPENS = "io.netty.transport.classes.io_uring/io.netty.channel.uring=io.ringline.iouring";
    private Process process;

    @AfterEach
    void kill() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    @Test
    void autoSelectedBackendServesOnTheModulePath() throws Exception {
        String expected = ioUringExpected() ? "io_uring" : "nio";
        List<String> log = serveEcho("--add-opens", OPENS);
        assertTrue(log.stream().anyMatch(l -> l.contains("ringline echo: backend " + expected + " (")),
                "expected backend " + expected + " on the module path, log:\n" + String.join("\n", log));
    }

    @Test
    void nioServesOnTheModulePath() throws Exception {
        List<String> log = serveEcho("-Dringline.backend=nio");
        assertTrue(log.stream().anyMatch(l -> l.contains("ringline echo: backend nio (")), String.join("\n", log));
    }

    /**
     * Without {@code --add-opens} the io_uring probe cannot reach Netty's ring: io_uring is reported
     * unavailable with that reason and auto-selection falls back to NIO, instead of a worker failing.
     */
    @Test
    void withoutAddOpensIoUringIsUnavailableWithAReasonAndNioServes() throws Exception {
        List<String> log = serveEcho();
        String all = String.join("\n", log);
        assertTrue(all.contains("ringline echo: backend nio ("), all);
        assertTrue(all.contains("io_uring unavailable"), "the selection reason names why io_uring is unavailable:\n" + all);
    }

    /**
     * TLS on the module path: {@code io.netty.handler} only {@code requires static} netty-tcnative,
     * so without {@code --add-modules} for its two modules BoringSSL is out of reach and the default
     * provider falls back to the JDK's, naming the cause and the fix; with them it is openssl.
     */
    @Test
    void tlsFallsBackToJdkUnlessTcnativeModulesAreAdded() throws Exception {
        String jdk = String.join("\n", serveEcho(true, "-Dringline.backend=nio"));
        assertTrue(jdk.contains("TLS: jdk provider (openssl unavailable: ") && jdk.contains("on the module path add"
                + " --add-modules " + TlsOptions.TCNATIVE_CLASSES + "," + TlsOptions.TCNATIVE_NATIVE), jdk);
        String openssl = String.join("\n", serveEcho(true, "-Dringline.backend=nio", "--add-modules",
                TlsOptions.TCNATIVE_CLASSES + "," + TlsOptions.TCNATIVE_NATIVE));
        assertTrue(openssl.contains("TLS: openssl provider (BoringSSL"), openssl);
        assertTrue(openssl.contains("with 1 workers, TLS only"), openssl);
    }

    /** io_uring must be chosen where CI requires it; elsewhere whatever the machine offers. */
    private static boolean ioUringExpected() {
        return "1".equals(System.getenv("RINGLINE_REQUIRE_IOURING"));
    }

    private List<String> serveEcho(String... jvmOptions) throws Exception {
        return serveEcho(false, jvmOptions);
    }

    /**
     * Starts the echo server on the module path (serving TLS with {@code testdata/tls/server.crt}
     * if {@code tls}), echoes one line, stops it with SIGTERM; returns its output.
     */
    private List<String> serveEcho(boolean tls, String... jvmOptions) throws Exception {
        Path target = Path.of("target");
        Path deps = target.resolve("module-path.txt");
        assertTrue(Files.isRegularFile(deps), deps.toAbsolutePath() + " is missing: run the tests with Maven");
        String modulePath = target.resolve("classes").toAbsolutePath() + java.io.File.pathSeparator
                + Files.readString(deps).trim();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "--enable-native-access=io.ringline,io.ringline.iouring,io.netty.common",
                "--sun-misc-unsafe-memory-access=allow"));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-p", modulePath, "-m", "io.ringline.examples/io.ringline.examples.Main",
                "echo", "--port", "0", "--workers", "1", "--host", "127.0.0.1"));
        if (tls) {
            cmd.addAll(List.of("--tls-cert", TlsClientsTest.CERT.toString(), "--tls-key", TlsClientsTest.KEY.toString()));
        }
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> log = new ArrayList<>();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        int port = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while (port < 0 && System.nanoTime() < deadline && (line = out.readLine()) != null) {
            log.add(line);
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(2));
            }
        }
        assertTrue(port > 0, "the server did not print its listening line:\n" + String.join("\n", log));
        try (Socket plain = new Socket();
                Socket s = tls ? TlsClientsTest.trusting(TlsClientsTest.CERT).getSocketFactory()
                        .createSocket(connect(plain, port), "127.0.0.1", port, true) : connect(plain, port)) {
            OutputStream o = s.getOutputStream();
            o.write("hello module path\n".getBytes(StandardCharsets.UTF_8));
            o.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("hello module path", in.readLine());
        }
        process.toHandle().destroy(); // SIGTERM: the shutdown hook stops the runtime
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "still running 30 s after SIGTERM");
        while ((line = out.readLine()) != null) {
            log.add(line);
        }
        int status = process.exitValue();
        assertTrue(status == 0 || status == 143, "exit status " + status + ":\n" + String.join("\n", log));
        return log;
    }

    private static Socket connect(Socket s, int port) throws IOException {
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        s.setSoTimeout(10_000);
        return s;
    }
}
