package io.ringline.examples.resp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The arguments of one parsed command, as {@link RespParser#next} reports them: a view, reused by
 * the parser for every command, valid until its next call and only while the parsed buffer is not
 * changed. A command that arrived whole in one buffer is not copied: each argument is an offset
 * and a length into that buffer ({@link #buffer(int)}, {@link #offset(int)}). A command that
 * arrived in pieces was copied into byte arrays as it arrived; the view then shows those.
 *
 * <p>The hot commands (GET, SET, PING) are served from the view without allocating;
 * {@link #bytes(int)} and {@link #toArrays()} copy for the others.
 *
 * <p>Not thread-safe: one per parser.
 */
public final class RespArgs {

    /** Slots kept after a command with many arguments; more are given back. */
    private static final int KEEP_SLOTS = 64;

    private int count;
    /** The buffer the arguments are in (whole commands), or null. */
    private ByteBuffer source;
    private int[] offsets = new int[16];
    private int[] lengths = new int[16];
    /** The copied arguments (commands that arrived in pieces), or null. */
    private byte[][] arrays;

    /** {@return a view of {@code args} (tests, and callers holding arrays already)} */
    public static RespArgs of(byte[]... args) {
        RespArgs a = new RespArgs();
        a.showArrays(args);
        return a;
    }

    /** Starts a view of {@code count} arguments in {@code buffer}; {@link #set} fills them. */
    void showBuffer(ByteBuffer buffer, int count) {
        if (offsets.length < count || (offsets.length > KEEP_SLOTS && count <= KEEP_SLOTS)) {
            offsets = new int[Math.max(16, count)];
            lengths = new int[offsets.length];
        }
        this.source = buffer;
        this.arrays = null;
        this.count = count;
    }

    /** Sets argument {@code i} of a buffer view: {@code length} bytes at {@code offset} of the buffer. */
    void set(int i, int offset, int length) {
        offsets[i] = offset;
        lengths[i] = length;
    }

    /** Shows copied arguments. */
    void showArrays(byte[][] args) {
        this.arrays = args;
        this.source = null;
        this.count = args.length;
    }

    /** Forgets the buffer or arrays shown (so a view kept by the parser pins neither). */
    void clear() {
        source = null;
        arrays = null;
        count = 0;
    }

    /** {@return the number of arguments (the command name included); 0 for an empty command} */
    public int count() {
        return count;
    }

    /** {@return the length of argument {@code i}} */
    public int length(int i) {
        return arrays != null ? arrays[i].length : lengths[check(i)];
    }

    /** {@return the buffer argument {@code i} is in (read it with absolute gets; do not change it)} */
    public ByteBuffer buffer(int i) {
        return arrays != null ? ByteBuffer.wrap(arrays[i]) : sourceOf(i);
    }

    /** {@return the index of argument {@code i}'s first byte in {@link #buffer(int)}} */
    public int offset(int i) {
        return arrays != null ? 0 : offsets[check(i)];
    }

    /** {@return byte {@code j} of argument {@code i}} */
    public byte byteAt(int i, int j) {
        if (arrays != null) {
            return arrays[i][j];
        }
        if (j < 0 || j >= lengths[check(i)]) {
            throw new IndexOutOfBoundsException("byte " + j + " of an argument of " + lengths[i] + " bytes");
        }
        return source.get(offsets[i] + j);
    }

    /** {@return whether argument {@code i} is {@code upper}, an upper-case ASCII word, ignoring ASCII case} */
    public boolean is(int i, String upper) {
        if (i >= count || length(i) != upper.length()) {
            return false;
        }
        for (int j = 0; j < upper.length(); j++) {
            int c = byteAt(i, j);
            if (c >= 'a' && c <= 'z') {
                c -= 32;
            }
            if (c != upper.charAt(j)) {
                return false;
            }
        }
        return true;
    }

    /** {@return argument {@code i}'s bytes: a copy, or the parser's own array of a copied command} */
    public byte[] bytes(int i) {
        if (arrays != null) {
            return arrays[i];
        }
        byte[] b = new byte[lengths[check(i)]];
        source.get(offsets[i], b);
        return b;
    }

    /** {@return every argument's bytes (see {@link #bytes(int)})} */
    public byte[][] toArrays() {
        if (arrays != null) {
            return arrays;
        }
        byte[][] all = new byte[count][];
        for (int i = 0; i < count; i++) {
            all[i] = bytes(i);
        }
        return all;
    }

    private ByteBuffer sourceOf(int i) {
        check(i);
        return source;
    }

    private int check(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("argument " + i + " of " + count);
        }
        return i;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "" : ", ").append(new String(bytes(i), StandardCharsets.UTF_8));
        }
        return sb.append(']').toString();
    }
}
