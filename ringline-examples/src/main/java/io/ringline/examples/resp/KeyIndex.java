package io.ringline.examples.resp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Open-addressing hash index of byte-string keys (linear probing, deletion by backward shift, so no
 * tombstones), looked up with a key that is a range of a buffer: the received request, read in
 * place. Lookups and replacing an entry allocate nothing; a new key costs its entry (and a table
 * growth now and then).
 *
 * <p>Not thread-safe: {@link RegionStore} calls it under its lock.
 *
 * @param <E> the entries: each carries its key and the key's {@link #hash}
 */
final class KeyIndex<E extends KeyIndex.Entry> {

    /** What the index holds: a key (never changed) and its hash. */
    static class Entry {
        final byte[] key;
        final int hash;

        Entry(byte[] key, int hash) {
            this.key = key;
            this.hash = hash;
        }

        /** {@return whether the key is the {@code length} bytes at {@code offset} of {@code b}} */
        final boolean keyEquals(ByteBuffer b, int offset, int length) {
            if (key.length != length) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if (key[i] != b.get(offset + i)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final int MIN_CAPACITY = 16;

    private Entry[] slots = new Entry[MIN_CAPACITY];
    private int size;

    /** {@return the hash of the {@code length} bytes at {@code offset} of {@code b}} */
    static int hash(ByteBuffer b, int offset, int length) {
        int h = 1;
        for (int i = 0; i < length; i++) {
            h = 31 * h + b.get(offset + i);
        }
        h ^= h >>> 16; // spread the bits: the table index takes the low ones
        h *= 0x85ebca6b;
        return h ^ (h >>> 13);
    }

    /** {@return the number of entries} */
    int size() {
        return size;
    }

    /** {@return the entry whose key is the {@code length} bytes at {@code offset} of {@code b}, or null} */
    @SuppressWarnings("unchecked")
    E get(ByteBuffer b, int offset, int length, int hash) {
        int mask = slots.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            Entry e = slots[i];
            if (e == null) {
                return null;
            }
            if (e.hash == hash && e.keyEquals(b, offset, length)) {
                return (E) e;
            }
        }
    }

    /** Adds {@code entry}, replacing the entry with the same key; {@return the replaced entry, or null} */
    @SuppressWarnings("unchecked")
    E put(E entry) {
        ByteBuffer key = ByteBuffer.wrap(entry.key);
        int mask = slots.length - 1;
        for (int i = entry.hash & mask; ; i = (i + 1) & mask) {
            Entry e = slots[i];
            if (e == null) {
                slots[i] = entry;
                if (++size > slots.length / 2) {
                    resize(slots.length * 2);
                }
                return null;
            }
            if (e.hash == entry.hash && e.keyEquals(key, 0, entry.key.length)) {
                slots[i] = entry;
                return (E) e;
            }
        }
    }

    /** Removes {@code entry} itself; {@return whether it was in the index} */
    boolean remove(E entry) {
        int mask = slots.length - 1;
        for (int i = entry.hash & mask; ; i = (i + 1) & mask) {
            Entry e = slots[i];
            if (e == null) {
                return false;
            }
            if (e == entry) {
                removeAt(i);
                return true;
            }
        }
    }

    /** Removes every entry matching {@code filter}; {@return them} */
    @SuppressWarnings("unchecked")
    List<E> removeIf(Predicate<E> filter) {
        List<E> matching = new ArrayList<>();
        for (Entry e : slots) {
            if (e != null && filter.test((E) e)) {
                matching.add((E) e);
            }
        }
        for (E e : matching) {
            remove(e);
        }
        return matching;
    }

    /** Calls {@code action} with every entry. */
    @SuppressWarnings("unchecked")
    void forEach(Consumer<E> action) {
        for (Entry e : slots) {
            if (e != null) {
                action.accept((E) e);
            }
        }
    }

    /** Removes every entry (and gives a large table back). */
    void clear() {
        slots = new Entry[MIN_CAPACITY];
        size = 0;
    }

    /** Empties slot {@code i} and moves later entries of its probe run back, so lookups never stop early. */
    private void removeAt(int i) {
        int mask = slots.length - 1;
        slots[i] = null;
        size--;
        for (int j = (i + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            int home = slots[j].hash & mask;
            // the entry at j may fill the hole at i unless its home lies cyclically in (i, j]
            boolean homeBetween = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!homeBetween) {
                slots[i] = slots[j];
                slots[j] = null;
                i = j;
            }
        }
    }

    private void resize(int capacity) {
        Entry[] old = slots;
        slots = new Entry[capacity];
        int mask = capacity - 1;
        for (Entry e : old) {
            if (e != null) {
                int i = e.hash & mask;
                while (slots[i] != null) {
                    i = (i + 1) & mask;
                }
                slots[i] = e;
            }
        }
    }

    @Override
    public String toString() {
        return "KeyIndex[size=" + size + ", capacity=" + slots.length + "]";
    }

    static byte[] copy(ByteBuffer b, int offset, int length) {
        byte[] key = new byte[length];
        b.get(offset, key);
        return key;
    }
}
