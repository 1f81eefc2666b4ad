package io.ringline.tests.support;

import io.ringline.Config;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One configuration the conformance suite runs on: a backend and the backend options it is started
 * with (JCTools style: every spec is listed once, in {@link Backends#specs()}).
 *
 * @param backend the provider's name, e.g. {@code io_uring}
 * @param label   what test reports show, e.g. {@code io_uring, buffer ring off}
 * @param options backend options ({@code <backend>.<knob>} to value), empty for the defaults
 */
public record BackendSpec(String backend, String label, Map<String, Object> options) {

    public BackendSpec {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(label, "label");
        options = Map.copyOf(new TreeMap<>(options));
    }

    /** {@return the spec of {@code backend} with its default options} */
    public static BackendSpec defaults(String backend) {
        return new BackendSpec(backend, backend, Map.of());
    }

    /** {@return a spec of {@code backend} with {@code options} set, labelled {@code "<backend>, <label>"}} */
    public static BackendSpec with(String backend, String label, Map<String, Object> options) {
        return new BackendSpec(backend, backend + ", " + label, options);
    }

    /** {@return whether this spec runs the backend with its default options} */
    public boolean isDefault() {
        return options.isEmpty();
    }

    /** {@return {@code builder} set to this spec's backend and options ({@link Config.Builder#option})} */
    public Config.Builder applyTo(Config.Builder builder) {
        builder.backend(backend);
        options.forEach(builder::option);
        return builder;
    }

    @Override
    public String toString() {
        return label;
    }
}
