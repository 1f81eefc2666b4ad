package io.ringline.internal;

import io.ringline.internal.ClientHelloSni.Result;
import io.ringline.internal.ClientHelloSni.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The SNI host name read from real (JDK client engine) and hand-built ClientHellos, their prefixes,
 * re-framings and mutations, and from garbage. The timeout turns a parser loop that never ends into a failure.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClientHelloSniTest {

    private static final String[] TLS13 = {"TLSv1.3"};
    private static final String[] TLS12 = {"TLSv1.2"};
    private static final String[] ALPN = {"h2", "http/1.1"};

    // ---- real ClientHellos of a JDK client engine

    @Test
    void tls13HelloWithSniGivesTheLowerCaseName() throws Exception {
        assertFound("host.example.com", jdkHello("Host.Example.com", TLS13, null));
    }

    @Test
    void tls12OnlyHelloWithSniGivesTheName() throws Exception {
        assertFound("host.example.com", jdkHello("Host.Example.com", TLS12, null));
    }

    @Test
    void helloWithAlpnAndOtherExtensionsAroundSniGivesTheName() throws Exception {
        assertFound("host.example.com", jdkHello("Host.Example.com", TLS13, ALPN));
        assertFound("host.example.com", jdkHello("Host.Example.com", TLS12, ALPN));
    }

    @Test
    void helloOfAnEngineWithoutHostOrWithAnIpHasNoSni() throws Exception {
        assertEquals(Status.ABSENT, read(jdkHello(null, TLS13, null)).status());
        assertEquals(Status.ABSENT, read(jdkHello(null, TLS12, ALPN)).status());
        assertEquals(Status.ABSENT, read(jdkHello("127.0.0.1", TLS13, null)).status());
        assertEquals(Status.ABSENT, read(jdkHello("127.0.0.1", TLS12, null)).status());
    }

    @Test
    void everyPrefixOfARealHelloNeedsMore() throws Exception {
        for (byte[] hello : List.of(jdkHello("Host.Example.com", TLS13, ALPN), jdkHello("Host.Example.com", TLS12, null),
                jdkHello(null, TLS13, null))) {
            assertEveryPrefixNeedsMore(hello);
        }
    }

    @Test
    void helloSplitIntoRecordsOf100BytesOrOfOneByteStillGivesTheName() throws Exception {
        byte[] hello = jdkHello("Host.Example.com", TLS13, ALPN);
        for (int size : new int[] {100, 1}) {
            byte[] split = reframe(hello, size);
            assertTrue(split.length > hello.length + 5, "more than one record");
            assertFound("host.example.com", split);
            assertEveryPrefixNeedsMore(split);
        }
    }

    @Test
    void bytesAfterTheHelloAreIgnored() throws Exception {
        byte[] hello = jdkHello("Host.Example.com", TLS13, null);
        byte[] more = Arrays.copyOf(hello, hello.length + 6);
        System.arraycopy(new byte[] {20, 3, 3, 0, 1, 1}, 0, more, hello.length, 6);   // change_cipher_spec
        assertFound("host.example.com", more);
    }

    // ---- hand-built ClientHellos

    @Test
    void sniAfterOtherExtensionsAndAfterOtherNameTypesIsFound() {
        byte[] grease = extension(0x0a0a, new byte[0]);
        byte[] alpn = extension(16, bytes(0, 3, 2, 'h', '2'));
        byte[] names = serverName(nameEntry(7, "other"), nameEntry(0, "Second.Example"), nameEntry(0, "third.example"));
        assertFound("second.example", hello(concat(grease, alpn, names, extension(21, new byte[40]))));
        byte[] again = serverName(nameEntry(0, "again.example"));   // a repeated server_name: the first counts
        assertFound("second.example", hello(concat(alpn, names, again)));
    }

    @Test
    void oneTrailingDotIsStrippedAndTheNameLowerCased() {
        assertFound("a.b-c.example", hello(serverName(nameEntry(0, "A.B-C.EXAMPLE."))));
        assertFound("x", hello(serverName(nameEntry(0, "X"))));
        assertFound("a.", hello(serverName(nameEntry(0, "a.."))));
    }

    @Test
    void nameOf255BytesIsFoundAndLongerOrInvalidNamesAreAbsent() {
        String max = "a".repeat(255);
        assertFound(max, hello(serverName(nameEntry(0, max))));
        assertAbsent(hello(serverName(nameEntry(0, max + "b"))));
        for (String bad : new String[] {"a b", "a\0b", "a\u007fb", "tab\t", ".", ""}) {
            assertAbsent(hello(serverName(nameEntry(0, bad))));
        }
        assertAbsent(hello(serverName(concat(bytes(0, 0, 3), "a".getBytes(StandardCharsets.US_ASCII), bytes(0xc3, 0xa9)))));
    }

    @Test
    void helloWithoutExtensionsOrWithoutAHostNameEntryIsAbsent() {
        assertAbsent(hello(null));                                   // TLS 1.2 without extensions
        assertAbsent(hello(new byte[0]));                            // an empty extension list
        assertAbsent(hello(extension(16, bytes(0, 3, 2, 'h', '2'))));
        assertAbsent(hello(serverName(nameEntry(1, "not-a-host-name"))));
        assertAbsent(hello(extension(0, bytes(0, 0))));              // an empty ServerNameList
        assertAbsent(hello(extension(0, new byte[0])));              // server_name without its list
    }

    @Test
    void inconsistentLengthsAreAbsent() {
        byte[] names = serverName(nameEntry(0, "host.example"));
        byte[] good = hello(names);
        assertFound("host.example", good);
        int extensions = good.length - names.length - 2;            // the offset of the extensions length
        assertAbsent(withU16(good, extensions, names.length + 1));
        assertAbsent(withU16(good, extensions, names.length - 1));
        int list = extensions + 2 + 4;                               // the ServerNameList length
        assertAbsent(withU16(good, list, names.length - 4 - 2 + 1));
        assertAbsent(withU16(good, list, names.length - 4 - 2 - 1));
        int name = list + 2 + 1;                                     // the HostName length
        assertAbsent(withU16(good, name, "host.example".length() + 1));
        assertAbsent(withU16(good, name, 0));
        int sessionId = 5 + 4 + 2 + 32;
        byte[] longSession = good.clone();
        longSession[sessionId] = 33;
        assertAbsent(longSession);
        int suites = sessionId + 1 + 32;
        assertAbsent(withU16(good, suites, 3));
        assertAbsent(withU16(good, suites, 0));
        assertAbsent(hello(bytes(0x13, 0x01, 0xc0), names));       // an odd cipher_suites length
        assertAbsent(hello(new byte[0], names));
        byte[] noCompression = good.clone();
        noCompression[suites + 2 + 4] = 0;
        assertAbsent(noCompression);
        byte[] legacyVersion = good.clone();
        legacyVersion[9] = 2;
        assertAbsent(legacyVersion);
    }

    @Test
    void otherRecordsAndHandshakeMessagesAreAbsentFromTheirFirstByte() {
        byte[] good = hello(serverName(nameEntry(0, "host.example")));
        byte[] alert = good.clone();
        alert[0] = 21;
        assertAbsent(Arrays.copyOf(alert, 1));
        byte[] sslV3Major = good.clone();
        sslV3Major[1] = 2;
        assertAbsent(Arrays.copyOf(sslV3Major, 2));
        byte[] serverHello = good.clone();
        serverHello[5] = 2;
        assertAbsent(Arrays.copyOf(serverHello, 6));
        assertAbsent(withU16(good, 3, 0));                           // an empty record
        assertAbsent(Arrays.copyOf(withU16(good, 3, 16385), 5));     // a record longer than 2^14
    }

    @Test
    void oversizedLengthsAreAbsentNotNeedMoreForEver() {
        byte[] good = hello(serverName(nameEntry(0, "host.example")));
        byte[] huge = good.clone();
        huge[6] = 1;                                                  // handshake length 2^16 + ...
        assertAbsent(Arrays.copyOf(huge, 9));
        byte[] tooLong = good.clone();
        tooLong[6] = 0;
        tooLong[7] = 0x3f;
        tooLong[8] = (byte) 0xfd;                                     // 16381: with its header 1 byte over 2^14
        assertAbsent(Arrays.copyOf(tooLong, 9));
    }

    @Test
    void helloFillingOneWholeRecordIsFoundButNotWhenItNeedsMoreThanOneRecordOfInput() {
        byte[] names = serverName(nameEntry(0, "host.example"));
        int fixed = hello(concat(names, extension(21, new byte[0]))).length;
        byte[] full = hello(concat(names, extension(21, new byte[ClientHelloSni.INPUT_LIMIT - fixed])));
        assertEquals(ClientHelloSni.INPUT_LIMIT, full.length);
        assertFound("host.example", full);
        assertEquals(Status.NEED_MORE, read(Arrays.copyOf(full, full.length - 1)).status());
        byte[] twoRecords = reframe(full, 16000);
        assertAbsent(twoRecords);
        assertAbsent(Arrays.copyOf(twoRecords, ClientHelloSni.INPUT_LIMIT));
        byte[] smallRecords = reframe(hello(concat(names, extension(21, new byte[8000]))), 2);
        assertAbsent(smallRecords);                                 // 8 KiB in 2-byte records: 20 KiB of input
        assertEquals(Status.NEED_MORE, read(Arrays.copyOf(smallRecords, 1000)).status());
        assertAbsent(Arrays.copyOf(smallRecords, ClientHelloSni.INPUT_LIMIT));     // decided within the limit
    }

    // ---- garbage

    @Test
    void plainTextIsAbsent() {
        assertAbsent("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertAbsent(bytes('G'));
        assertEquals(Status.NEED_MORE, read(new byte[0]).status());
    }

    @Test
    void randomBytesNeverThrowAndNeverWaitBeyondTheLimit() {
        Random random = new Random(20261201);
        for (int i = 0; i < 10_000; i++) {
            byte[] b = new byte[random.nextInt(i % 100 == 0 ? ClientHelloSni.INPUT_LIMIT + 100 : 600)];
            random.nextBytes(b);
            if (b.length >= 9 && random.nextBoolean()) {             // a plausible start, to get further in
                b[0] = 22;
                b[1] = 3;
                b[3] = (byte) random.nextInt(0x41);
                b[5] = 1;
                b[6] = 0;
                b[7] = (byte) random.nextInt(0x41);
            }
            Result r = read(b);
            if (b.length >= ClientHelloSni.INPUT_LIMIT) {
                assertNotEquals(Status.NEED_MORE, r.status(), "waits beyond the limit");
            }
        }
    }

    @Test
    void everySingleByteMutationOfARealHelloNeverThrows() throws Exception {
        for (byte[] hello : List.of(jdkHello("Host.Example.com", TLS12, ALPN), reframe(jdkHello("h.example", TLS13, null), 100))) {
            int found = 0;
            for (int i = 0; i < hello.length; i++) {
                byte original = hello[i];
                for (int v = 0; v < 256; v++) {
                    if ((byte) v != original) {
                        hello[i] = (byte) v;
                        found += read(hello).status() == Status.FOUND ? 1 : 0;
                    }
                }
                hello[i] = original;
            }
            assertTrue(found > 0, "mutations of the random part still find the name");
        }
    }

    // ---- the buffer

    @Test
    void readsFromPositionToLimitWithoutMovingThem() throws Exception {
        byte[] hello = jdkHello("Host.Example.com", TLS13, null);
        ByteBuffer direct = ByteBuffer.allocateDirect(hello.length + 20);
        direct.position(13).put(hello).limit(13 + hello.length).position(13);
        assertEquals("host.example.com", ClientHelloSni.read(direct).hostName());
        assertEquals(13, direct.position());
        assertEquals(13 + hello.length, direct.limit());
        ByteBuffer readOnly = ByteBuffer.wrap(hello).asReadOnlyBuffer();
        assertEquals("host.example.com", ClientHelloSni.read(readOnly).hostName());
        assertEquals(0, readOnly.position());
        ByteBuffer shortLimit = direct.duplicate().limit(13 + hello.length - 1);
        assertEquals(Status.NEED_MORE, ClientHelloSni.read(shortLimit).status());
        assertEquals(13, shortLimit.position());
    }

    // ---- helpers

    /** Reads {@code bytes} from a buffer at position 7 with other bytes around them; checks the invariants. */
    private static Result read(byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocate(bytes.length + 10);
        Arrays.fill(b.array(), (byte) 1);
        b.position(7).put(bytes).limit(7 + bytes.length).position(7);
        Result r;
        try {
            r = ClientHelloSni.read(b);
        } catch (RuntimeException e) {
            throw new AssertionError("threw for " + Arrays.toString(bytes), e);
        }
        assertEquals(7, b.position(), "position");
        assertEquals(7 + bytes.length, b.limit(), "limit");
        if (r.status() == Status.FOUND) {
            String name = r.hostName();
            assertTrue(!name.isEmpty() && name.length() <= 255, name);
            assertTrue(name.chars().allMatch(c -> c > 0x20 && c < 0x7f && !(c >= 'A' && c <= 'Z')), name);
        }
        return r;
    }

    private static void assertFound(String name, byte[] bytes) {
        assertEquals(new Result(Status.FOUND, name), read(bytes));
    }

    private static void assertAbsent(byte[] bytes) {
        assertEquals(Status.ABSENT, read(bytes).status());
    }

    private static void assertEveryPrefixNeedsMore(byte[] hello) {
        for (int n = 0; n < hello.length; n++) {
            Status s = read(Arrays.copyOf(hello, n)).status();
            if (s != Status.NEED_MORE) {
                fail("prefix of " + n + " of " + hello.length + " bytes: " + s);
            }
        }
    }

    /** {@return the first flight of a JDK client engine: one record holding its ClientHello} */
    private static byte[] jdkHello(String host, String[] protocols, String[] alpn) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLEngine engine = host == null ? context.createSSLEngine() : context.createSSLEngine(host, 443);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(protocols);
        if (host != null && Character.isLetter(host.charAt(0))) {
            parameters.setServerNames(List.of(new SNIHostName(host)));
        }
        if (alpn != null) {
            parameters.setApplicationProtocols(alpn);
        }
        engine.setSSLParameters(parameters);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        SSLEngineResult result = engine.wrap(ByteBuffer.allocate(0), out);
        assertEquals(SSLEngineResult.Status.OK, result.getStatus());
        byte[] hello = Arrays.copyOf(out.array(), out.position());
        assertEquals(22, hello[0]);
        assertEquals(hello.length - 5, (hello[3] & 0xff) << 8 | hello[4] & 0xff, "one record");
        return hello;
    }

    /** {@return the handshake bytes of the one record {@code record} re-framed into records of {@code size}} */
    private static byte[] reframe(byte[] record, int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 5; at < record.length; at += size) {
            int n = Math.min(size, record.length - at);
            out.writeBytes(bytes(22, record[1], record[2], n >> 8, n));
            out.write(record, at, n);
        }
        return out.toByteArray();
    }

    /** {@return a TLS 1.2-style ClientHello record with these extensions (null: no extensions field)} */
    private static byte[] hello(byte[] extensions) {
        return hello(bytes(0x13, 0x01, 0xc0, 0x2f), extensions);
    }

    /** {@return a TLS 1.2-style ClientHello record with these cipher suites and extensions} */
    private static byte[] hello(byte[] cipherSuites, byte[] extensions) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(bytes(3, 3));
        body.writeBytes(new byte[32]);                               // random
        body.write(32);
        body.writeBytes(new byte[32]);                               // legacy_session_id
        body.writeBytes(u16(cipherSuites.length));
        body.writeBytes(cipherSuites);
        body.writeBytes(bytes(1, 0));                                // compression_methods: null
        if (extensions != null) {
            body.writeBytes(u16(extensions.length));
            body.writeBytes(extensions);
        }
        int n = body.size();
        byte[] message = concat(bytes(1, n >> 16, n >> 8, n), body.toByteArray());
        return concat(bytes(22, 3, 1, message.length >> 8, message.length), message);
    }

    private static byte[] extension(int type, byte[] data) {
        return concat(u16(type), u16(data.length), data);
    }

    private static byte[] serverName(byte[]... entries) {
        byte[] list = concat(entries);
        return extension(0, concat(u16(list.length), list));
    }

    private static byte[] nameEntry(int type, String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        return concat(bytes(type), u16(b.length), b);
    }

    private static byte[] withU16(byte[] b, int at, int value) {
        byte[] copy = b.clone();
        copy[at] = (byte) (value >> 8);
        copy[at + 1] = (byte) value;
        return copy;
    }

    private static byte[] u16(int v) {
        return bytes(v >> 8, v);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
