package io.ringline.tests.support;

import java.util.Random;

/** Test payloads: random bytes and an endless position-dependent pattern stream. */
public final class Bytes {

    private Bytes() {
    }

    /** {@return {@code n} random bytes} */
    public static byte[] random(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /**
     * {@return the byte at {@code position} of an endless, position-dependent test stream} (a
     * hash of the position, so a lost, duplicated or reordered chunk shows up as a mismatch)
     */
    public static byte patternByte(long position) {
        long x = position * 0x9E3779B97F4A7C15L;
        x ^= x >>> 29;
        return (byte) (x ^ (x >>> 17));
    }

    /** Fills {@code dst} with the pattern stream from {@code position}. */
    public static void fillPattern(byte[] dst, long position) {
        for (int i = 0; i < dst.length; i++) {
            dst[i] = patternByte(position + i);
        }
    }

    /** {@return {@code n} bytes of the pattern stream from {@code position}} */
    public static byte[] pattern(long position, int n) {
        byte[] b = new byte[n];
        fillPattern(b, position);
        return b;
    }

    /** Asserts that {@code got[0..n)} equals the pattern stream from {@code position}. */
    public static void checkPattern(byte[] got, int n, long position) {
        for (int i = 0; i < n; i++) {
            if (got[i] != patternByte(position + i)) {
                throw new AssertionError("stream byte " + (position + i) + " is " + got[i] + ", expected "
                        + patternByte(position + i) + " (bytes lost, duplicated or reordered)");
            }
        }
    }
}
