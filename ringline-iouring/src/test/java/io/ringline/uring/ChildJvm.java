package io.ringline.uring;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a main class of the test class path in a child JVM, optionally behind a command prefix
 * (e.g. {@code prlimit}/{@code setpriv}); the class path is first copied to a world-readable temp
 * directory so that an unprivileged child can read it.
 */
final class ChildJvm {

    /** Exit code and combined output of a child. */
    record Result(int exitCode, String output) {
    }

    private ChildJvm() {
    }

    static Result run(List<String> prefix, boolean worldReadable, Class<?> main, String... args) throws Exception {
        return run(prefix, List.of(), worldReadable, main, args);
    }

    static Result run(List<String> prefix, List<String> jvmArgs, boolean worldReadable, Class<?> main, String... args)
            throws Exception {
        Path tmp = null;
        String classPath = System.getProperty("java.class.path");
        try {
            if (worldReadable) {
                tmp = Files.createTempDirectory("ringline-child-");
                classPath = copyClassPath(classPath, tmp);
                makeReadable(tmp);
            }
            List<String> cmd = new ArrayList<>(prefix);
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.add("--sun-misc-unsafe-memory-access=allow");
            cmd.add("-XX:-UsePerfData");
            cmd.addAll(jvmArgs);
            cmd.add("-Djava.io.tmpdir=" + (tmp != null ? tmp : System.getProperty("java.io.tmpdir")));
            cmd.add("-cp");
            cmd.add(classPath);
            cmd.add(main.getName());
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out;
            try (var in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("child JVM did not exit: " + cmd);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } finally {
            if (tmp != null) {
                try (Stream<Path> s = Files.walk(tmp)) {
                    s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    private static String copyClassPath(String classPath, Path dir) throws IOException {
        List<String> copied = new ArrayList<>();
        int i = 0;
        for (String entry : classPath.split(File.pathSeparator)) {
            Path src = Path.of(entry);
            if (!Files.exists(src)) {
                continue;
            }
            Path dst = dir.resolve((i++) + "-" + src.getFileName());
            if (Files.isDirectory(src)) {
                try (Stream<Path> s = Files.walk(src)) {
                    for (Path f : s.toList()) {
                        Path t = dst.resolve(src.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            } else {
                Files.copy(src, dst);
            }
            copied.add(dst.toString());
        }
        return String.join(File.pathSeparator, copied);
    }

    private static void makeReadable(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.toList()) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxrwxrwx" : "rw-r--r--"));
            }
        }
    }
}
