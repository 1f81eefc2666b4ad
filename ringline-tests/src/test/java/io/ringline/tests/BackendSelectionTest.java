package io.ringline.tests;

import io.ringline.BackendUnavailableException;
import io.ringline.Config;
import io.ringline.Runtime;
import io.ringline.internal.BackendSelector;
import io.ringline.spi.BackendProvider;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Clients;
import io.ringline.tests.support.Leaks;
import io.ringline.tests.support.UnavailableBackendProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backend selection: by name, by system property, by priority; clear errors; port 0. */
class BackendSelectionTest extends BackendTest {

    private String savedProperty;

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

    private static List<String> availableNames() {
        return BackendSelector.providers().stream().filter(p -> p.availability().available()).map(BackendProvider::name).toList();
    }

    @Test
    void requestedBackendIsUsedAndSaysWhy() {
        try (Runtime rt = start(serverConfig(), w -> (c, d) -> d.remaining())) {
            assertEquals(backend, rt.backendName());
            assertTrue(rt.backendSelectionReason().contains("request"), rt.backendSelectionReason());
        }
    }

    @Test
    void systemPropertySelectsTheBackend() {
        System.setProperty(Config.BACKEND_PROPERTY, backend);
        try (Runtime rt = start(serverConfig().backend(null), w -> (c, d) -> d.remaining())) {
            assertEquals(backend, rt.backendName());
            assertTrue(rt.backendSelectionReason().contains(Config.BACKEND_PROPERTY), rt.backendSelectionReason());
        }
        // The property naming an unavailable backend fails, naming the property.
        System.setProperty(Config.BACKEND_PROPERTY, UnavailableBackendProvider.NAME);
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> start(serverConfig().backend(null), w -> (c, d) -> d.remaining()).close());
        assertTrue(e.getMessage().contains(Config.BACKEND_PROPERTY), e.getMessage());
        // Config.backend takes precedence over the property.
        try (Runtime rt = start(serverConfig(), w -> (c, d) -> d.remaining())) {
            assertEquals(backend, rt.backendName());
        }
    }

    /** Without a request, the available provider with the highest priority wins (here: never the unavailable test provider). */
    @Test
    void defaultSelectionPicksTheHighestPriorityAvailableBackend() {
        List<BackendProvider> providers = BackendSelector.providers();
        BackendProvider expected = providers.stream().filter(p -> p.availability().available())
                .max((a, b) -> Integer.compare(a.priority(), b.priority())).orElseThrow();
        try (Runtime rt = start(serverConfig().backend(null), w -> (c, d) -> d.remaining())) {
            assertEquals(expected.name(), rt.backendName());
            assertNotEquals(UnavailableBackendProvider.NAME, rt.backendName(), "an unavailable backend is never chosen");
            assertTrue(rt.backendSelectionReason().contains("priority"), rt.backendSelectionReason());
            BackendProvider underTest = providers.stream().filter(p -> p.name().equals(backend)).findFirst().orElseThrow();
            assertTrue(expected.priority() >= underTest.priority());
        }
    }

    @Test
    void anAbsentBackendFailsNamingItAndTheAvailableOnes() {
        Set<Thread> before = Leaks.ringlineThreads();
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> start(serverConfig().backend("no-such-backend"), w -> (c, d) -> d.remaining()).close());
        assertTrue(e.getMessage().contains("no-such-backend"), e.getMessage());
        for (String name : availableNames()) {
            assertTrue(e.getMessage().contains(name), () -> "'" + e.getMessage() + "' lists available backend " + name);
        }
        Leaks.awaitNoNewRinglineThreads(before, Duration.ofSeconds(10));
    }

    @Test
    void anUnavailableBackendFailsNamingItTheReasonAndTheAvailableOnes() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> start(serverConfig().backend(UnavailableBackendProvider.NAME), w -> (c, d) -> d.remaining()).close());
        String m = e.getMessage();
        assertTrue(m.contains(UnavailableBackendProvider.NAME), m);
        assertTrue(m.contains(UnavailableBackendProvider.REASON), m);
        assertTrue(m.contains(backend), () -> "'" + m + "' lists available backend " + backend);
    }

    @Test
    void portZeroBindsAFreePortReportedByBoundAddresses() throws Exception {
        Config.Builder b = serverConfig().bind(loopbackAnyPort());
        try (Runtime rt = start(b, w -> (c, d) -> {
            int n = d.remaining();
            c.send(d);
            return n;
        })) {
            List<InetSocketAddress> bound = rt.boundAddresses();
            assertEquals(2, bound.size());
            for (InetSocketAddress a : bound) {
                assertTrue(a.getPort() > 0, "real port: " + a);
                assertEquals(loopbackAnyPort().getAddress(), a.getAddress());
                try (Socket s = Clients.connect(a)) {
                    s.getOutputStream().write(3);
                    assertEquals(3, s.getInputStream().read());
                }
            }
            assertNotEquals(bound.get(0).getPort(), bound.get(1).getPort());
        }
    }
}
