package io.ringline.examples.resp;

import java.nio.charset.StandardCharsets;

/** RESP2 reply encoding. */
public final class Resp {
    private Resp() {}

    public static final byte[] CRLF = {'\r', '\n'};
    public static final byte[] OK = ascii("+OK\r\n");
    public static final byte[] PONG = ascii("+PONG\r\n");
    public static final byte[] NULL_BULK = ascii("$-1\r\n");
    public static final byte[] EMPTY_ARRAY = ascii("*0\r\n");
    private static final byte[][] SMALL_INTS = new byte[64][];

    static {
        for (int i = 0; i < SMALL_INTS.length; i++) {
            SMALL_INTS[i] = ascii(":" + i + "\r\n");
        }
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    public static void simple(RespOutput out, String s) {
        out.writeByte('+');
        out.writeBytes(ascii(s));
        out.writeBytes(CRLF);
    }

    /** {@code message} without the leading '-', e.g. "ERR syntax error". CR/LF are replaced. */
    public static void error(RespOutput out, String message) {
        out.writeByte('-');
        out.writeBytes(message.replace('\r', ' ').replace('\n', ' ').getBytes(StandardCharsets.UTF_8));
        out.writeBytes(CRLF);
    }

    public static void integer(RespOutput out, long v) {
        if (v >= 0 && v < SMALL_INTS.length) {
            out.writeBytes(SMALL_INTS[(int) v]);
            return;
        }
        out.writeByte(':');
        writeDecimal(out, v);
        out.writeBytes(CRLF);
    }

    public static void bulk(RespOutput out, byte[] value) {
        if (value == null) {
            out.writeBytes(NULL_BULK);
            return;
        }
        out.writeByte('$');
        writeDecimal(out, value.length);
        out.writeBytes(CRLF);
        out.writeBytes(value);
        out.writeBytes(CRLF);
    }

    /** Writes {@code $<length>\r\n}: the header of a bulk string whose bytes and CRLF follow. */
    public static void bulkHeader(RespOutput out, int length) {
        out.writeByte('$');
        writeDecimal(out, length);
        out.writeBytes(CRLF);
    }

    public static void bulk(RespOutput out, String value) {
        bulk(out, value.getBytes(StandardCharsets.UTF_8));
    }

    public static void arrayHeader(RespOutput out, int n) {
        out.writeByte('*');
        writeDecimal(out, n);
        out.writeBytes(CRLF);
    }

    /** Writes {@code v} in decimal, digit by digit (no allocation). */
    private static void writeDecimal(RespOutput out, long v) {
        if (v >= 0 && v < 10) {
            out.writeByte('0' + (int) v);
            return;
        }
        if (v == Long.MIN_VALUE) {
            out.writeBytes(ascii(Long.toString(v)));
            return;
        }
        if (v < 0) {
            out.writeByte('-');
            v = -v;
        }
        long scale = 1;
        while (scale <= v / 10) {
            scale *= 10;
        }
        for (; scale > 0; scale /= 10) {
            out.writeByte('0' + (int) (v / scale % 10));
        }
    }
}
