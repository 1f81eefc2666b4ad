package io.ringline.tests;

import io.ringline.BackendUnavailableException;
import io.ringline.Config;
import io.ringline.Runtime;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.EchoHandler;
import io.ringline.tests.support.OncePerBackendTest;
import io.ringline.tests.support.UnavailableBackendProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backend selection with the real providers: by name and by system property, an unavailable one
 * refused naming its reason; port 0. The selection logic itself is tested in ringline-api
 * ({@code BackendSelectorTest}).
 */
class BackendSelectionTest extends OncePerBackendTest {

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

    @Test
    void requestedBackendIsUsedAndSaysWhy() {
        try (Runtime rt = start(serverConfig(), w -> (c, d) -> d.remaining())) {
            assertEquals(spec.backend(), rt.backendName());
            assertTrue(rt.backendSelectionReason().contains("request"), rt.backendSelectionReason());
        }
    }

    @Test
    void systemPropertySelectsTheBackend() {
        System.setProperty(Config.BACKEND_PROPERTY, spec.backend());
        try (Runtime rt = start(serverConfig().backend(null), w -> (c, d) -> d.remaining())) {
            assertEquals(spec.backend(), rt.backendName());
            assertTrue(rt.backendSelectionReason().contains(Config.BACKEND_PROPERTY), rt.backendSelectionReason());
        }
        // The property naming an unavailable backend fails, naming the property.
        System.setProperty(Config.BACKEND_PROPERTY, UnavailableBackendProvider.NAME);
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> start(serverConfig().backend(null), w -> (c, d) -> d.remaining()).close());
        assertTrue(e.getMessage().contains(Config.BACKEND_PROPERTY), e.getMessage());
        // Config.backend takes precedence over the property.
        try (Runtime rt = start(serverConfig(), w -> (c, d) -> d.remaining())) {
            assertEquals(spec.backend(), rt.backendName());
        }
    }

    @Test
    void anUnavailableBackendFailsNamingItTheReasonAndTheAvailableOnes() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> start(serverConfig().backend(UnavailableBackendProvider.NAME), w -> (c, d) -> d.remaining()).close());
        String m = e.getMessage();
        assertTrue(m.contains(UnavailableBackendProvider.NAME), m);
        assertTrue(m.contains(UnavailableBackendProvider.REASON), m);
        assertTrue(m.contains(spec.backend()), () -> "'" + m + "' lists available backend " + spec.backend());
    }

    @Test
    void portZeroBindsAFreePortReportedByBoundAddresses() throws Exception {
        Config.Builder b = serverConfig().bind(loopbackAnyPort());
        try (Runtime rt = start(b, w -> EchoHandler.plain())) {
            List<InetSocketAddress> bound = rt.boundAddresses();
            assertEquals(2, bound.size());
            for (InetSocketAddress a : bound) {
                assertTrue(a.getPort() > 0, "real port: " + a);
                assertEquals(loopbackAnyPort().getAddress(), a.getAddress());
                try (Client s = connect(a)) {
                    s.output().write(3);
                    assertEquals(3, s.input().read());
                }
            }
            assertNotEquals(bound.get(0).getPort(), bound.get(1).getPort());
        }
    }
}
