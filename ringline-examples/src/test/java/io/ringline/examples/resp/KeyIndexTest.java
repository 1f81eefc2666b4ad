package io.ringline.examples.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The open-addressing key index against a HashMap model, with many collisions and removals. */
class KeyIndexTest {

    static KeyIndex.Entry entry(String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        return new KeyIndex.Entry(k, KeyIndex.hash(ByteBuffer.wrap(k), 0, k.length));
    }

    static KeyIndex.Entry get(KeyIndex<KeyIndex.Entry> index, String key) {
        // looked up inside a larger buffer, at an offset, as a request is
        ByteBuffer b = ByteBuffer.wrap(("xx" + key + "yy").getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
        int length = key.getBytes(StandardCharsets.UTF_8).length;
        return index.get(b, 2, length, KeyIndex.hash(b, 2, length));
    }

    @Test
    void matchesAMapUnderRandomPutsAndRemoves() {
        KeyIndex<KeyIndex.Entry> index = new KeyIndex<>();
        Map<String, KeyIndex.Entry> model = new HashMap<>();
        Random random = new Random(42);
        for (int step = 0; step < 200_000; step++) {
            String key = "k" + random.nextInt(3000);
            if (random.nextInt(3) == 0) {
                KeyIndex.Entry e = model.remove(key);
                if (e != null) {
                    assertTrue(index.remove(e));
                }
            } else {
                KeyIndex.Entry e = entry(key);
                assertSame(model.put(key, e), index.put(e));
            }
            if (step % 997 == 0) {
                assertEquals(model.size(), index.size());
                for (int k = 0; k < 3000; k++) {
                    assertSame(model.get("k" + k), get(index, "k" + k), "key k" + k + " at step " + step);
                }
            }
        }
        assertEquals(model.size(), index.removeIf(e -> true).size());
        assertEquals(0, index.size());
        assertNull(get(index, "k1"));
    }

    @Test
    void keysDifferingOnlyInLengthOrOneByteAreDistinct() {
        KeyIndex<KeyIndex.Entry> index = new KeyIndex<>();
        KeyIndex.Entry a = entry("key");
        KeyIndex.Entry b = entry("key1");
        KeyIndex.Entry c = entry("kex");
        index.put(a);
        index.put(b);
        index.put(c);
        assertSame(a, get(index, "key"));
        assertSame(b, get(index, "key1"));
        assertSame(c, get(index, "kex"));
        assertNull(get(index, "ke"));
        assertNull(get(index, ""));
    }
}
