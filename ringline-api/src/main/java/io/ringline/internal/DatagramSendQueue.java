package io.ringline.internal;

import io.ringline.MemoryRegion;
import io.ringline.spi.DatagramQueue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One UDP socket's ordered send queue. Each entry is one datagram, or several back-to-back ones of
 * one segmented send ({@link #segmentSize} {@code > 0}); its bytes are either copied into a pooled
 * {@link DatagramChunks} chunk (datagrams back to back, one never spans chunks) or lie in a
 * registered region, referenced until the entry is released. Entries live in a ring of parallel
 * arrays and each keeps one reusable view, so queuing, reading and finishing allocate nothing in
 * steady state.
 *
 * <p>An entry finishes when the kernel took it, refused it, or it was dropped at close; a finished
 * entry is released at once (view given back, chunk use or region reference dropped) unless the
 * backend {@linkplain #retain() retained} the queue: then it stays in the ring before the head
 * until the matching {@link #release()}. Entries finish and are released in queue order. Worker
 * thread only.
 */
final class DatagramSendQueue implements DatagramQueue {

    private final DatagramChunks chunks;
    private final RegionTable regions;

    // Ring of entries: [first, head) finished but held (retained), [head, end) queued. Indexes grow
    // without bound (int wrap-around is harmless: the length is a power of two).
    private InetSocketAddress[] targets;
    private int[] segmentSizes;
    private int[] datagramCounts;
    private int[] regionSlots;
    private int[] lengths;
    private ByteBuffer[] views;
    private long[] bases;
    private ViewSource[] viewSources;
    private DatagramChunks.Chunk[] entryChunks;
    private int first;
    private int head;
    private int end;
    private long bytes;
    private int retained;
    /** The chunk datagrams are copied into now, or null. */
    private DatagramChunks.Chunk writeChunk;

    DatagramSendQueue(DatagramChunks chunks, RegionTable regions) {
        this.chunks = chunks;
        this.regions = regions;
        allocate(8);
    }

    private void allocate(int capacity) {
        targets = new InetSocketAddress[capacity];
        segmentSizes = new int[capacity];
        datagramCounts = new int[capacity];
        regionSlots = new int[capacity];
        lengths = new int[capacity];
        views = new ByteBuffer[capacity];
        bases = new long[capacity];
        viewSources = new ViewSource[capacity];
        entryChunks = new DatagramChunks.Chunk[capacity];
    }

    // ---------------------------------------------------------------- DatagramQueue

    @Override
    public int size() {
        return end - head;
    }

    @Override
    public boolean isEmpty() {
        return end == head;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public ByteBuffer buffer(int index) {
        return views[slot(index)];
    }

    @Override
    public long address(int index) {
        int s = slot(index);
        return bases[s] + views[s].position();
    }

    @Override
    public int regionSlot(int index) {
        return regionSlots[slot(index)];
    }

    @Override
    public InetSocketAddress target(int index) {
        return targets[slot(index)];
    }

    @Override
    public int segmentSize(int index) {
        return segmentSizes[slot(index)];
    }

    @Override
    public int datagrams(int index) {
        return datagramCounts[slot(index)];
    }

    /** {@return the bytes of entry {@code index} (its length when queued)} */
    int length(int index) {
        return lengths[slot(index)];
    }

    private int slot(int index) {
        return (head + Objects.checkIndex(index, end - head)) & (targets.length - 1);
    }

    // ---------------------------------------------------------------- queuing

    /**
     * Copies {@code length} bytes of {@code src} from index {@code from} (position and limit
     * unchanged) as one entry: one datagram, or {@code datagrams} of {@code segmentSize} bytes.
     *
     * @param target      where it goes; null for the connected peer
     * @param segmentSize 0 for a single datagram
     * @param datagrams   how many datagrams the entry holds
     */
    void appendCopy(InetSocketAddress target, ByteBuffer src, int from, int length, int segmentSize, int datagrams) {
        DatagramChunks.Chunk c = writeChunk;
        if (c == null || c.writeOffset + length > DatagramChunks.CHUNK_SIZE) {
            if (c != null && c.entries == 0) {
                c.writeOffset = 0; // nothing uses it any more: reuse it from the start
            } else {
                if (c != null) {
                    writeChunk = null; // full: released once its last entry is
                }
                c = chunks.acquire();
                writeChunk = c;
            }
        }
        int at = c.writeOffset;
        c.memory.put(at, src, from, length);
        c.writeOffset = at + length;
        c.entries++;
        ByteBuffer v = c.views.acquire();
        v.limit(at + length).position(at);
        int s = addLast(target, length, segmentSize, datagrams);
        views[s] = v;
        bases[s] = c.address();
        viewSources[s] = c.views;
        entryChunks[s] = c;
        regionSlots[s] = -1;
    }

    /**
     * Queues {@code length} bytes of {@code region} (in {@code slot}) from {@code offset} as one
     * datagram, without a copy; the reference taken with {@link RegionTable#acquire} is dropped when
     * the entry is released.
     */
    void appendRegion(InetSocketAddress target, MemoryRegion region, int slot, long offset, int length) {
        ViewSource source = regions.views(slot);
        ByteBuffer v;
        long base;
        if (source != null) {
            v = source.acquire();
            int from = (int) offset;
            v.limit(from + length).position(from);
            base = source.base();
        } else { // beyond a ByteBuffer's reach: a slice per send
            v = region.segment().asSlice(offset, length).asByteBuffer();
            base = region.address() + offset;
        }
        int s = addLast(target, length, 0, 1);
        views[s] = v;
        bases[s] = base;
        viewSources[s] = source;
        entryChunks[s] = null;
        regionSlots[s] = slot;
    }

    private int addLast(InetSocketAddress target, int length, int segmentSize, int datagrams) {
        if (end - first == targets.length) {
            grow();
        }
        int s = end & (targets.length - 1);
        targets[s] = target;
        lengths[s] = length;
        segmentSizes[s] = segmentSize;
        datagramCounts[s] = datagrams;
        end++;
        bytes += length;
        return s;
    }

    private void grow() {
        InetSocketAddress[] t = targets;
        int[] seg = segmentSizes, dg = datagramCounts, rs = regionSlots, len = lengths;
        ByteBuffer[] v = views;
        long[] b = bases;
        ViewSource[] vs = viewSources;
        DatagramChunks.Chunk[] ch = entryChunks;
        int n = end - first;
        int mask = t.length - 1;
        allocate(t.length * 2);
        for (int i = 0; i < n; i++) {
            int from = (first + i) & mask;
            targets[i] = t[from];
            segmentSizes[i] = seg[from];
            datagramCounts[i] = dg[from];
            regionSlots[i] = rs[from];
            lengths[i] = len[from];
            views[i] = v[from];
            bases[i] = b[from];
            viewSources[i] = vs[from];
            entryChunks[i] = ch[from];
        }
        head -= first;
        end = n;
        first = 0;
    }

    // ---------------------------------------------------------------- finishing

    /** Finishes the head entry (sent, refused or dropped): released now, or held while retained. */
    void finishHead() {
        if (head == end) {
            throw new IllegalStateException("no queued datagram to finish");
        }
        bytes -= lengths[head & (targets.length - 1)];
        head++;
        if (retained == 0) {
            releaseFinished();
        }
    }

    /** Finishes every entry (the socket closed). @return the datagrams they held */
    long discardAll() {
        long datagrams = 0;
        while (head != end) {
            datagrams += datagramCounts[head & (targets.length - 1)];
            finishHead();
        }
        return datagrams;
    }

    private void releaseFinished() {
        int mask = targets.length - 1;
        while (first != head) {
            int s = first & mask;
            ViewSource source = viewSources[s];
            if (source != null) {
                source.release(views[s]);
            }
            DatagramChunks.Chunk c = entryChunks[s];
            if (c != null) {
                if (--c.entries == 0 && c != writeChunk) {
                    chunks.release(c);
                }
            } else if (regionSlots[s] >= 0) {
                regions.release(regionSlots[s]);
            }
            targets[s] = null;
            views[s] = null;
            viewSources[s] = null;
            entryChunks[s] = null;
            first++;
        }
    }

    @Override
    public void retain() {
        retained++;
    }

    @Override
    public void release() {
        if (retained == 0) {
            throw new IllegalStateException("DatagramQueue.release without a matching retain");
        }
        if (--retained == 0) {
            releaseFinished();
        }
    }

    /** Gives the write chunk back once nothing uses it (the socket closed and nothing is held). */
    void releaseWriteChunk() {
        DatagramChunks.Chunk c = writeChunk;
        if (c != null) {
            writeChunk = null;
            if (c.entries == 0) {
                chunks.release(c);
            }
        }
    }

    /** {@return finished entries held while retained (for tests)} */
    int heldCount() {
        return head - first;
    }

    /** {@return how many {@link #retain()}s are not yet balanced (for tests)} */
    int retainCount() {
        return retained;
    }
}
