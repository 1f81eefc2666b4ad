package io.ringline.examples.resp;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The command subset shared by every RESP server in the comparison: PING, ECHO, SET
 * (EX/PX/NX/XX), GET, DEL, EXISTS, INCR, MGET, MSET, FLUSHALL, plus what redis-benchmark and
 * redis-cli send on connect (CONFIG GET, COMMAND, CLIENT, SELECT, INFO). Unknown commands get
 * {@code -ERR unknown command '<name>'} (HELLO included: RESP2 only). Independent of the transport:
 * the Netty peer (ringline-bench) and the ringline server (ringline-examples {@code resp}) both
 * run it, so they answer every command the same way.
 */
public final class RespCommands {

    /** What the connection should do after a command. */
    public enum After { CONTINUE, CLOSE }

    private static final byte[] INFO = ("# Server\r\nredis_version:7.0.0\r\nredis_mode:standalone\r\n"
            + "server_name:ringline\r\n\r\n# Keyspace\r\n").getBytes(StandardCharsets.US_ASCII);

    private final Store store;

    public RespCommands(Store store) {
        this.store = store;
    }

    public Store store() {
        return store;
    }

    /**
     * Executes one command (non-empty args) and writes its reply. Never throws for bad input; a
     * store without room ({@link StoreFullException}) is answered with {@code -OOM arena full}.
     */
    public After execute(byte[][] args, RespOutput out) {
        return execute(RespArgs.of(args), out);
    }

    /**
     * Executes one command (at least one argument) and writes its reply. GET, SET without options
     * and PING without an argument are served from the view as it is (no copy, no allocation with a
     * store that reads in place); the other commands copy their arguments. Never throws for bad
     * input; a store without room ({@link StoreFullException}) is answered with {@code -OOM arena full}.
     */
    public After execute(RespArgs args, RespOutput out) {
        try {
            if (args.count() == 2 && args.is(0, "GET")) {
                store.writeValue(args, 1, out);
                return After.CONTINUE;
            }
            if (args.count() == 3 && args.is(0, "SET")) {
                store.set(args, 1, 2, 0);
                out.writeBytes(Resp.OK);
                return After.CONTINUE;
            }
            if (args.count() == 1 && args.is(0, "PING")) {
                out.writeBytes(Resp.PONG);
                return After.CONTINUE;
            }
            return dispatch(args.toArrays(), out);
        } catch (StoreFullException e) {
            Resp.error(out, "OOM arena full");
            return After.CONTINUE;
        }
    }

    private After dispatch(byte[][] args, RespOutput out) {
        byte[] name = args[0];
        // Fast paths for the benchmarked commands, without allocating the upper-case name.
        if (is(name, "GET")) {
            return get(args, out);
        }
        if (is(name, "SET")) {
            return set(args, out);
        }
        if (is(name, "PING")) {
            return ping(args, out);
        }
        String cmd = new String(name, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
        switch (cmd) {
            case "ECHO" -> {
                if (args.length != 2) {
                    return arity(out, "echo");
                }
                Resp.bulk(out, args[1]);
            }
            case "DEL" -> {
                if (args.length < 2) {
                    return arity(out, "del");
                }
                long n = 0;
                for (int i = 1; i < args.length; i++) {
                    n += store.delete(args[i]) ? 1 : 0;
                }
                Resp.integer(out, n);
            }
            case "EXISTS" -> {
                if (args.length < 2) {
                    return arity(out, "exists");
                }
                long n = 0;
                for (int i = 1; i < args.length; i++) {
                    n += store.exists(args[i]) ? 1 : 0;
                }
                Resp.integer(out, n);
            }
            case "INCR" -> {
                if (args.length != 2) {
                    return arity(out, "incr");
                }
                try {
                    Resp.integer(out, store.incrBy(args[1], 1));
                } catch (NumberFormatException | ArithmeticException e) {
                    Resp.error(out, "ERR value is not an integer or out of range");
                }
            }
            case "MGET" -> {
                if (args.length < 2) {
                    return arity(out, "mget");
                }
                Resp.arrayHeader(out, args.length - 1);
                for (int i = 1; i < args.length; i++) {
                    store.writeValue(args[i], out);
                }
            }
            case "MSET" -> {
                if (args.length < 3 || (args.length - 1) % 2 != 0) {
                    return arity(out, "mset");
                }
                for (int i = 1; i < args.length; i += 2) {
                    store.set(args[i], args[i + 1], 0);
                }
                out.writeBytes(Resp.OK);
            }
            case "FLUSHALL", "FLUSHDB" -> {
                store.clear();
                out.writeBytes(Resp.OK);
            }
            case "DBSIZE" -> Resp.integer(out, store.size());
            case "CONFIG" -> config(args, out);
            case "COMMAND" -> out.writeBytes(Resp.EMPTY_ARRAY);
            case "CLIENT" -> {
                if (args.length >= 2 && upper(args[1]).equals("GETNAME")) {
                    out.writeBytes(Resp.NULL_BULK);
                } else if (args.length >= 2 && upper(args[1]).equals("ID")) {
                    Resp.integer(out, 1);
                } else {
                    out.writeBytes(Resp.OK);
                }
            }
            case "SELECT" -> {
                if (args.length != 2) {
                    return arity(out, "select");
                }
                if (new String(args[1], StandardCharsets.US_ASCII).equals("0")) {
                    out.writeBytes(Resp.OK);
                } else {
                    Resp.error(out, "ERR DB index is out of range");
                }
            }
            case "INFO" -> Resp.bulk(out, INFO);
            case "QUIT" -> {
                out.writeBytes(Resp.OK);
                return After.CLOSE;
            }
            default -> Resp.error(out, "ERR unknown command '" + printable(name) + "'");
        }
        return After.CONTINUE;
    }

    private After ping(byte[][] args, RespOutput out) {
        if (args.length == 1) {
            out.writeBytes(Resp.PONG);
        } else if (args.length == 2) {
            Resp.bulk(out, args[1]);
        } else {
            return arity(out, "ping");
        }
        return After.CONTINUE;
    }

    private After get(byte[][] args, RespOutput out) {
        if (args.length != 2) {
            return arity(out, "get");
        }
        store.writeValue(args[1], out);
        return After.CONTINUE;
    }

    private After set(byte[][] args, RespOutput out) {
        if (args.length < 3) {
            return arity(out, "set");
        }
        long expireAt = 0;
        boolean nx = false;
        boolean xx = false;
        for (int i = 3; i < args.length; i++) {
            String opt = upper(args[i]);
            switch (opt) {
                case "NX" -> nx = true;
                case "XX" -> xx = true;
                case "EX", "PX" -> {
                    if (expireAt != 0 || i + 1 >= args.length) {
                        Resp.error(out, "ERR syntax error");
                        return After.CONTINUE;
                    }
                    long v;
                    try {
                        v = Store.parseLong(args[++i]);
                    } catch (NumberFormatException e) {
                        Resp.error(out, "ERR value is not an integer or out of range");
                        return After.CONTINUE;
                    }
                    long ms = opt.equals("EX") ? (v > Long.MAX_VALUE / 1000 ? -1 : v * 1000) : v;
                    if (v <= 0 || ms <= 0 || ms > Long.MAX_VALUE - store.now()) {
                        Resp.error(out, "ERR invalid expire time in 'set' command");
                        return After.CONTINUE;
                    }
                    expireAt = store.now() + ms;
                }
                default -> {
                    Resp.error(out, "ERR syntax error");
                    return After.CONTINUE;
                }
            }
        }
        if (nx && xx) {
            Resp.error(out, "ERR syntax error");
            return After.CONTINUE;
        }
        if (nx || xx) {
            if (store.setConditional(args[1], args[2], expireAt, nx, xx)) {
                out.writeBytes(Resp.OK);
            } else {
                out.writeBytes(Resp.NULL_BULK);
            }
        } else {
            store.set(args[1], args[2], expireAt);
            out.writeBytes(Resp.OK);
        }
        return After.CONTINUE;
    }

    private void config(byte[][] args, RespOutput out) {
        if (args.length == 3 && upper(args[1]).equals("GET")) {
            String param = new String(args[2], StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
            String value = switch (param) {
                case "save" -> "";
                case "appendonly" -> "no";
                default -> null;
            };
            if (value == null) {
                out.writeBytes(Resp.EMPTY_ARRAY);
            } else {
                Resp.arrayHeader(out, 2);
                Resp.bulk(out, param);
                Resp.bulk(out, value);
            }
        } else if (args.length >= 2 && upper(args[1]).equals("SET")) {
            out.writeBytes(Resp.OK);
        } else {
            Resp.error(out, "ERR unknown subcommand or wrong number of arguments for 'config' command");
        }
    }

    private static After arity(RespOutput out, String cmd) {
        Resp.error(out, "ERR wrong number of arguments for '" + cmd + "' command");
        return After.CONTINUE;
    }

    private static String upper(byte[] b) {
        return new String(b, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
    }

    /** ASCII case-insensitive comparison against an upper-case ASCII literal. */
    private static boolean is(byte[] name, String upper) {
        if (name.length != upper.length()) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            int c = name[i];
            if (c >= 'a' && c <= 'z') {
                c -= 32;
            }
            if (c != upper.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String printable(byte[] name) {
        String s = new String(name, 0, Math.min(name.length, 128), StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < 32 || c == 127 ? ' ' : c);
        }
        return sb.toString();
    }
}
