package io.ringline.uring;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Registration beyond RLIMIT_MEMLOCK fails cleanly, names the limit, the size and the fix, and the
 * runtime keeps running; a region is charged once, not once per worker. Root has CAP_IPC_LOCK,
 * which exempts it from the accounting, so the child runs as nobody (setpriv) under prlimit.
 */
class MemlockTest {

    private static final long LIMIT = 1024 * 1024;

    @Test
    void registrationBeyondTheLockedMemoryLimitFailsCleanly() throws Exception {
        UringTestSupport.requireIoUring();
        List<String> prefix;
        boolean root = "root".equals(System.getProperty("user.name"));
        String memlock = "--memlock=" + LIMIT + ":" + LIMIT;
        if (root) {
            assertTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux) to drop root");
            prefix = List.of("prlimit", memlock, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all");
        } else {
            prefix = List.of("prlimit", memlock);
        }
        ChildJvm.Result r = ChildJvm.run(prefix, root, MemlockChild.class, Long.toString(LIMIT));
        String out = r.output();
        System.out.println("child JVM output:\n" + out);
        assertEquals(0, r.exitCode(), out);
        assertTrue(out.contains("LIMIT " + LIMIT), out);
        assertTrue(out.contains("SMALL OK 0"), "a region is charged once, not per worker:\n" + out);
        String big = out.lines().filter(l -> l.startsWith("BIG")).findFirst().orElse("");
        assertTrue(big.startsWith("BIG FAILED"), out);
        assertTrue(big.contains("RLIMIT_MEMLOCK"), big);
        assertTrue(big.contains(Long.toString(LIMIT)), "names the limit: " + big);
        assertTrue(big.contains(Long.toString(2 * LIMIT)), "names the region size: " + big);
        assertTrue(big.contains("ulimit -l") && big.contains("CAP_IPC_LOCK"), "names the fix: " + big);
        assertTrue(out.contains("AGAIN OK"), out);
        assertTrue(out.contains("ECHO ping"), out);
        assertTrue(out.contains("DONE"), out);
    }
}
