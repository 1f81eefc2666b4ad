package io.ringline.examples;

import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.HandlerFactory;
import io.ringline.WorkerContext;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 server in the TechEmpower "plaintext" shape: {@code GET /plaintext} answers
 * {@code 200 Hello, World!}, any other path {@code 404} with an empty body, a method other than
 * GET/HEAD {@code 405}. One instance per worker.
 *
 * <p>Parsing: request line and headers up to the empty line, at most {@value #MAX_HEAD} bytes
 * (else {@code 431} and close); only {@code Connection}, {@code Content-Length} and
 * {@code Transfer-Encoding} are interpreted. A body announced by {@code Content-Length} (at most
 * {@value #MAX_BODY} bytes, else {@code 413} and close) is skipped as it arrives; chunked bodies
 * are refused ({@code 501} and close); malformed requests get {@code 400} and close, among them
 * a header line with whitespace before the colon or starting with whitespace (obs-fold, RFC 9112
 * sections 5.1 and 5.2) and a CR not followed by LF. A request whose head or announced body has not
 * fully arrived within the request timeout gets {@code 408} and close ({@link RequestTimer}; a
 * keep-alive connection idle between requests is not timed out).
 *
 * <p>Connections: HTTP/1.1 keeps the connection open unless {@code Connection: close}; HTTP/1.0
 * closes after the response unless {@code Connection: keep-alive}. Pipelining: every complete
 * request of one {@code onData} call is answered in order, with one coalesced send.
 *
 * <p>The {@code Date} header (IMF-fixdate) is cached per worker and refreshed every second, on the
 * second, by a timer ({@link WorkerContext#schedule}).
 *
 * <p>Backpressure: when the send queue refuses the responses, they wait in the connection's
 * state, reading is paused and no further request is parsed until {@link #onWritable}.
 */
final class HttpHandler implements Handler {

    /** Largest request line plus headers. */
    static final int MAX_HEAD = 8 * 1024;
    /** Largest request body skipped. */
    static final int MAX_BODY = 1 << 20;
    /** Responses are handed to the connection once this many bytes were built. */
    static final int FLUSH_AT = 32 * 1024;

    /** IMF-fixdate, RFC 9110 section 5.6.7 (RFC 1123 with a two-digit day). */
    static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private static final byte[] OK_HEAD = ascii(
            "HTTP/1.1 200 OK\r\nServer: ringline\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nDate: ");
    private static final byte[] BODY = ascii("Hello, World!");
    private static final byte[] NOT_FOUND_HEAD = ascii("HTTP/1.1 404 Not Found\r\nServer: ringline\r\nContent-Length: 0\r\nDate: ");
    private static final byte[] NOT_ALLOWED_HEAD = ascii(
            "HTTP/1.1 405 Method Not Allowed\r\nServer: ringline\r\nAllow: GET, HEAD\r\nContent-Length: 0\r\nDate: ");
    private static final byte[] CLOSE = ascii("\r\nConnection: close");
    private static final byte[] KEEP_ALIVE = ascii("\r\nConnection: keep-alive");
    private static final byte[] END = ascii("\r\n\r\n");

    /** Default longest time a request (head and body) may take to arrive. */
    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final WorkerContext worker;
    private final int piece;
    private final Duration requestTimeout;
    private byte[] date;
    /** This worker's response buffer (write mode), reused by every connection. */
    private final ByteBuffer scratch = ByteBuffer.allocate(FLUSH_AT + 4096);

    HttpHandler(WorkerContext worker, long sendQueueLimit, Duration requestTimeout) {
        this.worker = worker;
        this.piece = (int) Math.max(1, Math.min(FLUSH_AT, sendQueueLimit));
        this.requestTimeout = requestTimeout;
        refreshDate();
    }

    /** {@return a factory giving each worker its own handler, with the default request timeout} */
    static HandlerFactory factory(long sendQueueLimit) {
        return factory(sendQueueLimit, DEFAULT_REQUEST_TIMEOUT);
    }

    /** {@return a factory giving each worker its own handler; a zero {@code requestTimeout} disables it} */
    static HandlerFactory factory(long sendQueueLimit, Duration requestTimeout) {
        return worker -> new HttpHandler(worker, sendQueueLimit, requestTimeout);
    }

    private void refreshDate() {
        long now = System.currentTimeMillis();
        date = ascii(IMF_FIXDATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
        // next refresh just after the next second boundary
        worker.schedule(Duration.ofMillis(1000 - now % 1000 + 1), this::refreshDate);
    }

    /** Per-connection state. */
    private static final class State {
        /** Body bytes of the current request still to skip. */
        long skip;
        /** Responses refused by the send queue (read mode), or null. */
        ByteBuffer pending;
        /** Close once the responses were sent; input is discarded. */
        boolean closing;
        /** The output was shut down after the last response ({@link Linger}). */
        boolean finished;
        /** Requests answered so far: the request timer's progress counter. */
        long answered;
        /** The runtime is shutting down: close (not linger) once the responses were sent. */
        boolean draining;
        RequestTimer timer;
    }

    @Override
    public void onOpen(Connection connection) {
        State s = new State();
        s.timer = new RequestTimer(connection, requestTimeout, () -> timedOut(connection, s));
        connection.attach(s);
    }

    /** A request did not fully arrive within the request timeout. */
    private void timedOut(Connection connection, State s) {
        if (s.closing) {
            return;
        }
        error(s, "408 Request Timeout");
        flush(connection, s);
        if (s.pending == null) {
            finish(connection, s);
        }
    }

    @Override
    public int onData(Connection connection, ByteBuffer data) {
        State s = connection.attachment();
        int start = data.position();
        if (s.closing) {
            return data.remaining();
        }
        while (s.pending == null && data.hasRemaining() && !s.closing) {
            if (s.skip > 0) {
                int n = (int) Math.min(s.skip, data.remaining());
                data.position(data.position() + n);
                s.skip -= n;
                continue;
            }
            if (scratch.position() >= FLUSH_AT) {
                flush(connection, s);
                continue;
            }
            if (!request(s, data)) {
                break; // need more bytes
            }
        }
        if (scratch.position() > 0) {
            flush(connection, s);
        }
        if (s.closing) {
            s.timer.cancel();
            if (s.pending == null) {
                finish(connection, s);
            }
            return data.limit() - start;
        }
        if (s.pending != null) {
            connection.pauseReading();
            s.timer.afterData(false, s.answered); // waiting for the client to read, not for its request
        } else {
            s.timer.afterData(data.hasRemaining() || s.skip > 0, s.answered);
        }
        return data.position() - start;
    }

    /**
     * Parses one request at the position of {@code data} and writes its response to the scratch
     * buffer; {@return false (consuming nothing) if the head has not fully arrived}
     */
    private boolean request(State s, ByteBuffer data) {
        int p = data.position();
        int limit = data.limit();
        while (p + 1 < limit && data.get(p) == '\r' && data.get(p + 1) == '\n') {
            p += 2; // empty lines before a request are ignored (RFC 9112 section 2.2)
        }
        data.position(p);
        int end = findHeadEnd(data, p, (int) Math.min(limit, (long) p + MAX_HEAD));
        if (end < 0) {
            if (limit - p >= MAX_HEAD) {
                error(s, "431 Request Header Fields Too Large");
                return true;
            }
            return false;
        }
        // request line: METHOD SP target SP version
        int lineEnd = indexOf(data, p, end + 1, '\r'); // end itself when there are no headers
        int sp1 = indexOf(data, p, lineEnd, ' ');
        int sp2 = sp1 < 0 ? -1 : indexOf(data, sp1 + 1, lineEnd, ' ');
        if (sp1 <= p || sp2 < 0 || sp2 == sp1 + 1 || indexOf(data, sp2 + 1, lineEnd, ' ') >= 0
                || data.get(lineEnd + 1) != '\n') {
            error(s, "400 Bad Request");
            return true;
        }
        boolean http11;
        if (equalsAscii(data, sp2 + 1, lineEnd, "HTTP/1.1")) {
            http11 = true;
        } else if (equalsAscii(data, sp2 + 1, lineEnd, "HTTP/1.0")) {
            http11 = false;
        } else {
            error(s, equalsPrefix(data, sp2 + 1, lineEnd, "HTTP/") ? "505 HTTP Version Not Supported" : "400 Bad Request");
            return true;
        }
        boolean get = equalsAscii(data, p, sp1, "GET");
        boolean head = equalsAscii(data, p, sp1, "HEAD");
        int pathEnd = indexOf(data, sp1 + 1, sp2, '?');
        boolean plaintext = equalsAscii(data, sp1 + 1, pathEnd < 0 ? sp2 : pathEnd, "/plaintext");

        // headers
        boolean close = !http11;
        long contentLength = -1;
        int line = lineEnd + 2;
        while (line < end + 2) {
            int eol = indexOf(data, line, end + 2, '\r');
            int colon = indexOf(data, line, eol, ':');
            if (colon <= line || data.get(eol + 1) != '\n' || isSpace(data.get(line)) || isSpace(data.get(colon - 1))) {
                error(s, "400 Bad Request");
                return true;
            }
            int vs = colon + 1;
            int ve = eol;
            while (vs < ve && (data.get(vs) == ' ' || data.get(vs) == '\t')) {
                vs++;
            }
            while (ve > vs && (data.get(ve - 1) == ' ' || data.get(ve - 1) == '\t')) {
                ve--;
            }
            if (equalsIgnoreCase(data, line, colon, "connection")) {
                // a comma-separated list of tokens, compared without allocating
                for (int t = vs; t <= ve; ) {
                    int comma = indexOf(data, t, ve, ',');
                    int te = comma < 0 ? ve : comma;
                    int ts = t;
                    while (ts < te && isSpace(data.get(ts))) {
                        ts++;
                    }
                    int tEnd = te;
                    while (tEnd > ts && isSpace(data.get(tEnd - 1))) {
                        tEnd--;
                    }
                    if (equalsIgnoreCase(data, ts, tEnd, "close")) {
                        close = true;
                    } else if (equalsIgnoreCase(data, ts, tEnd, "keep-alive") && !http11) {
                        close = false;
                    }
                    t = te + 1;
                }
            } else if (equalsIgnoreCase(data, line, colon, "content-length")) {
                long n = parseLength(data, vs, ve);
                if (n < 0 || (contentLength >= 0 && n != contentLength)) {
                    error(s, "400 Bad Request");
                    return true;
                }
                contentLength = n;
            } else if (equalsIgnoreCase(data, line, colon, "transfer-encoding")) {
                error(s, "501 Not Implemented");
                return true;
            }
            line = eol + 2;
        }
        if (contentLength > MAX_BODY) {
            error(s, "413 Content Too Large");
            return true;
        }
        data.position(end + 4);
        s.skip = Math.max(0, contentLength);
        s.answered++;

        boolean keepAliveHeader = !http11 && !close;
        if (!get && !head) {
            respond(NOT_ALLOWED_HEAD, null, close, keepAliveHeader);
        } else if (plaintext) {
            respond(OK_HEAD, head ? null : BODY, close, keepAliveHeader);
        } else {
            respond(NOT_FOUND_HEAD, null, close, keepAliveHeader);
        }
        if (close) {
            s.closing = true;
        }
        return true;
    }

    private void respond(byte[] head, byte[] body, boolean close, boolean keepAlive) {
        scratch.put(head).put(date);
        if (close) {
            scratch.put(CLOSE);
        } else if (keepAlive) {
            scratch.put(KEEP_ALIVE);
        }
        scratch.put(END);
        if (body != null) {
            scratch.put(body);
        }
    }

    /** Writes an error response that closes the connection. */
    private void error(State s, String status) {
        scratch.put(ascii("HTTP/1.1 " + status + "\r\nServer: ringline\r\nContent-Length: 0\r\nDate: ")).put(date);
        scratch.put(CLOSE).put(END);
        s.closing = true;
    }

    /** Sends the scratch buffer; what the queue refuses goes to {@code s.pending}. */
    private void flush(Connection connection, State s) {
        scratch.flip();
        if (s.pending == null) {
            sendPieces(connection, scratch);
        }
        if (scratch.hasRemaining()) {
            ByteBuffer rest = ByteBuffer.allocate(scratch.remaining() + (s.pending == null ? 0 : s.pending.remaining()));
            if (s.pending != null) {
                rest.put(s.pending);
            }
            rest.put(scratch).flip();
            s.pending = rest;
        }
        scratch.clear();
    }

    /**
     * Queues {@code b}'s remaining bytes in pieces of at most {@link #piece} bytes (narrowing its
     * limit, then restoring it: no buffer object per send); {@return false if the queue refused one}
     * (the position is then at the first byte not queued)
     */
    private boolean sendPieces(Connection connection, ByteBuffer b) {
        int end = b.limit();
        while (b.position() < end) {
            b.limit(b.position() + Math.min(piece, end - b.position()));
            boolean queued = connection.trySend(b); // advances the position only when queued
            b.limit(end);
            if (!queued) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void onWritable(Connection connection) {
        State s = connection.attachment();
        ByteBuffer b = s.pending;
        if (b == null) {
            return;
        }
        if (!sendPieces(connection, b)) {
            return; // fires again once the queue drained
        }
        s.pending = null;
        if (s.closing) {
            finish(connection, s);
        } else {
            connection.resumeReading(); // the runtime presents the unconsumed requests again
        }
    }

    @Override
    public void onInputClosed(Connection connection) {
        State s = connection.attachment();
        if (s.pending == null || s.finished) {
            connection.close();
        } else {
            s.closing = true;
        }
    }

    /**
     * Graceful shutdown: no more requests will arrive (the runtime discards input from now on), so
     * send the responses still pending, then close.
     */
    @Override
    public void onDrain(Connection connection) {
        State s = connection.attachment();
        s.draining = true;
        s.closing = true;
        s.timer.cancel();
        if (s.pending == null) {
            finish(connection, s);
        } // else onWritable sends them and then finishes
    }

    /**
     * Every response was queued and the connection is to close: see {@link Linger}; at shutdown
     * simply close (input is discarded while draining, so the close stays clean).
     */
    private static void finish(Connection connection, State s) {
        if (!s.finished) {
            s.finished = true;
            if (s.draining) {
                connection.close();
            } else {
                Linger.start(connection);
            }
        }
    }

    // ------------------------------------------------------------------ byte helpers

    /** {@return the index of the first byte of "\r\n\r\n" in [from, to), or -1} */
    private static int findHeadEnd(ByteBuffer b, int from, int to) {
        for (int i = from; i + 3 < to; i++) {
            if (b.get(i) == '\r' && b.get(i + 1) == '\n' && b.get(i + 2) == '\r' && b.get(i + 3) == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t';
    }

    private static int indexOf(ByteBuffer b, int from, int to, char c) {
        for (int i = from; i < to; i++) {
            if (b.get(i) == c) {
                return i;
            }
        }
        return -1;
    }

    private static boolean equalsAscii(ByteBuffer b, int from, int to, String s) {
        return to - from == s.length() && equalsPrefix(b, from, to, s);
    }

    private static boolean equalsPrefix(ByteBuffer b, int from, int to, String s) {
        if (to - from < s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (b.get(from + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean equalsIgnoreCase(ByteBuffer b, int from, int to, String lower) {
        if (to - from != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            int c = b.get(from + i);
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** {@return the decimal value of [from, to), or -1 if it is not 1..18 digits} */
    private static long parseLength(ByteBuffer b, int from, int to) {
        if (from >= to || to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = b.get(i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
