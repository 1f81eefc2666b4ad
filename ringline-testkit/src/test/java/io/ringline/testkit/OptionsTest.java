package io.ringline.testkit;

import io.ringline.Handler;
import io.ringline.Runtime;
import io.ringline.spi.BackendOption;
import io.ringline.spi.BackendProvider;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The provider's declarations, and options that {@code Runtime.start} refuses naming the option and its range. */
class OptionsTest {

    private static final Handler IGNORE = (c, data) -> data.remaining();

    @Test
    void theProviderIsFoundByNameNeverPreferredAndDeclaresNoCapability() {
        BackendProvider p = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(x -> x.name().equals("testkit")).findFirst().orElseThrow();
        assertTrue(p instanceof TestkitBackendProvider);
        assertEquals(1, p.priority());
        assertTrue(p.availability().available(), p.availability().reason());
        assertEquals(Set.of(), p.capabilities());
        assertEquals(TestkitOptions.all(), p.options());
        for (BackendOption<?> o : p.options()) {
            assertEquals("testkit", o.backend(), o.name());
        }
    }

    private static String messages(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable x = t; x != null; x = x.getCause()) {
            s.append(x).append(" / ");
        }
        return s.toString();
    }

    private static void assertRefused(String option, Object value, String allowed) {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> Runtime.start(Testkit.config().option(option, value).build(), worker -> IGNORE).close());
        String m = messages(e);
        assertTrue(m.contains(option) && m.contains(allowed), m);
    }

    @Test
    void anOptionOutOfItsRangeFailsTheStartNamingItAndTheRange() {
        assertRefused("testkit.window", 0, "[1, 67108864]");
        assertRefused("testkit.maxWriteChunk", -1, "[0, 67108864]");
        assertRefused("testkit.maxReadChunk", 16 * 1024 * 1024 + 1, "[0, 16777216]");
        assertRefused("testkit.readDelayMillis", 60_001, "[0, 60000]");
        assertRefused("testkit.seed", -5, "[0, 2147483647]");
        assertRefused("testkit.window", "lots", "[1, 67108864]");
    }

    @Test
    void anUnknownOptionFailsTheStartNamingTheKnownOnes() {
        assertRefused("testkit.speed", 3, "testkit.readDelayMillis");
    }
}
