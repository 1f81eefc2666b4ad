package io.ringline.internal;

import io.ringline.BackendUnavailableException;
import io.ringline.Config;
import io.ringline.Runtime;
import io.ringline.spi.Availability;
import io.ringline.spi.Backend;
import io.ringline.spi.BackendContext;
import io.ringline.spi.BackendProvider;
import io.ringline.spi.Capability;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backend selection as a function of the providers present (fake ones: no backend runs): by
 * name, by system property, by priority among the available; errors naming the request, the reason
 * and the available backends. The conformance suite checks the same with the real backends once.
 */
class BackendSelectorTest {

    /** A provider that is never opened. */
    private record Fake(String name, int priority, Availability availability) implements BackendProvider {
        @Override
        public Set<Capability> capabilities() {
            return Set.of();
        }

        @Override
        public Backend open(BackendContext context) {
            throw new AssertionError("selection never opens a backend");
        }
    }

    private static final Fake LOW = new Fake("low", 10, Availability.available("always"));
    private static final Fake MID = new Fake("mid", 20, Availability.available("always"));
    private static final Fake HIGH_UNAVAILABLE = new Fake("high", 1_000, Availability.unavailable("probe says no"));
    /** As the class path would give them: highest priority first. */
    private static final List<BackendProvider> PROVIDERS = sorted(LOW, HIGH_UNAVAILABLE, MID);

    private String savedProperty;

    private static List<BackendProvider> sorted(BackendProvider... providers) {
        return java.util.Arrays.stream(providers).sorted(Comparator.comparingInt(BackendProvider::priority).reversed()).toList();
    }

    @BeforeEach
    void clearProperty() {
        savedProperty = System.getProperty(Config.BACKEND_PROPERTY);
        System.clearProperty(Config.BACKEND_PROPERTY);
    }

    @AfterEach
    void restoreProperty() {
        if (savedProperty == null) {
            System.clearProperty(Config.BACKEND_PROPERTY);
        } else {
            System.setProperty(Config.BACKEND_PROPERTY, savedProperty);
        }
    }

    private static Config requesting(String backend) {
        return Config.builder().backend(backend).build();
    }

    @Test
    void aRequestedBackendIsChosenEvenWithAHigherPriorityOneAvailableAndSaysWhy() {
        BackendSelector.Selection s = BackendSelector.select(requesting("low"), PROVIDERS);
        assertSame(LOW, s.provider());
        assertTrue(s.reason().contains("requested by Config.backend"), s.reason());
        assertSame(LOW, BackendSelector.select(requesting("LOW"), PROVIDERS).provider(), "names match case-insensitively");
    }

    @Test
    void theSystemPropertySelectsWhenTheConfigDoesNotAndConfigWins() {
        System.setProperty(Config.BACKEND_PROPERTY, " low ");
        BackendSelector.Selection s = BackendSelector.select(requesting(null), PROVIDERS);
        assertSame(LOW, s.provider());
        assertTrue(s.reason().contains("-D" + Config.BACKEND_PROPERTY), s.reason());
        assertSame(MID, BackendSelector.select(requesting("mid"), PROVIDERS).provider(), "Config.backend takes precedence");
        System.setProperty(Config.BACKEND_PROPERTY, "high");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> BackendSelector.select(requesting(null), PROVIDERS));
        assertTrue(e.getMessage().contains(Config.BACKEND_PROPERTY), "names the property: " + e.getMessage());
        System.setProperty(Config.BACKEND_PROPERTY, "  ");
        assertSame(MID, BackendSelector.select(requesting(null), PROVIDERS).provider(), "a blank property requests nothing");
    }

    @Test
    void withoutARequestTheHighestPriorityAvailableWinsAndTheSkippedOnesAreNamed() {
        BackendSelector.Selection s = BackendSelector.select(requesting(null), PROVIDERS);
        assertSame(MID, s.provider(), "the unavailable higher-priority provider is never chosen");
        assertTrue(s.reason().contains("priority"), s.reason());
        assertTrue(s.reason().contains("high unavailable: probe says no"), s.reason());
        assertSame(LOW, BackendSelector.select(requesting(null), sorted(LOW)).provider());
    }

    @Test
    void anAbsentBackendFailsNamingItAndTheAvailableOnes() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> BackendSelector.select(requesting("no-such-backend"), PROVIDERS));
        String m = e.getMessage();
        assertTrue(m.contains("no-such-backend") && m.contains("not on the class path"), m);
        assertTrue(m.contains("available backends: [mid, low]"), m);
        assertTrue(m.contains("high (unavailable: probe says no)"), "lists the present ones with reasons: " + m);
    }

    @Test
    void anUnavailableBackendFailsNamingItTheReasonAndTheAvailableOnes() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> BackendSelector.select(requesting("high"), PROVIDERS));
        String m = e.getMessage();
        assertTrue(m.contains("'high'") && m.contains("probe says no") && m.contains("[mid, low]"), m);
    }

    @Test
    void noAvailableBackendFailsNamingWhatIsPresentOrHowToAddOne() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> BackendSelector.select(requesting(null), sorted(HIGH_UNAVAILABLE)));
        assertTrue(e.getMessage().contains("high (unavailable: probe says no)"), e.getMessage());
        BackendUnavailableException none = assertThrows(BackendUnavailableException.class,
                () -> BackendSelector.select(requesting(null), List.of()));
        assertTrue(none.getMessage().contains("ringline-nio"), none.getMessage());
    }

    /** A start whose selection fails starts no thread (nothing to shut down). */
    @Test
    void aFailedSelectionAtStartLeavesNoThread() {
        Set<String> before = ringlineThreads();
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> Runtime.start(requesting("no-such-backend"), w -> (c, d) -> d.remaining()).close());
        assertTrue(e.getMessage().contains("no-such-backend"), e.getMessage());
        assertEquals(before, ringlineThreads());
    }

    private static Set<String> ringlineThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("ringline-")).collect(Collectors.toSet());
    }
}
