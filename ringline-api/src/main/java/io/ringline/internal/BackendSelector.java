package io.ringline.internal;

import io.ringline.BackendUnavailableException;
import io.ringline.Config;
import io.ringline.spi.Availability;
import io.ringline.spi.BackendProvider;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Chooses the backend: the one named by {@link Config#backend()} or, failing that, the system
 * property {@value Config#BACKEND_PROPERTY}; otherwise the available provider with the highest
 * priority.
 */
public final class BackendSelector {

    /**
     * The chosen provider and why.
     *
     * @param provider the provider
     * @param reason   why it was chosen, including why higher-priority ones were not
     * @param present  every provider present, highest priority first
     */
    public record Selection(BackendProvider provider, String reason, List<BackendProvider> present) {
    }

    private BackendSelector() {
    }

    /** {@return every provider on the class path, highest priority first} */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        ClassLoader loader = BackendSelector.class.getClassLoader();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, loader)) {
            list.add(p);
        }
        list.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
        return list;
    }

    /**
     * @throws BackendUnavailableException if the requested backend is absent or unavailable, or none is available
     */
    public static Selection select(Config config) {
        return select(config, providers());
    }

    /**
     * Chooses among {@code providers} (highest priority first), as {@link #select(Config)} does
     * among the providers on the class path.
     *
     * @throws BackendUnavailableException if the requested backend is absent or unavailable, or none is available
     */
    static Selection select(Config config, List<BackendProvider> providers) {
        String requested = config.backend();
        String source = "Config.backend";
        if (requested == null) {
            String prop = System.getProperty(Config.BACKEND_PROPERTY);
            if (prop != null && !prop.isBlank()) {
                requested = prop.trim();
                source = "-D" + Config.BACKEND_PROPERTY;
            }
        }
        if (requested != null) {
            for (BackendProvider p : providers) {
                if (p.name().equalsIgnoreCase(requested)) {
                    Availability a = p.availability();
                    if (!a.available()) {
                        throw new BackendUnavailableException("backend '" + p.name() + "' (requested by " + source
                                + ") is unavailable: " + a.reason() + "; available backends: " + available(providers));
                    }
                    return new Selection(p, "requested by " + source, providers);
                }
            }
            throw new BackendUnavailableException("backend '" + requested + "' (requested by " + source
                    + ") is not on the class path; present: " + describe(providers)
                    + "; available backends: " + available(providers));
        }
        List<String> skipped = new ArrayList<>();
        for (BackendProvider p : providers) {
            Availability a = p.availability();
            if (a.available()) {
                String reason = "highest-priority available backend";
                if (!skipped.isEmpty()) {
                    reason += " (" + String.join("; ", skipped) + ")";
                }
                return new Selection(p, reason, providers);
            }
            skipped.add(p.name() + " unavailable: " + a.reason());
        }
        throw new BackendUnavailableException("no ringline backend is available; present: " + describe(providers)
                + (providers.isEmpty() ? " (add ringline-nio or ringline-iouring to the class path)" : ""));
    }

    private static String available(List<BackendProvider> providers) {
        return providers.stream().filter(p -> p.availability().available()).map(BackendProvider::name)
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static String describe(List<BackendProvider> providers) {
        return providers.stream()
                .map(p -> p.name() + (p.availability().available() ? "" : " (unavailable: " + p.availability().reason() + ")"))
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
