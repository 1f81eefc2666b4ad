package io.ringline.tests;

import io.ringline.Runtime;
import io.ringline.tests.support.EchoHandler;
import io.ringline.tests.support.OncePerBackendTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The line a runtime logs at start ("ringline started: ...", also its {@code toString()}) names the
 * backend, why it was chosen, the worker count, the listen address and the backend's features in use.
 */
class StartupLineTest extends OncePerBackendTest {

    @Test
    void theStartupLineNamesTheBackendTheWorkersAndTheFeaturesInUse() {
        EchoHandler echo = EchoHandler.plain();
        try (Runtime rt = start(serverConfig().workers(3), w -> echo)) {
            String line = rt.toString();
            assertContains(line, "backend " + rt.backendName() + " (" + rt.backendSelectionReason() + ")");
            assertContains(line, "3 workers");
            assertContains(line, "listening on " + rt.boundAddresses());
            List<String> features = switch (rt.backendName()) {
                case "io_uring" -> List.of("; io_uring: buffer ring ", " x ", "multishot RECV", "fixed buffers ", "SEND_ZC ",
                        "multishot ACCEPT", "GSO ", "GRO ");
                case "nio" -> List.of("; nio: ", "reads per event ", "gather limit ", "datagrams per event ");
                default -> List.of();
            };
            for (String feature : features) {
                assertContains(line, feature);
            }
        }
    }

    private static void assertContains(String line, String part) {
        assertTrue(line.contains(part), "the startup line '" + line + "' should contain '" + part + "'");
    }
}
