package io.ringline.bench.alloc;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One workload of the {@link AllocationProbe}: which example server, how many connections, how
 * many requests each connection sends before reading their replies (the pipeline depth), and the
 * exact bytes of one request and of its reply (every reply is checked byte for byte).
 *
 * @param name        the label printed in the report, e.g. {@code resp-get-p16}
 * @param server      the example server: {@code echo}, {@code resp} or {@code http}
 * @param connections client connections, {@code >= 1}
 * @param pipeline    requests sent per connection before their replies are read, {@code >= 1}
 * @param request     one request
 * @param reply       the reply to one request (a zero byte in it matches any byte: a date, say)
 * @param setup       sent once on the first connection before anything else (e.g. the SET a GET
 *                    reads), or an empty array
 * @param setupReply  the reply to {@code setup}
 */
public record Scenario(String name, String server, int connections, int pipeline, byte[] request, byte[] reply,
        byte[] setup, byte[] setupReply) {

    /** The key redis-benchmark uses without {@code -r}. */
    static final String KEY = "key:__rand_int__";
    /** The value redis-benchmark sets by default ({@code -d 3}). */
    static final String VALUE = "xxx";

    public Scenario {
        if (connections < 1 || pipeline < 1) {
            throw new IllegalArgumentException("connections and pipeline must be >= 1, were " + connections
                    + " and " + pipeline);
        }
    }

    /** {@return echo of {@code size} bytes on {@code connections} connections, one request in flight on each} */
    public static Scenario echo(int connections, int size) {
        byte[] message = new byte[size];
        for (int i = 0; i < size; i++) {
            message[i] = (byte) ('a' + i % 26);
        }
        return new Scenario("echo-" + size + "B-c" + connections, "echo", connections, 1, message, message,
                new byte[0], new byte[0]);
    }

    /** {@return RESP GET of one fixed key holding {@value #VALUE}, as redis-benchmark -t get sends} */
    public static Scenario respGet(int connections, int pipeline) {
        return resp("get", connections, pipeline, command("GET", KEY), "$" + VALUE.length() + "\r\n" + VALUE + "\r\n",
                command("SET", KEY, VALUE), "+OK\r\n");
    }

    /** {@return RESP SET of one fixed key (an overwrite in place after the first), as redis-benchmark -t set sends} */
    public static Scenario respSet(int connections, int pipeline) {
        return resp("set", connections, pipeline, command("SET", KEY, VALUE), "+OK\r\n", new byte[0], "");
    }

    /** {@return RESP PING as a multibulk command, as redis-benchmark -t ping_mbulk sends} */
    public static Scenario respPing(int connections, int pipeline) {
        return resp("ping", connections, pipeline, command("PING"), "+PONG\r\n", new byte[0], "");
    }

    /**
     * {@return HTTP/1.1 GET /plaintext keep-alive requests, as wrk sends them; the reply's Date
     * (29 bytes, changing every second) matches any bytes}
     */
    public static Scenario httpPlaintext(int connections, int pipeline) {
        byte[] request = ascii("GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        String head = "HTTP/1.1 200 OK\r\nServer: ringline\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nDate: ";
        byte[] reply = ascii(head + "\0".repeat(29) + "\r\n\r\nHello, World!");
        return new Scenario("http-plaintext-p" + pipeline + "-c" + connections, "http", connections, pipeline, request,
                reply, new byte[0], new byte[0]);
    }

    /** {@return the scenario named {@code name}: echo, get, set, ping or http, with a pipeline of 1 or {@code pipeline}} */
    public static Scenario named(String name, int pipeline) {
        return switch (name) {
            case "echo" -> echo(64, 64);
            case "http" -> httpPlaintext(64, pipeline);
            case "get" -> respGet(16, pipeline);
            case "set" -> respSet(16, pipeline);
            case "ping" -> respPing(16, pipeline);
            default -> throw new IllegalArgumentException("unknown scenario '" + name + "': one of "
                    + List.of("echo", "get", "set", "ping", "http"));
        };
    }

    /** {@return messages one round of the client sends: a request per connection and pipeline slot} */
    public long messagesPerRound() {
        return (long) connections * pipeline;
    }

    private static Scenario resp(String command, int connections, int pipeline, byte[] request, String reply,
            byte[] setup, String setupReply) {
        return new Scenario("resp-" + command + "-p" + pipeline + "-c" + connections, "resp", connections, pipeline,
                request, ascii(reply), setup, ascii(setupReply));
    }

    /** {@return {@code args} as a RESP multibulk command} */
    static byte[] command(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        return ascii(sb.toString());
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
