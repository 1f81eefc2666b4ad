package io.ringline.spi;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The resolved values of one backend's declared options for one runtime: what the
 * {@link io.ringline.Config} set, else each option's default. Built by the core before
 * {@link BackendProvider#open}; immutable and thread-safe.
 */
public final class BackendOptions {

    private final Map<String, Object> values;

    private BackendOptions(Map<String, Object> values) {
        this.values = Map.copyOf(values);
    }

    /**
     * Resolves {@code declared} against {@code set}.
     *
     * @param backend  the backend's name (every entry of {@code set} must start with it and a dot)
     * @param declared the options the backend declares
     * @param set      the values the configuration set for this backend, by option name
     * @return the resolved options
     * @throws IllegalArgumentException if {@code set} names an undeclared option (naming it and the
     *                                  declared ones) or holds an invalid value (naming the allowed values)
     */
    public static BackendOptions resolve(String backend, Collection<BackendOption<?>> declared, Map<String, Object> set) {
        Map<String, BackendOption<?>> byName = new HashMap<>();
        for (BackendOption<?> o : declared) {
            byName.put(o.name(), o);
        }
        Map<String, Object> values = new HashMap<>();
        for (BackendOption<?> o : declared) {
            values.put(o.name(), o.defaultValue());
        }
        for (Map.Entry<String, Object> e : set.entrySet()) {
            BackendOption<?> o = byName.get(e.getKey());
            if (o == null) {
                throw new IllegalArgumentException("unknown backend option '" + e.getKey() + "' for backend '" + backend
                        + "'; its options are " + describe(declared));
            }
            values.put(o.name(), o.validate(e.getValue(), "Config.option"));
        }
        return new BackendOptions(values);
    }

    /**
     * {@return options holding only the defaults of {@code declared}}
     *
     * @param declared the options
     */
    public static BackendOptions defaults(Collection<BackendOption<?>> declared) {
        Map<String, Object> values = new HashMap<>();
        for (BackendOption<?> o : declared) {
            values.put(o.name(), o.defaultValue());
        }
        return new BackendOptions(values);
    }

    /**
     * {@return the value of {@code option}}
     *
     * @param option a declared option
     * @param <T>    its type
     * @throws IllegalArgumentException if the backend did not declare {@code option}
     */
    public <T> T get(BackendOption<T> option) {
        Objects.requireNonNull(option, "option");
        Object v = values.get(option.name());
        if (v == null) {
            throw new IllegalArgumentException("backend option " + option.name() + " was not declared by the backend");
        }
        return option.type().cast(v);
    }

    /**
     * {@return a human-readable list of {@code declared}: name, default and allowed values}
     *
     * @param declared the options
     */
    public static String describe(Collection<BackendOption<?>> declared) {
        if (declared.isEmpty()) {
            return "[] (it declares none)";
        }
        List<String> names = declared.stream().map(BackendOption::toString).sorted().toList();
        return names.toString();
    }

    @Override
    public String toString() {
        return new java.util.TreeMap<>(values).toString();
    }
}
