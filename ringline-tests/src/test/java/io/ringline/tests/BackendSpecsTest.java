package io.ringline.tests;

import io.ringline.Config;
import io.ringline.spi.Capability;
import io.ringline.tests.support.BackendSpec;
import io.ringline.tests.support.Backends;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The suite's own configuration: every expected backend runs, each spec once, a missing provider fails. */
class BackendSpecsTest {

    @Test
    void everyExpectedBackendHasItsDefaultSpecFirstAndLabelsAreUnique() {
        List<BackendSpec> specs = Backends.specs();
        for (String name : Backends.EXPECTED) {
            assertTrue(specs.contains(BackendSpec.defaults(name)), () -> name + " runs with its defaults: " + specs);
        }
        assertEquals(specs.size(), specs.stream().map(BackendSpec::label).distinct().count(), () -> "labels are unique: " + specs);
        assertTrue(specs.containsAll(Backends.defaultSpecs()));
        assertTrue(Backends.defaultSpecs().stream().allMatch(BackendSpec::isDefault));
    }

    @Test
    void aMissingExpectedProviderFailsNamingItInsteadOfSkipping() {
        BackendSpec missing = new BackendSpec("no-such-backend", "no-such-backend", Map.of());
        AssertionError e = assertThrows(AssertionError.class, () -> Backends.require(missing));
        assertTrue(e.getMessage().contains("no-such-backend") && e.getMessage().contains("not on the class path"), e.getMessage());
    }

    @Test
    void aMissingCapabilitySkipsNamingTheSpecTheCapabilityAndWhy() {
        BackendSpec testkit = BackendSpec.defaults("testkit");
        TestAbortedException e = assertThrows(TestAbortedException.class,
                () -> Backends.require(testkit, List.of(Capability.OS_SOCKETS), "counts file descriptors"));
        assertTrue(e.getMessage().contains("[testkit]") && e.getMessage().contains("OS_SOCKETS")
                && e.getMessage().contains("counts file descriptors"), e.getMessage());
        Backends.require(BackendSpec.defaults("nio"), List.of(Capability.OS_SOCKETS), "has them"); // no skip
    }

    @Test
    void clientsFollowTheBackendsCapabilities() {
        assertTrue(Backends.hasOsSockets(BackendSpec.defaults("nio")));
        assertTrue(Backends.hasOsSockets(BackendSpec.defaults("io_uring")));
        assertFalse(Backends.hasOsSockets(BackendSpec.defaults("testkit")), "testkit declares no OS sockets");
        assertThrows(AssertionError.class, () -> Backends.connector(new BackendSpec("no-such-backend", "x", Map.of())));
    }

    @Test
    void aSpecConfiguresItsBackendAndEveryOption() {
        for (BackendSpec spec : Backends.specs()) {
            Config c = spec.applyTo(Config.builder()).build();
            assertEquals(spec.backend(), c.backend(), spec.label());
            assertEquals(spec.options(), Map.copyOf(c.options()), spec.label());
        }
        assertTrue(Backends.specs().stream().anyMatch(s -> !s.isDefault()), "some specs set options");
    }
}
