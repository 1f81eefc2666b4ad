package io.ringline.examples;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tiny parser for {@code --name value} / {@code --name=value} options, and {@code --name} flags
 * that take no value. Unknown options, missing values, a value given to a flag, repeated options
 * and positional arguments are errors.
 */
final class Options {
    private final Map<String, String> values = new HashMap<>();

    private Options() {
    }

    /**
     * @param args  the arguments
     * @param known the option names accepted, without {@code --}
     * @return the parsed options
     * @throws UsageException on anything unexpected
     */
    static Options parse(List<String> args, Set<String> known) throws UsageException {
        return parse(args, known, Set.of());
    }

    /**
     * @param args  the arguments
     * @param known the option names that take a value, without {@code --}
     * @param flags the option names that take none (present or not, see {@link #has(String)})
     * @return the parsed options
     * @throws UsageException on anything unexpected
     */
    static Options parse(List<String> args, Set<String> known, Set<String> flags) throws UsageException {
        Options o = new Options();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || a.length() == 2) {
                throw new UsageException("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (flags.contains(eq >= 0 ? name.substring(0, eq) : name)) {
                if (eq >= 0) {
                    throw new UsageException("option --" + name.substring(0, eq) + " takes no value");
                }
                value = "";
            } else if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= args.size()) {
                    throw new UsageException("option --" + name + " needs a value");
                }
                value = args.get(++i);
            }
            if (!known.contains(name) && !flags.contains(name)) {
                throw new UsageException("unknown option --" + name);
            }
            if (o.values.putIfAbsent(name, value) != null) {
                throw new UsageException("option --" + name + " given twice");
            }
        }
        return o;
    }

    /** {@return whether the option was given} */
    boolean has(String name) {
        return values.containsKey(name);
    }

    /** {@return the option's value, or {@code defaultValue} if absent} */
    String string(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    /**
     * @return the option's value as an int in {@code [min, max]}
     * @throws UsageException if absent or not such an int
     */
    int requiredInt(String name, int min, int max) throws UsageException {
        if (!has(name)) {
            throw new UsageException("option --" + name + " is required");
        }
        return intValue(name, min, max);
    }

    /**
     * @return the option's value as an int in {@code [min, max]}, or {@code defaultValue} if absent
     * @throws UsageException if not such an int
     */
    int optionalInt(String name, int min, int max, int defaultValue) throws UsageException {
        return has(name) ? intValue(name, min, max) : defaultValue;
    }

    private int intValue(String name, int min, int max) throws UsageException {
        String v = values.get(name);
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " must be an integer, was '" + v + "'");
        }
        if (n < min || n > max) {
            throw new UsageException("option --" + name + " must be in [" + min + ", " + max + "], was " + n);
        }
        return n;
    }
}
