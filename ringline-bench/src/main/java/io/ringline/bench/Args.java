package io.ringline.bench;

import java.util.HashMap;
import java.util.Map;

/** Minimal {@code --name value} / {@code --flag} parser. */
public final class Args {
    private final Map<String, String> values = new HashMap<>();

    public Args(String[] argv, int from) {
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + a);
            }
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq >= 0) {
                values.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                values.put(name, argv[++i]);
            } else {
                values.put(name, "true");
            }
        }
    }

    public String get(String name, String def) {
        return values.getOrDefault(name, def);
    }

    public int getInt(String name, int def) {
        String v = values.get(name);
        return v == null ? def : Integer.parseInt(v);
    }

    public double getDouble(String name, double def) {
        String v = values.get(name);
        return v == null ? def : Double.parseDouble(v);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }
}
