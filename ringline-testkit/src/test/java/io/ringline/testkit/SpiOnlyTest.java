package io.ringline.testkit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proof that the SPI stands alone: the testkit's sources and compiled classes never refer to
 * the core's package {@code io.ringline.internal}, only to {@code io.ringline} and
 * {@code io.ringline.spi}.
 */
class SpiOnlyTest {

    private static final Path SOURCES = Path.of("src/main/java/io/ringline/testkit");
    private static final Path CLASSES = Path.of("target/classes/io/ringline/testkit");

    private static List<Path> files(Path dir, String suffix) throws IOException {
        assertTrue(Files.isDirectory(dir), dir.toAbsolutePath() + " (run from the module's directory)");
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).toList();
        }
    }

    @Test
    void noSourceImportsOrNamesTheCorePackage() throws IOException {
        List<String> offenders = new ArrayList<>();
        List<Path> sources = files(SOURCES, ".java");
        assertTrue(sources.size() > 10, "found the sources: " + sources);
        for (Path p : sources) {
            for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                String t = line.strip();
                if (t.startsWith("import ") && !(t.startsWith("import io.ringline.spi.") || t.startsWith("import java.")
                        || t.startsWith("import org.slf4j.") || t.startsWith("import static java.")
                        || t.matches("import io\\.ringline\\.[A-Z]\\w*;"))) {
                    offenders.add(p.getFileName() + ": " + t);
                } else if (t.contains("io.ringline.internal")) {
                    offenders.add(p.getFileName() + ": " + t);
                }
            }
        }
        assertEquals(List.of(), offenders, "the testkit may use only io.ringline, io.ringline.spi, java.* and SLF4J");
    }

    @Test
    void noCompiledClassRefersToTheCorePackage() throws IOException {
        List<String> offenders = new ArrayList<>();
        List<Path> classes = files(CLASSES, ".class");
        assertTrue(classes.size() > 10, "found the classes: " + classes);
        for (Path p : classes) {
            // A class file names every class it uses in its constant pool, in internal form.
            String pool = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
            if (pool.contains("io/ringline/internal/")) {
                offenders.add(p.getFileName().toString());
            }
        }
        assertEquals(List.of(), offenders, "classes referring to io.ringline.internal");
    }
}
