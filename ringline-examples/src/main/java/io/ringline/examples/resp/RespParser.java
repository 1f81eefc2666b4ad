package io.ringline.examples.resp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Incremental RESP2 request parser: multibulk commands ({@code *N\r\n$len\r\n...}) and inline
 * commands ({@code PING\r\n}), as redis-server accepts them.
 *
 * <p>{@link #next(ByteBuffer)} parses from the buffer's position. It returns a complete command
 * (its arguments, {@link RespArgs}) or {@code null} when more bytes are needed.
 *
 * <p><b>Whole commands are not copied.</b> A command that is complete in the buffer (the usual
 * case: clients write whole commands) is reported as offsets into the buffer, and the position is
 * advanced past it; nothing is allocated. An inline command always is (it is one line).
 *
 * <p><b>Commands in pieces.</b> Otherwise the parser consumes (advances the position past) every
 * complete element it has parsed, copying it, and keeps the partially received multibulk command
 * in its own state, so each input byte is examined a bounded number of times however the input is
 * split. A bulk string is only consumed once it has fully arrived, so the caller's buffer holds at
 * most one bulk string ({@code maxBulkLength}) plus one header line.
 *
 * <p>Limits mirror redis: a bulk length above {@code maxBulkLength} (redis: proto-max-bulk-len,
 * 512 MiB), an array count above {@code maxArrayLength} (redis: 1024*1024), or an inline/header
 * line longer than {@code maxInlineLength} (redis: 64 KiB) throw {@link RespProtocolException};
 * after that the parser is unusable and the connection should be closed.
 *
 * <p><b>Heap held by a partial command.</b> The elements of a multibulk command already parsed are
 * kept on the heap until the command completes: {@code *1048576} followed by a million
 * {@code $0\r\n\r\n} turns 6 wire bytes into one empty {@code byte[]} plus a reference each. They
 * are counted in {@link #retainedBytes()}: every argument's bytes plus {@value #ELEMENT_OVERHEAD}
 * bytes per argument (a {@code byte[]} header of 16 bytes plus up to 7 bytes of alignment padding,
 * rounded up to 8) plus {@value #REFERENCE_BYTES} bytes per slot of the argument array (a reference
 * without compressed oops; 4 with them) plus the array's 16-byte header. That is an upper bound of
 * the real footprint on a 64-bit HotSpot JVM. A command whose count would exceed
 * {@code maxRequestBytes} is refused as soon as the header of the offending element is read
 * (before its bytes are waited for), with {@code ERR Protocol error: request exceeds ...}. In
 * addition, while a partial command is held at the end of a {@link #next} call, its retained bytes
 * plus the unconsumed input the caller keeps for it are reserved from the process-wide
 * {@link RequestBudget} (refused with {@code ERR Protocol error: ... budget ...} when all
 * connections together would exceed it). The reservation is returned when the command completes,
 * when parsing fails, and by {@link #release()} when the connection closes. Complete commands
 * never touch the budget.
 *
 * <p>Not thread-safe: one parser per connection. Independent of Netty.
 */
public final class RespParser {

    public static final int DEFAULT_MAX_BULK = 512 * 1024 * 1024;
    public static final int DEFAULT_MAX_ARRAY = 1024 * 1024;
    public static final int DEFAULT_MAX_INLINE = 64 * 1024;
    /** Heap charged per parsed argument beyond its bytes: byte[] header (16) + alignment padding (up to 7), rounded to 8. */
    public static final int ELEMENT_OVERHEAD = 24;
    /** Heap charged per slot of the argument array: a reference without compressed oops. */
    public static final int REFERENCE_BYTES = 8;
    /** Heap charged per argument array: its header. */
    public static final int ARRAY_HEADER = 16;
    /** Room a request may take beyond its largest argument by default: 1 MiB of headers and small arguments. */
    public static final int DEFAULT_REQUEST_HEADROOM = 1 << 20;

    private static final byte[][] EMPTY = new byte[0][];
    /** Longest decimal number the whole-command scan reads (larger ones take the incremental path). */
    private static final int MAX_FAST_DIGITS = 9;

    private final int maxBulkLength;
    private final int maxArrayLength;
    private final int maxInlineLength;
    private final long maxRequestBytes;
    private final RequestBudget budget;

    // State of a multibulk command being received: -1 when between commands.
    private int expected = -1;
    private int filled;
    private byte[][] args;
    private boolean failed;
    /** Heap held by the partial command's arguments and array (see the class comment). */
    private long retained;
    /** Bytes reserved from {@link #budget} for the partial command. */
    private long reserved;
    /** The arguments of the command returned last (reused). */
    private final RespArgs view = new RespArgs();
    /** The value read by {@link #scanNumber}. */
    private int number;

    public RespParser() {
        this(DEFAULT_MAX_BULK, DEFAULT_MAX_ARRAY, DEFAULT_MAX_INLINE);
    }

    /**
     * A parser with the default request limit ({@link #defaultMaxRequest}) and no process-wide budget.
     */
    public RespParser(int maxBulkLength, int maxArrayLength, int maxInlineLength) {
        this(maxBulkLength, maxArrayLength, maxInlineLength, defaultMaxRequest(maxBulkLength), RequestBudget.UNLIMITED);
    }

    /**
     * @param maxBulkLength   largest bulk string
     * @param maxArrayLength  largest multibulk count
     * @param maxInlineLength longest inline command or header line
     * @param maxRequestBytes most heap a partial command may retain ({@link #retainedBytes()}), {@code > 0}
     * @param budget          the process-wide budget partial commands reserve from
     * @throws IllegalArgumentException if {@code maxRequestBytes <= 0}
     */
    public RespParser(int maxBulkLength, int maxArrayLength, int maxInlineLength, long maxRequestBytes,
            RequestBudget budget) {
        if (maxRequestBytes <= 0) {
            throw new IllegalArgumentException("maxRequestBytes must be > 0, was " + maxRequestBytes);
        }
        this.maxBulkLength = maxBulkLength;
        this.maxArrayLength = maxArrayLength;
        this.maxInlineLength = maxInlineLength;
        this.maxRequestBytes = maxRequestBytes;
        this.budget = java.util.Objects.requireNonNull(budget, "budget");
    }

    /**
     * {@return the default request limit for {@code maxBulkLength}: the largest argument with its
     * overhead plus {@link #DEFAULT_REQUEST_HEADROOM}, so that a command with one argument of the
     * largest size (e.g. SET key value) always fits}
     */
    public static long defaultMaxRequest(int maxBulkLength) {
        return (long) maxBulkLength + DEFAULT_REQUEST_HEADROOM;
    }

    /** {@return the heap the partial command holds now (see the class comment); 0 between commands} */
    public long retainedBytes() {
        return retained;
    }

    /** {@return whether a multibulk command is partially parsed} */
    public boolean inCommand() {
        return expected >= 0;
    }

    /**
     * Drops the partial command, if any, and returns its budget reservation. Call it when the
     * connection closes; idempotent. The parser stays usable only if it had not failed.
     */
    public void release() {
        expected = -1;
        args = null;
        view.clear();
        retained = 0;
        if (reserved > 0) {
            budget.release(reserved);
            reserved = 0;
        }
    }

    /**
     * Parses the next command.
     *
     * @return the arguments of a complete command (possibly none, for {@code *0} or a blank inline
     *     line: the caller ignores those), a view valid until the next call while {@code in} is not
     *     changed; or {@code null} if more input is needed
     * @throws RespProtocolException on malformed or over-limit input
     */
    public RespArgs next(ByteBuffer in) {
        if (failed) {
            throw new RespProtocolException("ERR Protocol error: connection already failed");
        }
        try {
            RespArgs command = expected < 0 ? whole(in) : null;
            if (command == null) {
                byte[][] copied = parse(in);
                if (copied != null) {
                    view.showArrays(copied);
                    command = view;
                }
            }
            if (command != null) {
                if (reserved > 0) {
                    budget.release(reserved);
                    reserved = 0;
                }
            } else if (expected >= 0 || in.hasRemaining()) {
                reserve(retained + in.remaining());
            }
            return command;
        } catch (RespProtocolException e) {
            failed = true;
            release();
            throw e;
        }
    }

    /** Grows the budget reservation of the partial command to {@code held} bytes. */
    private void reserve(long held) {
        if (held > reserved) {
            if (!budget.tryReserve(held - reserved)) {
                throw new RespProtocolException("ERR Protocol error: partial requests of all connections would exceed"
                        + " the server's budget of " + budget.capacity() + " bytes (request-budget)");
            }
            reserved = held;
        }
    }

    /** Counts {@code bytes} more of heap for the partial command; throws beyond {@code maxRequestBytes}. */
    private void retain(long bytes) {
        if (retained + bytes > maxRequestBytes) {
            throw new RespProtocolException("ERR Protocol error: request exceeds the limit of " + maxRequestBytes
                    + " bytes of parsed arguments (max-request), at argument " + (filled + 1) + " of " + expected);
        }
        retained += bytes;
    }

    /**
     * The no-copy path, between commands: {@return the command at the position if it is complete in
     * {@code in} and within the limits (its position advanced past it), or null (nothing consumed)
     * when it is not, is malformed or needs more bytes: then the incremental path decides}
     */
    private RespArgs whole(ByteBuffer in) {
        int start = in.position();
        int limit = in.limit();
        if (start >= limit) {
            return null;
        }
        if (in.get(start) != '*') {
            return inline(in);
        }
        int p = scanNumber(in, start + 1, limit);
        if (p < 0 || number < 1 || number > maxArrayLength) {
            return null;
        }
        int count = number;
        // the heap the incremental path would count for this command, at most: refuse there, not here
        long charged = ARRAY_HEADER + (long) count * (REFERENCE_BYTES + ELEMENT_OVERHEAD);
        if (charged > maxRequestBytes || (long) count * 4 > limit - p) {
            return null; // over the limit, or cannot be complete here (an argument takes at least 6 bytes)
        }
        view.showBuffer(in, count);
        for (int i = 0; i < count; i++) {
            if (p >= limit || in.get(p) != '$') {
                return null;
            }
            p = scanNumber(in, p + 1, limit);
            if (p < 0 || number > maxBulkLength) {
                return null;
            }
            int len = number;
            charged += len;
            if (charged > maxRequestBytes || (long) p + len + 2 > limit
                    || in.get(p + len) != '\r' || in.get(p + len + 1) != '\n') {
                return null;
            }
            view.set(i, p, len);
            p += len + 2;
        }
        in.position(p);
        return view;
    }

    /**
     * Reads a non-negative decimal of at most {@value #MAX_FAST_DIGITS} digits at {@code from}
     * followed by CRLF into {@link #number}; {@return the index after the CRLF, or -1 if that is not
     * what is there (or not yet)}
     */
    private int scanNumber(ByteBuffer in, int from, int limit) {
        int v = 0;
        int end = Math.min(limit - 1, from + MAX_FAST_DIGITS);
        for (int i = from; i < end; i++) {
            int b = in.get(i);
            if (b == '\r') {
                if (i == from || in.get(i + 1) != '\n') {
                    return -1;
                }
                number = v;
                return i + 2;
            }
            int d = b - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        if (end < limit - 1 && in.get(end) == '\r' && in.get(end + 1) == '\n' && end > from) {
            number = v;
            return end + 2;
        }
        return -1;
    }

    private byte[][] parse(ByteBuffer in) {
        if (expected < 0) {
            if (!in.hasRemaining()) {
                return null;
            }
            if (in.get(in.position()) != '*') {
                return null; // inline commands are parsed whole (a line), by inline()
            }
            int lineEnd = findCrlf(in, in.position() + 1);
            if (lineEnd < 0) {
                return null;
            }
            long count = parseNumber(in, in.position() + 1, lineEnd, "ERR Protocol error: invalid multibulk length");
            if (count > maxArrayLength) {
                throw new RespProtocolException("ERR Protocol error: invalid multibulk length");
            }
            in.position(lineEnd + 2);
            if (count <= 0) {
                return EMPTY; // *0 and *-1 are ignored, as in redis
            }
            expected = (int) count;
            filled = 0;
            retained = 0;
            // Do not trust the count for the allocation: grow as elements arrive.
            int capacity = (int) Math.min(count, 16);
            retain(ARRAY_HEADER + (long) capacity * REFERENCE_BYTES);
            args = new byte[capacity][];
        }
        while (filled < expected) {
            int start = in.position();
            if (start >= in.limit()) {
                return null;
            }
            if (in.get(start) != '$') {
                throw new RespProtocolException("ERR Protocol error: expected '$', got '"
                        + printable(in.get(start)) + "'");
            }
            int lineEnd = findCrlf(in, start + 1);
            if (lineEnd < 0) {
                return null;
            }
            long len = parseNumber(in, start + 1, lineEnd, "ERR Protocol error: invalid bulk length");
            if (len < 0 || len > maxBulkLength) {
                throw new RespProtocolException("ERR Protocol error: invalid bulk length");
            }
            if (retained + len + ELEMENT_OVERHEAD > maxRequestBytes) {
                retain(len + ELEMENT_OVERHEAD); // throws: refuse before waiting for the bytes
            }
            int dataStart = lineEnd + 2;
            if ((long) in.limit() - dataStart < len + 2) {
                return null; // wait for the whole bulk string and its CRLF
            }
            int dataEnd = dataStart + (int) len;
            if (in.get(dataEnd) != '\r' || in.get(dataEnd + 1) != '\n') {
                throw new RespProtocolException("ERR Protocol error: bulk string not terminated by CRLF");
            }
            retain(len + ELEMENT_OVERHEAD);
            byte[] arg = new byte[(int) len];
            in.get(dataStart, arg);
            in.position(dataEnd + 2);
            if (filled == args.length) {
                int capacity = (int) Math.min((long) args.length * 2, expected);
                retain((long) (capacity - args.length) * REFERENCE_BYTES);
                args = Arrays.copyOf(args, capacity);
            }
            args[filled++] = arg;
        }
        byte[][] done = args.length == expected ? args : Arrays.copyOf(args, expected);
        expected = -1;
        args = null;
        retained = 0;
        return done;
    }

    /**
     * An inline command ({@code PING\r\n}: words separated by spaces or tabs, a word in single or
     * double quotes taken as is, without escapes): {@return its words as offsets into {@code in}, or
     * null (nothing consumed) until its line has arrived}
     */
    private RespArgs inline(ByteBuffer in) {
        int start = in.position();
        int nl = -1;
        int scanEnd = (int) Math.min(in.limit(), (long) start + maxInlineLength + 2);
        for (int i = start; i < scanEnd; i++) {
            if (in.get(i) == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) {
            if (in.limit() - start > maxInlineLength) {
                throw new RespProtocolException("ERR Protocol error: too big inline request");
            }
            return null;
        }
        int end = nl > start && in.get(nl - 1) == '\r' ? nl - 1 : nl;
        view.showBuffer(in, words(in, start, end, null));
        words(in, start, end, view);
        in.position(nl + 1);
        return view;
    }

    /** {@return the number of words of the inline line [start, end); sets them in {@code into} if not null} */
    private static int words(ByteBuffer in, int start, int end, RespArgs into) {
        int n = 0;
        int i = start;
        while (i < end) {
            byte b = in.get(i);
            if (b == ' ' || b == '\t') {
                i++;
                continue;
            }
            if (b == '"' || b == '\'') {
                // Minimal quoted-token support (no escapes), as redis-cli may send.
                int close = -1;
                for (int j = i + 1; j < end; j++) {
                    if (in.get(j) == b) {
                        close = j;
                        break;
                    }
                }
                if (close < 0) {
                    throw new RespProtocolException("ERR Protocol error: unbalanced quotes in request");
                }
                if (into != null) {
                    into.set(n, i + 1, close - i - 1);
                }
                n++;
                i = close + 1;
                continue;
            }
            int tokenStart = i;
            while (i < end && in.get(i) != ' ' && in.get(i) != '\t') {
                i++;
            }
            if (into != null) {
                into.set(n, tokenStart, i - tokenStart);
            }
            n++;
        }
        return n;
    }

    /** Index of the '\r' of the first CRLF at or after {@code from}, or -1; bounded by maxInlineLength. */
    private int findCrlf(ByteBuffer in, int from) {
        int limit = in.limit();
        int scanEnd = (int) Math.min(limit - 1, (long) from + maxInlineLength);
        for (int i = from; i < scanEnd; i++) {
            if (in.get(i) == '\r') {
                if (in.get(i + 1) == '\n') {
                    return i;
                }
                throw new RespProtocolException("ERR Protocol error: expected '\\n' after '\\r'");
            }
        }
        if (limit - from > maxInlineLength) {
            throw new RespProtocolException("ERR Protocol error: too big header line");
        }
        return -1;
    }

    private static long parseNumber(ByteBuffer in, int from, int to, String error) {
        if (from >= to || to - from > 19) {
            throw new RespProtocolException(error);
        }
        boolean negative = in.get(from) == '-';
        int i = negative ? from + 1 : from;
        if (i >= to) {
            throw new RespProtocolException(error);
        }
        long v = 0;
        for (; i < to; i++) {
            int d = in.get(i) - '0';
            if (d < 0 || d > 9) {
                throw new RespProtocolException(error);
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    private static String printable(byte b) {
        return b >= 32 && b < 127 ? new String(new byte[] {b}, StandardCharsets.US_ASCII)
                : String.format("\\x%02x", b & 0xff);
    }
}
