package io.ringline.internal;

import io.ringline.Config;
import io.ringline.RinglineException;
import io.ringline.Runtime;
import io.ringline.spi.BackendOptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendOptionsResolverTest {

    private final FakeBackendProvider selected = new FakeBackendProvider("alpha");
    private final FakeBackendProvider other = new FakeBackendProvider("beta");
    private final List<io.ringline.spi.BackendProvider> present = List.of(selected, other);

    @Test
    void theSelectedBackendsOptionsAreResolvedOverItsDefaults() {
        BackendOptions o = BackendOptionsResolver.resolve(selected, present, Map.of("alpha.count", 5));
        assertEquals(5, o.get(selected.count));
        assertEquals(false, o.get(selected.fast), "the default of an option not set");
    }

    @Test
    void valuesAreConvertedFromStrings() {
        BackendOptions o = BackendOptionsResolver.resolve(selected, present, Map.of("alpha.count", "7", "alpha.fast", "true"));
        assertEquals(7, o.get(selected.count));
        assertEquals(true, o.get(selected.fast));
    }

    @Test
    void nothingSetGivesTheDefaults() {
        BackendOptions o = BackendOptionsResolver.resolve(selected, present, Map.of());
        assertEquals(2, o.get(selected.count));
    }

    @Test
    void anUnknownOptionOfTheSelectedBackendFailsNamingItAndTheDeclaredOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackendOptionsResolver.resolve(selected, present, Map.of("alpha.cuont", 3)));
        assertTrue(e.getMessage().contains("alpha.cuont"), e.getMessage());
        assertTrue(e.getMessage().contains("alpha.count"), "names the declared options: " + e.getMessage());
    }

    @Test
    void anOutOfRangeValueFailsNamingTheValueAndTheRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackendOptionsResolver.resolve(selected, present, Map.of("alpha.count", 9)));
        assertTrue(e.getMessage().contains("alpha.count"), e.getMessage());
        assertTrue(e.getMessage().contains("'9'"), e.getMessage());
        assertTrue(e.getMessage().contains("[1, 8]"), e.getMessage());
    }

    @Test
    void aValueOfTheWrongTypeFails() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackendOptionsResolver.resolve(selected, present, Map.of("alpha.fast", 1)));
        assertTrue(e.getMessage().contains("true or false"), e.getMessage());
    }

    @Test
    void optionsOfAnotherPresentBackendAreValidatedThenIgnored() {
        BackendOptions o = BackendOptionsResolver.resolve(selected, present, Map.of("beta.count", 8, "alpha.count", 1));
        assertEquals(1, o.get(selected.count));
        assertThrows(IllegalArgumentException.class, () -> o.get(other.count), "beta's option is not alpha's");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> BackendOptionsResolver.resolve(selected, present, Map.of("beta.count", 0)));
        assertTrue(bad.getMessage().contains("beta.count"), bad.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> BackendOptionsResolver.resolve(selected, present, Map.of("beta.nope", 0)));
        assertTrue(unknown.getMessage().contains("beta.nope"), unknown.getMessage());
    }

    @Test
    void aPrefixNoPresentBackendHasFailsNamingThePresentBackends() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackendOptionsResolver.resolve(selected, present, Map.of("gamma.count", 1)));
        assertTrue(e.getMessage().contains("gamma.count"), e.getMessage());
        assertTrue(e.getMessage().contains("[alpha, beta]"), e.getMessage());
    }

    // ---------------------------------------------------------------- through Runtime.start

    private static final io.ringline.Handler NO_HANDLER = (c, data) -> data.remaining();

    private static Config.Builder fake() {
        return Config.builder().workers(1).backend("fake");
    }

    @Test
    void runtimeStartFailsOnAnInvalidOptionBeforeOpeningTheBackend() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Runtime.start(fake().option("fake.count", 100).build(), w -> NO_HANDLER));
        assertTrue(e.getMessage().contains("fake.count") && e.getMessage().contains("100"), e.getMessage());
        IllegalArgumentException absent = assertThrows(IllegalArgumentException.class,
                () -> Runtime.start(fake().option("nobackend.x", 1).build(), w -> NO_HANDLER));
        assertTrue(absent.getMessage().contains("fake") && absent.getMessage().contains("other"), absent.getMessage());
    }

    @Test
    void runtimeStartOpensTheBackendWithItsResolvedOptions() {
        Config config = fake().option("fake.count", 3).option("fake.fast", true).option("other.count", 1).build();
        RinglineException e = assertThrows(RinglineException.class, () -> Runtime.start(config, w -> NO_HANDLER));
        assertTrue(e.getMessage().contains("count=3 fast=true"), e.getMessage());
        assertFalse(e.getMessage().contains("other"), e.getMessage());
    }
}
