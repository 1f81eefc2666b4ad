package io.ringline.examples.robustness;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Random and mutated RESP requests for the malformed-input case: valid commands (multibulk and
 * inline) put through byte flips, insertions of protocol characters, deletions, duplications,
 * absurd or broken lengths, truncation and bare line feeds, plus pure garbage and over-long lines.
 * Deterministic for a given {@link Random}.
 */
final class RespFuzz {

    private RespFuzz() {
    }

    private static final String[][] COMMANDS = {
            {"PING"}, {"PING", "hello"}, {"ECHO", "hello world"}, {"SET", "k1", "v1"}, {"GET", "k1"},
            {"SET", "counter", "41"}, {"INCR", "counter"}, {"DEL", "k1", "k2"}, {"EXISTS", "k1"},
            {"MSET", "a", "1", "b", "2"}, {"MGET", "a", "b", "c"}, {"GET"}, {"NOSUCHCOMMAND", "x"},
            {"SET", "big", "x".repeat(3000)},
    };
    /** Bytes with a meaning in RESP, inserted more often than random ones. */
    private static final byte[] SPECIAL = "*$+-:\r\n0123456789 \"'\0".getBytes(StandardCharsets.ISO_8859_1);
    /** Replacements of a length field. */
    private static final String[] NUMBERS = {
            "-1", "-2", "0", "-0", "+5", "99999999999999999999", "2147483648", "4294967297", "9223372036854775808",
            "-9223372036854775808", "1048577", "1048576", "536870913", "16777217", "abc", "", " 3", "3 ", "0x10",
    };

    /** {@return one input: 1 to 3 commands, most of them mutated, sometimes garbage or an over-long line} */
    static byte[] input(Random r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int kind = r.nextInt(100);
        if (kind < 8) {
            byte[] garbage = new byte[1 + r.nextInt(4096)];
            r.nextBytes(garbage);
            out.writeBytes(garbage);
        } else if (kind < 10) {
            // an inline line over the 64 KiB limit, with or without its end
            out.writeBytes("A".repeat(64 * 1024 + 1 + r.nextInt(8192)).getBytes(StandardCharsets.US_ASCII));
            if (r.nextBoolean()) {
                out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        }
        int commands = 1 + r.nextInt(3);
        for (int i = 0; i < commands; i++) {
            byte[] c = base(r);
            if (r.nextInt(10) < 8) {
                c = mutate(c, r);
            }
            out.writeBytes(c);
        }
        return out.toByteArray();
    }

    private static byte[] base(Random r) {
        String[] args = COMMANDS[r.nextInt(COMMANDS.length)];
        if (r.nextInt(5) == 0) {
            return (String.join(" ", args) + (r.nextBoolean() ? "\r\n" : "\n")).getBytes(StandardCharsets.US_ASCII);
        }
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.US_ASCII);
        }
        return command(bytes);
    }

    /** {@return the multibulk encoding of {@code args}} */
    static byte[] command(byte[]... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) {
            out.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(a);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    private static byte[] mutate(byte[] c, Random r) {
        int mutations = 1 + r.nextInt(3);
        for (int m = 0; m < mutations && c.length > 0; m++) {
            int at = r.nextInt(c.length);
            switch (r.nextInt(7)) {
                case 0 -> c[at] = (byte) r.nextInt(256);
                case 1 -> {
                    byte[] ins = new byte[1 + r.nextInt(8)];
                    for (int i = 0; i < ins.length; i++) {
                        ins[i] = r.nextBoolean() ? SPECIAL[r.nextInt(SPECIAL.length)] : (byte) r.nextInt(256);
                    }
                    c = splice(c, at, 0, ins);
                }
                case 2 -> c = splice(c, at, Math.min(c.length - at, 1 + r.nextInt(16)), new byte[0]);
                case 3 -> c = splice(c, at, 0, Arrays.copyOfRange(c, at, Math.min(c.length, at + 1 + r.nextInt(32))));
                case 4 -> c = replaceNumber(c, r);
                case 5 -> c = Arrays.copyOf(c, at);
                default -> {
                    int crlf = indexOf(c, at, '\r');
                    if (crlf >= 0) {
                        c = splice(c, crlf, 1, new byte[0]); // a bare LF
                    }
                }
            }
        }
        return c;
    }

    /** Replaces the digits after a {@code *} or {@code $} with one of {@link #NUMBERS}. */
    private static byte[] replaceNumber(byte[] c, Random r) {
        int from = r.nextInt(c.length);
        for (int i = 0; i < c.length; i++) {
            int p = (from + i) % c.length;
            if (c[p] == '*' || c[p] == '$') {
                int end = p + 1;
                while (end < c.length && (c[end] == '-' || (c[end] >= '0' && c[end] <= '9'))) {
                    end++;
                }
                byte[] n = NUMBERS[r.nextInt(NUMBERS.length)].getBytes(StandardCharsets.US_ASCII);
                return splice(c, p + 1, end - p - 1, n);
            }
        }
        return c;
    }

    private static byte[] splice(byte[] c, int at, int remove, byte[] insert) {
        byte[] out = new byte[c.length - remove + insert.length];
        System.arraycopy(c, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(c, at + remove, out, at + insert.length, c.length - at - remove);
        return out;
    }

    private static int indexOf(byte[] c, int from, char x) {
        for (int i = from; i < c.length; i++) {
            if (c[i] == x) {
                return i;
            }
        }
        return -1;
    }

    /** {@return the first bytes of {@code b}, printable, for messages} */
    static String show(byte[] b) {
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < Math.min(b.length, 120); i++) {
            int c = b[i] & 0xff;
            switch (c) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c >= 32 && c < 127) {
                        sb.append((char) c);
                    } else {
                        sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 15]);
                    }
                }
            }
        }
        return sb.append(b.length > 120 ? "'... (" + b.length + " bytes)" : "'").toString();
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();
}
