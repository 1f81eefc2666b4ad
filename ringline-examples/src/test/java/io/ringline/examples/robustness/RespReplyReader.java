package io.ringline.examples.robustness;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads RESP2 replies from a stream, strictly: simple strings ({@code +}), errors ({@code -}),
 * integers ({@code :}), bulk strings ({@code $}) and arrays ({@code *}).
 *
 * <p>{@link #next()} returns one whole reply, or null at a clean end of stream between replies. An
 * end of stream inside a reply throws {@link Truncated}; bytes that are not RESP throw
 * {@link Malformed}. Not thread-safe.
 */
final class RespReplyReader {

    /** The stream ended in the middle of a reply. */
    static final class Truncated extends IOException {
        Truncated(String message) {
            super(message);
        }
    }

    /** The bytes are not a RESP reply. */
    static final class Malformed extends IOException {
        Malformed(String message) {
            super(message);
        }
    }

    /** The value of a {@code $-1} (null bulk) or {@code *-1} (null array) reply. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "(nil)";
        }
    };

    /** An error reply ({@code -ERR ...}). */
    record Error(String message) {
    }

    /** Longest header line accepted. */
    private static final int MAX_LINE = 1024;
    /** Largest bulk string accepted. */
    private static final int MAX_BULK = 64 << 20;

    private final InputStream in;
    private long offset;
    private long replyStart;

    RespReplyReader(InputStream in) {
        this.in = new BufferedInputStream(in, 64 * 1024);
    }

    /** {@return bytes read so far} */
    long offset() {
        return offset;
    }

    /**
     * {@return the next reply: String (simple), {@link Error}, Long, byte[] (bulk), List (array) or
     * {@link #NULL}; null at a clean end of stream between replies}
     *
     * @throws Truncated at an end of stream inside a reply
     * @throws Malformed if the bytes are not RESP
     * @throws IOException from the stream (a reset, a read timeout)
     */
    Object next() throws IOException {
        replyStart = offset;
        int type = in.read();
        if (type < 0) {
            return null;
        }
        offset++;
        return value(type, 0);
    }

    private Object value(int type, int depth) throws IOException {
        if (depth > 8) {
            throw new Malformed("arrays nested deeper than 8 at offset " + offset);
        }
        switch (type) {
            case '+':
                return line();
            case '-':
                return new Error(line());
            case ':':
                return number(line());
            case '$': {
                long len = number(line());
                if (len == -1) {
                    return NULL;
                }
                if (len < 0 || len > MAX_BULK) {
                    throw new Malformed("bulk length " + len + " at offset " + offset);
                }
                byte[] b = in.readNBytes((int) len);
                offset += b.length;
                if (b.length < len) {
                    throw truncated("inside a bulk string of " + len + " bytes (" + b.length + " arrived)");
                }
                expect('\r');
                expect('\n');
                return b;
            }
            case '*': {
                long n = number(line());
                if (n == -1) {
                    return NULL;
                }
                if (n < 0 || n > 1 << 20) {
                    throw new Malformed("array length " + n + " at offset " + offset);
                }
                List<Object> items = new ArrayList<>();
                for (long i = 0; i < n; i++) {
                    int t = in.read();
                    if (t < 0) {
                        throw truncated("after " + i + " of " + n + " array elements");
                    }
                    offset++;
                    items.add(value(t, depth + 1));
                }
                return items;
            }
            default:
                throw new Malformed("reply type byte 0x" + Integer.toHexString(type) + " at offset " + (offset - 1));
        }
    }

    private void expect(int c) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw truncated("before the CRLF ending a bulk string");
        }
        offset++;
        if (b != c) {
            throw new Malformed("byte 0x" + Integer.toHexString(b) + " instead of CRLF at offset " + (offset - 1));
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw truncated("inside a header line '" + sb + "'");
            }
            offset++;
            if (b == '\r') {
                int lf = in.read();
                if (lf < 0) {
                    throw truncated("between CR and LF");
                }
                offset++;
                if (lf != '\n') {
                    throw new Malformed("CR not followed by LF at offset " + (offset - 1));
                }
                return sb.toString();
            }
            if (b == '\n') {
                throw new Malformed("bare LF at offset " + (offset - 1));
            }
            if (sb.length() >= MAX_LINE) {
                throw new Malformed("header line over " + MAX_LINE + " bytes at offset " + offset);
            }
            sb.append((char) b);
        }
    }

    private long number(String s) throws Malformed {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new Malformed("not a number: '" + s + "' at offset " + offset);
        }
    }

    private Truncated truncated(String where) {
        return new Truncated("clean end of stream " + where + ", in the reply starting at offset " + replyStart
                + " (" + offset + " bytes read)");
    }

    /** {@return the text of a simple or error reply, for messages} */
    static String describe(Object reply) {
        if (reply instanceof byte[] b) {
            return "$" + b.length + (b.length <= 40 ? " '" + new String(b, StandardCharsets.ISO_8859_1) + "'" : "");
        }
        return String.valueOf(reply);
    }
}
