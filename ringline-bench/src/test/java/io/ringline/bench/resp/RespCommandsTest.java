package io.ringline.bench.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RespCommandsTest {

    final AtomicLong clock = new AtomicLong(1_000_000);
    final RespCommands cmds = new RespCommands(new Store(clock::get));

    String run(String... args) {
        byte[][] a = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            a[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        cmds.execute(a, new RespOutput() {
            @Override
            public void writeByte(int b) {
                bos.write(b);
            }

            @Override
            public void writeBytes(byte[] bytes, int offset, int length) {
                bos.write(bytes, offset, length);
            }
        });
        return bos.toString(StandardCharsets.UTF_8);
    }

    @Test
    void pingEcho() {
        assertEquals("+PONG\r\n", run("PING"));
        assertEquals("+PONG\r\n", run("ping"));
        assertEquals("$2\r\nhi\r\n", run("PING", "hi"));
        assertEquals("$3\r\na b\r\n", run("ECHO", "a b"));
        assertEquals("-ERR wrong number of arguments for 'echo' command\r\n", run("ECHO"));
    }

    @Test
    void setGetDelExists() {
        assertEquals("$-1\r\n", run("GET", "k"));
        assertEquals("+OK\r\n", run("SET", "k", "v"));
        assertEquals("$1\r\nv\r\n", run("get", "k"));
        assertEquals(":1\r\n", run("EXISTS", "k"));
        assertEquals(":2\r\n", run("EXISTS", "k", "k", "nope"));
        assertEquals(":1\r\n", run("DEL", "k", "nope"));
        assertEquals(":0\r\n", run("DEL", "k"));
        assertEquals("$-1\r\n", run("GET", "k"));
    }

    @Test
    void setExPxExpireLazily() {
        assertEquals("+OK\r\n", run("SET", "a", "1", "EX", "10"));
        assertEquals("+OK\r\n", run("SET", "b", "2", "px", "1500"));
        clock.addAndGet(1499);
        assertEquals("$1\r\n2\r\n", run("GET", "b"));
        clock.addAndGet(1);
        assertEquals("$-1\r\n", run("GET", "b"));
        assertEquals(":0\r\n", run("EXISTS", "b"));
        assertEquals("$1\r\n1\r\n", run("GET", "a"));
        clock.addAndGet(8500);
        assertEquals("$-1\r\n", run("GET", "a"));
        // plain SET clears the TTL
        run("SET", "c", "x", "EX", "1");
        run("SET", "c", "y");
        clock.addAndGet(5000);
        assertEquals("$1\r\ny\r\n", run("GET", "c"));
    }

    @Test
    void setOptionsErrors() {
        assertEquals("-ERR invalid expire time in 'set' command\r\n", run("SET", "k", "v", "EX", "0"));
        assertEquals("-ERR invalid expire time in 'set' command\r\n", run("SET", "k", "v", "PX", "-5"));
        assertEquals("-ERR value is not an integer or out of range\r\n", run("SET", "k", "v", "EX", "ten"));
        assertEquals("-ERR syntax error\r\n", run("SET", "k", "v", "EX"));
        assertEquals("-ERR syntax error\r\n", run("SET", "k", "v", "BOGUS"));
        assertEquals("-ERR syntax error\r\n", run("SET", "k", "v", "NX", "XX"));
        assertEquals("-ERR wrong number of arguments for 'set' command\r\n", run("SET", "k"));
    }

    @Test
    void setNxXx() {
        assertEquals("$-1\r\n", run("SET", "k", "v", "XX"));
        assertEquals("+OK\r\n", run("SET", "k", "v", "NX"));
        assertEquals("$-1\r\n", run("SET", "k", "w", "NX"));
        assertEquals("+OK\r\n", run("SET", "k", "w", "XX", "PX", "10"));
        assertEquals("$1\r\nw\r\n", run("GET", "k"));
        clock.addAndGet(10);
        assertEquals("+OK\r\n", run("SET", "k", "z", "NX")); // expired counts as absent
    }

    @Test
    void incr() {
        assertEquals(":1\r\n", run("INCR", "n"));
        assertEquals(":2\r\n", run("INCR", "n"));
        run("SET", "n", "99");
        assertEquals(":100\r\n", run("INCR", "n"));
        run("SET", "n", "-5");
        assertEquals(":-4\r\n", run("INCR", "n"));
        run("SET", "s", "abc");
        assertEquals("-ERR value is not an integer or out of range\r\n", run("INCR", "s"));
        run("SET", "s", " 1");
        assertEquals("-ERR value is not an integer or out of range\r\n", run("INCR", "s"));
        run("SET", "s", "9223372036854775807");
        assertEquals("-ERR value is not an integer or out of range\r\n", run("INCR", "s"));
        assertEquals("$19\r\n9223372036854775807\r\n", run("GET", "s"));
        // INCR keeps the TTL
        run("SET", "t", "1", "PX", "100");
        assertEquals(":2\r\n", run("INCR", "t"));
        clock.addAndGet(100);
        assertEquals("$-1\r\n", run("GET", "t"));
    }

    @Test
    void mgetMsetFlushall() {
        assertEquals("+OK\r\n", run("MSET", "a", "1", "b", "2"));
        assertEquals("*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n", run("MGET", "a", "missing", "b"));
        assertEquals("-ERR wrong number of arguments for 'mset' command\r\n", run("MSET", "a", "1", "b"));
        assertEquals("+OK\r\n", run("FLUSHALL"));
        assertEquals("*2\r\n$-1\r\n$-1\r\n", run("MGET", "a", "b"));
    }

    @Test
    void connectHandshakeCommands() {
        assertEquals("*2\r\n$4\r\nsave\r\n$0\r\n\r\n", run("CONFIG", "GET", "save"));
        assertEquals("*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n", run("CONFIG", "GET", "appendonly"));
        assertEquals("*0\r\n", run("CONFIG", "GET", "maxmemory-policy-x"));
        assertEquals("*0\r\n", run("COMMAND", "DOCS"));
        assertEquals("*0\r\n", run("COMMAND"));
        assertEquals("+OK\r\n", run("CLIENT", "SETNAME", "x"));
        assertEquals("+OK\r\n", run("CLIENT", "SETINFO", "lib-name", "redis-py"));
        assertEquals("+OK\r\n", run("SELECT", "0"));
        assertEquals("-ERR DB index is out of range\r\n", run("SELECT", "3"));
        assertEquals("-ERR unknown command 'HELLO'\r\n", run("HELLO", "3"));
        assertEquals("-ERR unknown command 'frobnicate'\r\n", run("frobnicate", "x"));
        String info = run("INFO");
        assertEquals('$', info.charAt(0));
        assertEquals(RespCommands.After.CLOSE, cmds.execute(new byte[][] {"QUIT".getBytes()}, new RespOutput() {
            @Override
            public void writeByte(int b) {}

            @Override
            public void writeBytes(byte[] bytes, int offset, int length) {}
        }));
    }
}
