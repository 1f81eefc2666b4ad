package io.ringline.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Reads the SNI host name (RFC 6066 §3) from the TLS ClientHello at the start of a connection's input
 * (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2), before any engine sees it, so the server can choose the
 * {@link io.ringline.TlsConfig} for that name.
 *
 * <p>The input is TLS records of content type 22 (handshake); the ClientHello may span several of them
 * and is read across the record headers in place, copying nothing but the name. Its answer is
 * {@link Status#NEED_MORE} until the whole ClientHello is there, but it never asks for more than
 * {@value #INPUT_LIMIT} bytes of input (one full record): a hello that does not fit is
 * {@link Status#ABSENT}, so a peer cannot make the server buffer without bound. Every length is checked
 * against the one enclosing it; anything inconsistent, and anything that is not a ClientHello, is
 * {@link Status#ABSENT}: the engine then sends the proper alert.
 *
 * <p>The walk keeps its place in a {@code long} cursor, so it allocates nothing: the offset of the next
 * byte in the high 32 bits and the end of the record fragment holding it in the low 32, both relative to
 * the buffer's position. A cursor at its fragment's end enters the next record before reading. A negative
 * cursor is a status ({@link #NEED_MORE_CODE}, {@link #ABSENT_CODE}) and passes through every step.
 *
 * <p>Pure functions; thread-safe.
 */
final class ClientHelloSni {

    /** What {@link #read} found. */
    enum Status {
        /** The ClientHello is not complete yet: read again with more bytes. */
        NEED_MORE,
        /** A complete ClientHello with an SNI host name. */
        FOUND,
        /** No SNI host name, or the bytes are not a (parsable) ClientHello, or it is too large. */
        ABSENT
    }

    /**
     * The answer of {@link #read}.
     *
     * @param status   what was found
     * @param hostName the SNI host name, lower case ASCII without a trailing dot, with {@link Status#FOUND}
     *                 only; otherwise {@code null}
     */
    record Result(Status status, String hostName) {
        /** @throws IllegalArgumentException if {@code hostName} is given without FOUND or missing with it */
        Result {
            Objects.requireNonNull(status, "status");
            if ((status == Status.FOUND) != (hostName != null)) {
                throw new IllegalArgumentException("a host name comes with FOUND only, was " + status + " with " + hostName);
            }
        }
    }

    /** The most a ClientHello is waited for: one record header and a full record (2^14 bytes). */
    static final int INPUT_LIMIT = 5 + 16384;

    private static final Result NEED_MORE = new Result(Status.NEED_MORE, null);
    private static final Result ABSENT = new Result(Status.ABSENT, null);
    /** The cursor status: the bytes end before what is needed (within {@link #INPUT_LIMIT}). */
    private static final int NEED_MORE_CODE = -1;
    /** The cursor status: the bytes are not a usable ClientHello. */
    private static final int ABSENT_CODE = -2;

    private static final int RECORD_HEADER = 5;
    private static final int MAX_FRAGMENT = 16384;
    private static final int HANDSHAKE_RECORD = 22;
    private static final int HANDSHAKE_HEADER = 4;
    private static final int CLIENT_HELLO = 1;
    private static final int MAX_SESSION_ID = 32;
    private static final int SERVER_NAME_EXTENSION = 0;
    private static final int HOST_NAME_TYPE = 0;
    private static final int MAX_HOST_NAME = 255;
    /** The first record header, not entered yet. */
    private static final long START = 0;
    /** No server_name extension or host_name entry seen (yet). */
    private static final long NONE = Long.MIN_VALUE;

    private ClientHelloSni() {
    }

    /**
     * Reads the SNI host name from the ClientHello in {@code data}, from its position to its limit,
     * without moving either (absolute gets only). Allocates only the found name and its result.
     *
     * @param data the first bytes a client sent; bytes after the ClientHello are ignored
     * @return {@link Status#NEED_MORE} while the ClientHello is incomplete (and under {@value #INPUT_LIMIT}
     *         bytes), {@link Status#FOUND} with its host name, else {@link Status#ABSENT}; never throws for
     *         any content
     */
    static Result read(ByteBuffer data) {
        int type = uint(data, START, 1);
        if (type < 0) {
            return status(type);
        }
        if (type != CLIENT_HELLO) {
            return ABSENT;
        }
        long c = skip(data, START, 1);
        int length = uint(data, c, 3);
        if (length < 0) {
            return status(length);
        }
        if (length > MAX_FRAGMENT - HANDSHAKE_HEADER) {
            return ABSENT;
        }
        c = skip(data, c, 3);
        long afterHello = skip(data, c, length);   // the whole ClientHello is there
        if (afterHello < 0) {
            return status(afterHello);
        }
        return clientHello(data, c, length);
    }

    /** {@return the host name in the ClientHello body of {@code length} bytes at {@code c}, all present} */
    private static Result clientHello(ByteBuffer data, long c, int length) {
        int left = length;
        if (left < 2 + 32 || uint(data, c, 1) != 3) {   // legacy_version 0x03xx, random
            return ABSENT;
        }
        c = skip(data, c, 2 + 32);
        left -= 2 + 32;
        int sessionId = vectorLength(data, c, 1, left);
        if (sessionId < 0 || sessionId > MAX_SESSION_ID) {
            return ABSENT;
        }
        c = skip(data, c, 1 + sessionId);
        left -= 1 + sessionId;
        int cipherSuites = vectorLength(data, c, 2, left);
        if (cipherSuites < 2 || cipherSuites % 2 != 0) {
            return ABSENT;
        }
        c = skip(data, c, 2 + cipherSuites);
        left -= 2 + cipherSuites;
        int compressionMethods = vectorLength(data, c, 1, left);
        if (compressionMethods < 1) {
            return ABSENT;
        }
        c = skip(data, c, 1 + compressionMethods);
        left -= 1 + compressionMethods;
        int extensions = vectorLength(data, c, 2, left);   // none at all (TLS 1.2): left == 0, -1
        if (extensions < 0 || 2 + extensions != left) {
            return ABSENT;
        }
        c = skip(data, c, 2);
        long serverName = NONE;
        int serverNameLength = 0;
        for (left = extensions; left > 0; ) {
            int extensionType = left < 4 ? -1 : uint(data, c, 2);
            int extensionLength = vectorLength(data, skip(data, c, 2), 2, left - 2);
            if (extensionType < 0 || extensionLength < 0) {
                return ABSENT;
            }
            c = skip(data, c, 4);
            if (extensionType == SERVER_NAME_EXTENSION && serverName == NONE) {
                serverName = c;
                serverNameLength = extensionLength;
            }
            c = skip(data, c, extensionLength);
            left -= 4 + extensionLength;
        }
        return serverName == NONE ? ABSENT : serverName(data, serverName, serverNameLength);
    }

    /** {@return the first host name in the server_name extension data of {@code length} bytes at {@code c}} */
    private static Result serverName(ByteBuffer data, long c, int length) {
        int list = vectorLength(data, c, 2, length);
        if (list < 1 || 2 + list != length) {
            return ABSENT;
        }
        c = skip(data, c, 2);
        long hostName = NONE;
        int hostNameLength = 0;
        for (int left = list; left > 0; ) {
            int nameType = left < 3 ? -1 : uint(data, c, 1);
            int nameLength = vectorLength(data, skip(data, c, 1), 2, left - 1);
            if (nameType < 0 || nameLength < 1) {
                return ABSENT;
            }
            c = skip(data, c, 3);
            if (nameType == HOST_NAME_TYPE && hostName == NONE) {
                hostName = c;
                hostNameLength = nameLength;
            }
            c = skip(data, c, nameLength);
            left -= 3 + nameLength;
        }
        return hostName == NONE ? ABSENT : hostName(data, hostName, hostNameLength);
    }

    /**
     * {@return the host name of {@code length} bytes at {@code c}, lower-cased and without one trailing dot;
     * ABSENT unless it is 1..255 bytes of visible ASCII (0x21..0x7e)}
     */
    private static Result hostName(ByteBuffer data, long c, int length) {
        if (length > MAX_HOST_NAME) {
            return ABSENT;
        }
        int last = -1;
        long p = c;
        for (int i = 0; i < length; i++) {
            last = uint(data, p, 1);
            if (last < 0x21 || last > 0x7e) {
                return ABSENT;
            }
            p = skip(data, p, 1);
        }
        int kept = last == '.' ? length - 1 : length;
        if (kept == 0) {
            return ABSENT;
        }
        byte[] name = new byte[kept];
        for (int i = 0; i < kept; i++) {
            int b = uint(data, c, 1);
            name[i] = (byte) (b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b);
            c = skip(data, c, 1);
        }
        return new Result(Status.FOUND, new String(name, StandardCharsets.US_ASCII));
    }

    /**
     * {@return the length in the {@code size}-byte length field at {@code c} of a vector that must fit,
     * field included, in {@code left} bytes; -1 if it does not or cannot be read}
     */
    private static int vectorLength(ByteBuffer data, long c, int size, int left) {
        if (left < size) {
            return -1;
        }
        int length = uint(data, c, size);
        return length < 0 || length > left - size ? -1 : length;
    }

    /** {@return the big-endian unsigned value of the {@code size} (1..3) bytes at {@code c}, or a status} */
    private static int uint(ByteBuffer data, long c, int size) {
        int value = 0;
        for (int i = 0; i < size; i++) {
            c = enter(data, c);
            if (c < 0) {
                return (int) c;
            }
            value = value << 8 | data.get(data.position() + offset(c)) & 0xff;
            c = cursor(offset(c) + 1, fragmentEnd(c));
        }
        return value;
    }

    /** {@return the cursor {@code n} bytes after {@code c}, all of them present, or a status} */
    private static long skip(ByteBuffer data, long c, int n) {
        while (n > 0) {
            c = enter(data, c);
            if (c < 0) {
                return c;
            }
            int offset = offset(c);
            int take = Math.min(n, fragmentEnd(c) - offset);
            if (offset + take > INPUT_LIMIT) {
                return ABSENT_CODE;
            }
            if (offset + take > data.remaining()) {
                return NEED_MORE_CODE;
            }
            c = cursor(offset + take, fragmentEnd(c));
            n -= take;
        }
        return c;
    }

    /**
     * {@return {@code c}, or at its fragment's end the first byte of the next record's fragment; a status
     * if that record's header is missing or not a handshake record of 1..2^14 bytes, or the byte is
     * missing}
     */
    private static long enter(ByteBuffer data, long c) {
        if (c < 0) {
            return c;
        }
        int offset = offset(c);
        int end = fragmentEnd(c);
        if (offset == end) {
            int length = recordLength(data, end);
            if (length < 0) {
                return length;
            }
            offset = end + RECORD_HEADER;
            end = offset + length;
        }
        if (offset >= INPUT_LIMIT) {
            return ABSENT_CODE;
        }
        return offset >= data.remaining() ? NEED_MORE_CODE : cursor(offset, end);
    }

    /**
     * {@return the fragment length of the record whose header is at {@code at}, or a status; checks each
     * header byte as soon as it is there, so plain text is ABSENT from its first byte}
     */
    private static int recordLength(ByteBuffer data, int at) {
        if (at + RECORD_HEADER > INPUT_LIMIT) {
            return ABSENT_CODE;
        }
        int available = data.remaining();
        int base = data.position() + at;
        if (at >= available) {
            return NEED_MORE_CODE;
        }
        if (data.get(base) != HANDSHAKE_RECORD) {
            return ABSENT_CODE;
        }
        if (at + 1 >= available) {
            return NEED_MORE_CODE;
        }
        if (data.get(base + 1) != 3) {   // legacy_record_version 0x03xx
            return ABSENT_CODE;
        }
        if (at + RECORD_HEADER > available) {
            return NEED_MORE_CODE;
        }
        int length = (data.get(base + 3) & 0xff) << 8 | data.get(base + 4) & 0xff;
        return length == 0 || length > MAX_FRAGMENT ? ABSENT_CODE : length;
    }

    private static long cursor(int offset, int fragmentEnd) {
        return (long) offset << 32 | fragmentEnd;
    }

    private static int offset(long c) {
        return (int) (c >>> 32);
    }

    private static int fragmentEnd(long c) {
        return (int) c;
    }

    private static Result status(long code) {
        return code == NEED_MORE_CODE ? NEED_MORE : ABSENT;
    }
}
