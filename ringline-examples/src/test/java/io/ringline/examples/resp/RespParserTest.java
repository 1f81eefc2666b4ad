package io.ringline.examples.resp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespParserTest {

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<List<String>> strings(List<byte[][]> cmds) {
        List<List<String>> out = new ArrayList<>();
        for (byte[][] c : cmds) {
            List<String> l = new ArrayList<>();
            for (byte[] a : c) {
                l.add(new String(a, StandardCharsets.UTF_8));
            }
            out.add(l);
        }
        return out;
    }

    /** Feeds the input in the given pieces, the way a connection's cumulation buffer would grow. */
    static List<byte[][]> feed(RespParser p, byte[] input, int... cuts) {
        List<byte[][]> cmds = new ArrayList<>();
        ByteBuffer acc = ByteBuffer.allocate(input.length);
        acc.flip();
        int prev = 0;
        int[] points = new int[cuts.length + 1];
        System.arraycopy(cuts, 0, points, 0, cuts.length);
        points[cuts.length] = input.length;
        for (int cut : points) {
            // append input[prev, cut) keeping unconsumed bytes (compact + put)
            acc.compact();
            acc.put(input, prev, cut - prev);
            acc.flip();
            prev = cut;
            byte[][] c;
            while ((c = next(p, acc)) != null) {
                if (c.length > 0) {
                    cmds.add(c);
                }
            }
        }
        assertEquals(0, acc.remaining(), "all input consumed");
        return cmds;
    }

    /** {@return the next command's arguments, copied, or null} */
    static byte[][] next(RespParser p, ByteBuffer in) {
        RespArgs args = p.next(in);
        return args == null ? null : args.toArrays();
    }

    static final String PIPELINE = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nhello\r\n"
            + "PING\r\n"
            + "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"
            + "*0\r\n"
            + "*1\r\n$0\r\n\r\n"
            + "ECHO  \"a b\"  x\n"
            + "\r\n"
            + "*2\r\n$4\r\nECHO\r\n$4\r\na\r\nb\r\n";

    static final List<List<String>> EXPECTED = List.of(
            List.of("SET", "key", "hello"), List.of("PING"), List.of("GET", "key"), List.of(""),
            List.of("ECHO", "a b", "x"), List.of("ECHO", "a\r\nb"));

    @Test
    void pipelinedInOnePiece() {
        assertEquals(EXPECTED, strings(feed(new RespParser(), b(PIPELINE))));
    }

    @Test
    void splitAtEveryByteBoundary() {
        byte[] in = b(PIPELINE);
        for (int cut = 0; cut <= in.length; cut++) {
            assertEquals(EXPECTED, strings(feed(new RespParser(), in, cut)), "cut at " + cut);
        }
    }

    @Test
    void oneByteAtATime() {
        byte[] in = b(PIPELINE);
        int[] cuts = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            cuts[i] = i;
        }
        assertEquals(EXPECTED, strings(feed(new RespParser(), in, cuts)));
    }

    @Test
    void incompleteReturnsNullAndKeepsBulkUnconsumed() {
        RespParser p = new RespParser();
        ByteBuffer buf = ByteBuffer.wrap(b("*2\r\n$3\r\nGET\r\n$5\r\nab"));
        assertNull(p.next(buf));
        // header and first element consumed, the partial bulk string is not
        assertEquals("$5\r\nab", new String(buf.array(), buf.position(), buf.remaining(), StandardCharsets.UTF_8));
    }

    @Test
    void binarySafeValues() {
        byte[] value = new byte[256];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        byte[] head = b("*2\r\n$4\r\nECHO\r\n$256\r\n");
        ByteBuffer buf = ByteBuffer.allocate(head.length + 258);
        buf.put(head).put(value).put(b("\r\n")).flip();
        byte[][] cmd = next(new RespParser(), buf);
        assertNotNull(cmd);
        assertArrayEquals(value, cmd[1]);
    }

    static RespProtocolException fails(RespParser p, String input) {
        return assertThrows(RespProtocolException.class, () -> feed(p, b(input)));
    }

    @Test
    void malformed() {
        assertTrue(fails(new RespParser(), "*2\r\n+GET\r\n").getMessage().startsWith("ERR Protocol error"));
        assertTrue(fails(new RespParser(), "*x\r\n").getMessage().contains("invalid multibulk length"));
        assertTrue(fails(new RespParser(), "*1\r\n$abc\r\n").getMessage().contains("invalid bulk length"));
        assertTrue(fails(new RespParser(), "*1\r\n$-5\r\n").getMessage().contains("invalid bulk length"));
        assertTrue(fails(new RespParser(), "*1\r\n$3\r\nGETXX").getMessage().contains("CRLF"));
        assertTrue(fails(new RespParser(), "*1\rX").getMessage().startsWith("ERR Protocol error"));
        assertTrue(fails(new RespParser(), "ECHO \"abc\r\n").getMessage().contains("quotes"));
        // after a failure the parser stays failed
        RespParser p = new RespParser();
        fails(p, "*x\r\n");
        assertThrows(RespProtocolException.class, () -> p.next(ByteBuffer.wrap(b("PING\r\n"))));
    }

    @Test
    void oversizedBulkRejectedBeforeBuffering() {
        RespParser p = new RespParser(1024, 16, 256);
        assertTrue(fails(p, "*1\r\n$1025\r\n").getMessage().contains("invalid bulk length"));
        assertTrue(fails(new RespParser(), "*1\r\n$536870913\r\n").getMessage().contains("invalid bulk length"));
        assertTrue(fails(new RespParser(), "*1\r\n$99999999999999999999999\r\n").getMessage()
                .contains("invalid bulk length"));
        assertEquals(1, feed(new RespParser(1024, 16, 256), b("*1\r\n$1024\r\n" + "x".repeat(1024) + "\r\n")).size());
    }

    @Test
    void absurdArrayCountRejected() {
        assertTrue(fails(new RespParser(1024, 16, 256), "*17\r\n").getMessage().contains("invalid multibulk length"));
        assertTrue(fails(new RespParser(), "*2147483647\r\n").getMessage().contains("invalid multibulk length"));
        // a large but allowed count does not pre-allocate: parsing just waits for elements
        RespParser p = new RespParser();
        assertNull(p.next(ByteBuffer.wrap(b("*1000000\r\n$1\r\na\r\n"))));
    }

    @Test
    void overlongLinesRejected() {
        RespParser p = new RespParser(1024, 16, 256);
        assertTrue(fails(p, "PING " + "x".repeat(300)).getMessage().contains("too big inline"));
        RespParser q = new RespParser(1024, 16, 256);
        assertTrue(fails(q, "*1\r\n$" + "1".repeat(300)).getMessage().startsWith("ERR Protocol error"));
    }

    // ------------------------------------------------------------------ heap held by partial commands

    static final String EMPTY_ARG = "$0\r\n\r\n";

    @Test
    void partialCommandHeapIsCountedWithoutTrustingTheCount() {
        RespParser p = new RespParser();
        ByteBuffer in = ByteBuffer.wrap(b("*1048576\r\n"));
        assertNull(p.next(in));
        assertTrue(p.inCommand());
        // the count pre-allocates nothing in proportion: the array starts at 16 slots
        assertEquals(RespParser.ARRAY_HEADER + 16L * RespParser.REFERENCE_BYTES, p.retainedBytes());
        assertNull(p.next(ByteBuffer.wrap(b(EMPTY_ARG.repeat(100) + "$3\r\nabc\r\n"))));
        // 101 arguments (3 bytes in all), the array doubled to 128 slots
        assertEquals(RespParser.ARRAY_HEADER + 128L * RespParser.REFERENCE_BYTES + 101L * RespParser.ELEMENT_OVERHEAD + 3,
                p.retainedBytes());
        // at least the real footprint of an empty byte[] (16 bytes) plus a compressed reference (4) each
        assertTrue(p.retainedBytes() >= 101 * 20);
    }

    /** The attack: *1048576 then empty arguments forever. What the parser holds never exceeds the limit. */
    @Test
    void attackIsRefusedAtTheLimitAndHeldBytesStayBounded() {
        long limit = 64 << 10;
        RespParser p = new RespParser(16 << 20, RespParser.DEFAULT_MAX_ARRAY, RespParser.DEFAULT_MAX_INLINE, limit,
                RequestBudget.UNLIMITED);
        assertNull(p.next(ByteBuffer.wrap(b("*1048576\r\n"))));
        byte[] chunk = b(EMPTY_ARG.repeat(100));
        RespProtocolException refused = null;
        int chunks = 0;
        while (refused == null && chunks < 10_000) {
            try {
                assertNull(p.next(ByteBuffer.wrap(chunk)));
                chunks++;
            } catch (RespProtocolException e) {
                refused = e;
            }
            assertTrue(p.retainedBytes() <= limit, p.retainedBytes() + " bytes held after " + chunks + " chunks");
        }
        assertNotNull(refused, "never refused");
        assertTrue(refused.getMessage().startsWith("ERR Protocol error: request exceeds the limit of 65536 bytes"),
                refused.getMessage());
        assertTrue(chunks * 100 >= 1500 && chunks * 100 <= 2800, chunks * 100 + " arguments accepted");
        assertEquals(0, p.retainedBytes(), "the partial command is dropped after the error");
    }

    @Test
    void anArgumentThatWouldExceedTheLimitIsRefusedBeforeItsBytesArrive() {
        RespParser p = new RespParser(1 << 20, 16, 256, 10_000, RequestBudget.UNLIMITED);
        RespProtocolException e = fails(p, "*2\r\n$3\r\nSET\r\n$20000\r\n");
        assertTrue(e.getMessage().contains("limit of 10000 bytes"), e.getMessage());
    }

    @Test
    void theLargestLegitimateRequestFitsTheDefaultLimit() {
        int maxBulk = 1 << 20;
        RespParser p = new RespParser(maxBulk, RespParser.DEFAULT_MAX_ARRAY, RespParser.DEFAULT_MAX_INLINE,
                RespParser.defaultMaxRequest(maxBulk), RequestBudget.UNLIMITED);
        String value = "v".repeat(maxBulk);
        List<byte[][]> cmds = feed(p, b("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$" + maxBulk + "\r\n" + value + "\r\n"), 20, 5000);
        assertEquals(1, cmds.size());
        assertEquals(maxBulk, cmds.getFirst()[2].length);
    }

    @Test
    void budgetIsReservedOnlyWhilePartialAndAlwaysReturned() {
        RequestBudget budget = new RequestBudget(100_000);
        RespParser p = new RespParser(1 << 20, RespParser.DEFAULT_MAX_ARRAY, 1024, 1 << 20, budget);
        // complete commands never reserve
        assertEquals(1, feed(p, b("*1\r\n$4\r\nPING\r\n")).size());
        assertEquals(0, budget.used());
        // a partial command reserves what it holds plus the unconsumed bytes kept for it
        ByteBuffer in = ByteBuffer.wrap(b("*2\r\n$4\r\nECHO\r\n$5\r\nhel"));
        assertNull(p.next(in));
        assertEquals(p.retainedBytes() + in.remaining(), budget.used());
        assertTrue(budget.used() > 0);
        // completing it returns the reservation
        ByteBuffer rest = ByteBuffer.allocate(64).put(in).put(b("lo\r\n")).flip();
        assertEquals(2, p.next(rest).count());
        assertEquals(0, budget.used());
        // release() on close returns it too
        assertNull(p.next(ByteBuffer.wrap(b("*2\r\n$4\r\nECHO\r\n"))));
        assertTrue(budget.used() > 0);
        p.release();
        p.release();
        assertEquals(0, budget.used());

        // partial commands of two parsers together are refused beyond the budget, and the refused one returns its share
        RespParser q = new RespParser(1 << 20, RespParser.DEFAULT_MAX_ARRAY, 1024, 1 << 20, budget);
        RespParser r = new RespParser(1 << 20, RespParser.DEFAULT_MAX_ARRAY, 1024, 1 << 20, budget);
        byte[] many = b("*100000\r\n" + EMPTY_ARG.repeat(2000)); // ~64 KB held
        assertNull(q.next(ByteBuffer.wrap(many)));
        long held = budget.used();
        assertTrue(held > 50_000 && held <= 100_000, held + " reserved");
        RespProtocolException e = fails(r, "*100000\r\n" + EMPTY_ARG.repeat(2000));
        assertTrue(e.getMessage().contains("budget of 100000 bytes"), e.getMessage());
        assertEquals(held, budget.used(), "the refused parser returned its reservation");
        q.release();
        assertEquals(0, budget.used());
    }

    @Test
    void failureReturnsTheReservation() {
        RequestBudget budget = new RequestBudget(1 << 20);
        RespParser p = new RespParser(1 << 20, 16, 256, 1 << 20, budget);
        assertNull(p.next(ByteBuffer.wrap(b("*3\r\n$3\r\nSET\r\n"))));
        assertTrue(budget.used() > 0);
        fails(p, "+oops\r\n");
        assertEquals(0, budget.used());
    }

    @Test
    void aWholeCommandIsAViewOfTheBufferAtItsPositionNotACopy() {
        ByteBuffer direct = ByteBuffer.allocateDirect(64);
        direct.put(b("xx*2\r\n$3\r\nGET\r\n$3\r\nkey\r\nPING\r\n")).flip();
        ByteBuffer in = direct.position(2).asReadOnlyBuffer(); // received data need not start at 0
        RespParser p = new RespParser();
        RespArgs get = p.next(in);
        assertEquals(2, get.count());
        assertTrue(get.is(0, "GET"));
        assertSame(in, get.buffer(1));
        assertEquals(19, get.offset(1));
        assertEquals(3, get.length(1));
        assertEquals(24, in.position());
        RespArgs ping = p.next(in);
        assertEquals(1, ping.count());
        assertSame(in, ping.buffer(0));
        assertEquals(24, ping.offset(0));
        assertEquals(in.limit(), in.position());
        assertNull(p.next(in));
    }
}
