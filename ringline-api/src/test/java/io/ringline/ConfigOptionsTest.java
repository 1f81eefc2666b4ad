package io.ringline;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigOptionsTest {

    @Test
    void optionsAreKeptInOrderAndALaterValueReplacesAnEarlierOne() {
        Config c = Config.builder().option("nio.readsPerEvent", 4).option("io_uring.bufferRing", false)
                .option("nio.readsPerEvent", 8).build();
        assertEquals(Map.of("nio.readsPerEvent", 8, "io_uring.bufferRing", false), c.options());
        assertEquals(List.of("nio.readsPerEvent", "io_uring.bufferRing"), List.copyOf(c.options().keySet()));
    }

    @Test
    void optionsAreImmutable() {
        Config c = Config.builder().option("nio.readsPerEvent", 4).build();
        assertThrows(UnsupportedOperationException.class, () -> c.options().put("nio.gatherLimit", 1));
        assertTrue(Config.builder().build().options().isEmpty());
    }

    @Test
    void aNullNameOrValueIsRejectedAtOnce() {
        assertThrows(NullPointerException.class, () -> Config.builder().option(null, 1));
        NullPointerException e = assertThrows(NullPointerException.class, () -> Config.builder().option("nio.x", null));
        assertTrue(e.getMessage().contains("nio.x"), e.getMessage());
    }

    @Test
    void aNameThatIsNotBackendDotKnobIsRejectedAtOnce() {
        for (String bad : List.of("readsPerEvent", ".knob", "nio.", "", " nio.x")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Config.builder().option(bad, 1), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }
}
