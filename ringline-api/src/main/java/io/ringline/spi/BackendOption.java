package io.ringline.spi;

import java.util.Objects;
import java.util.function.Function;

/**
 * A typed, validated knob that a backend declares ({@link BackendProvider#options()}) and a user
 * sets per runtime with {@link io.ringline.Config.Builder#option(String, Object)}. Options are
 * named {@code <backend>.<knob>}, for example {@code io_uring.bufferRing}.
 *
 * <p>The default comes from the system property {@link #propertyName()} ({@code ringline.} + the
 * name), read once when the option is declared, else from the built-in default: system properties
 * only supply defaults (Agrona's {@code *_PROP_NAME} / {@code *_DEFAULT} style); a value set in the
 * {@code Config} always wins.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the value type ({@link Boolean}, {@link Integer}, {@link Long} or {@link String})
 */
public final class BackendOption<T> {

    private final String name;
    private final Class<T> type;
    private final T builtInDefault;
    private final T defaultValue;
    private final String allowed;
    private final Function<Object, T> validator;
    private final String description;

    private BackendOption(String name, Class<T> type, T builtInDefault, String allowed,
                          Function<Object, T> validator, String description) {
        this.name = checkName(name);
        this.type = type;
        this.builtInDefault = builtInDefault;
        this.allowed = allowed;
        this.validator = validator;
        this.description = Objects.requireNonNull(description, "description");
        String prop = System.getProperty(propertyName());
        this.defaultValue = prop == null ? builtInDefault : validate(prop.trim(), "-D" + propertyName());
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        int dot = name.indexOf('.');
        if (dot <= 0 || dot == name.length() - 1) {
            throw new IllegalArgumentException("backend option name must be '<backend>.<knob>', was '" + name + "'");
        }
        return name;
    }

    /**
     * Declares a boolean option; values {@code true}/{@code false} (also as strings).
     *
     * @param name         {@code <backend>.<knob>}
     * @param defaultValue the built-in default
     * @param description  one line for error messages and documentation
     * @return the option
     * @throws IllegalArgumentException if the name is malformed or the system property holds no boolean
     */
    public static BackendOption<Boolean> flag(String name, boolean defaultValue, String description) {
        return new BackendOption<>(name, Boolean.class, defaultValue, "true or false", v -> {
            if (v instanceof Boolean b) {
                return b;
            }
            if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
                return Boolean.parseBoolean(s);
            }
            return null;
        }, description);
    }

    /**
     * Declares an int option with an inclusive range; values are {@link Integer}s (or other
     * integral numbers in range, or decimal strings).
     *
     * @param name         {@code <backend>.<knob>}
     * @param defaultValue the built-in default, within the range
     * @param min          the smallest allowed value
     * @param max          the largest allowed value
     * @param description  one line for error messages and documentation
     * @return the option
     * @throws IllegalArgumentException if the name is malformed, the range empty, or a default out of range
     */
    public static BackendOption<Integer> intRange(String name, int defaultValue, int min, int max, String description) {
        if (min > max || defaultValue < min || defaultValue > max) {
            throw new IllegalArgumentException("option " + name + ": default " + defaultValue + " not in [" + min + ", " + max + "]");
        }
        return new BackendOption<>(name, Integer.class, defaultValue, "an integer in [" + min + ", " + max + "]", v -> {
            long x;
            if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
                x = ((Number) v).longValue();
            } else if (v instanceof String s) {
                try {
                    x = Long.parseLong(s.replace("_", ""));
                } catch (NumberFormatException e) {
                    return null;
                }
            } else {
                return null;
            }
            return x >= min && x <= max ? (int) x : null;
        }, description);
    }

    /** {@return the full name, {@code <backend>.<knob>}} */
    public String name() {
        return name;
    }

    /** {@return the backend part of the name (before the first dot)} */
    public String backend() {
        return name.substring(0, name.indexOf('.'));
    }

    /** {@return the system property that supplies the default: {@code ringline.} + {@link #name()}} */
    public String propertyName() {
        return "ringline." + name;
    }

    /** {@return the value type} */
    public Class<T> type() {
        return type;
    }

    /** {@return the default: the system property's value if it was set when declared, else the built-in default} */
    public T defaultValue() {
        return defaultValue;
    }

    /** {@return the built-in default, ignoring the system property} */
    public T builtInDefault() {
        return builtInDefault;
    }

    /** {@return a description of the allowed values, e.g. {@code an integer in [0, 65536]}} */
    public String allowed() {
        return allowed;
    }

    /** {@return the one-line description} */
    public String description() {
        return description;
    }

    /**
     * Checks and converts a value.
     *
     * @param value  the value as set (e.g. a {@code Boolean}, an {@code Integer} or a string)
     * @param source where it came from, for the error message (e.g. {@code Config.option})
     * @return the typed value
     * @throws IllegalArgumentException naming the option, the value and the allowed values if invalid
     */
    public T validate(Object value, String source) {
        T v = value == null ? null : validator.apply(value);
        if (v == null) {
            throw new IllegalArgumentException("invalid value '" + value + "' for backend option " + name
                    + " (from " + source + "): must be " + allowed + " (" + description + ")");
        }
        return v;
    }

    @Override
    public String toString() {
        return name + "=" + defaultValue + " (" + allowed + ")";
    }
}
