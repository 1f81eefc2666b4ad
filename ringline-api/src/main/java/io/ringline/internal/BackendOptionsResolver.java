package io.ringline.internal;

import io.ringline.spi.BackendOptions;
import io.ringline.spi.BackendProvider;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Resolves the options a {@link io.ringline.Config} set against the backends present: those of the
 * selected backend become its {@link BackendOptions}; those of another present backend are
 * validated against its declarations and ignored (so that one configuration works on every
 * backend); a prefix that no present backend has is an error.
 */
final class BackendOptionsResolver {

    private BackendOptionsResolver() {
    }

    /**
     * @param selected the selected provider
     * @param present  every provider present (the selected one included or not)
     * @param set      the options set, by full name {@code <backend>.<knob>}
     * @return the selected backend's resolved options
     * @throws IllegalArgumentException naming the option, the value and the allowed values, if an
     *                                  option is unknown to its backend or invalid; naming the present
     *                                  backends, if an option's prefix is none of them
     */
    static BackendOptions resolve(BackendProvider selected, List<BackendProvider> present, Map<String, Object> set) {
        Map<String, Map<String, Object>> byBackend = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : set.entrySet()) {
            String name = e.getKey();
            int dot = name.indexOf('.');
            if (dot <= 0) {
                throw new IllegalArgumentException("backend option name must be '<backend>.<knob>', was '" + name + "'");
            }
            byBackend.computeIfAbsent(name.substring(0, dot), k -> new LinkedHashMap<>()).put(name, e.getValue());
        }
        BackendOptions resolved = null;
        for (Map.Entry<String, Map<String, Object>> group : byBackend.entrySet()) {
            String backend = group.getKey();
            BackendProvider owner = backend.equals(selected.name()) ? selected : find(present, backend);
            if (owner == null) {
                throw new IllegalArgumentException("backend option '" + group.getValue().keySet().iterator().next()
                        + "' names backend '" + backend + "', which is not present; present backends: "
                        + names(present, selected));
            }
            BackendOptions options = BackendOptions.resolve(owner.name(), owner.options(), group.getValue());
            if (owner == selected) {
                resolved = options;
            }
        }
        return resolved != null ? resolved : BackendOptions.defaults(selected.options());
    }

    private static BackendProvider find(List<BackendProvider> present, String name) {
        for (BackendProvider p : present) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    private static String names(List<BackendProvider> present, BackendProvider selected) {
        String list = present.stream().map(BackendProvider::name).collect(Collectors.joining(", "));
        return "[" + (present.contains(selected) ? list : list.isEmpty() ? selected.name() : selected.name() + ", " + list) + "]";
    }
}
