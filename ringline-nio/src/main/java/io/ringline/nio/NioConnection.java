package io.ringline.nio;

import io.ringline.internal.BaseConnection;
import io.ringline.internal.SendQueue;
import io.ringline.internal.WorkerStatsImpl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** A connection on a non-blocking {@link SocketChannel}. Runs on its worker's thread only. */
final class NioConnection extends BaseConnection {

    /** Reads per readiness event before yielding to other connections. */
    private static final int MAX_READS_PER_EVENT = 16;
    /** Buffers per gathered write. */
    private static final int GATHER = 64;

    private final NioWorkerIo io;
    private final SocketChannel ch;
    private final SelectionKey key;
    private final ByteBuffer[] gather = new ByteBuffer[GATHER];
    private final int[] positions = new int[GATHER];
    private boolean eofSeen;

    NioConnection(NioWorkerIo io, SocketChannel ch, SelectionKey key) throws IOException {
        super(io.worker(), ch.getLocalAddress(), ch.getRemoteAddress());
        this.io = io;
        this.ch = ch;
        this.key = key;
    }

    void ready(SelectionKey k) {
        if (!k.isValid()) {
            return;
        }
        int ops = k.readyOps();
        if ((ops & SelectionKey.OP_WRITE) != 0) {
            doFlush();
        }
        if ((ops & SelectionKey.OP_READ) != 0 && k.isValid()) {
            read();
        }
    }

    private void read() {
        ByteBuffer buf = io.readBuffer();
        WorkerStatsImpl stats = worker.stats();
        for (int i = 0; i < MAX_READS_PER_EVENT && !isClosed() && !isReadingPaused(); i++) {
            buf.clear();
            int n;
            try {
                n = ch.read(buf);
                stats.opsSubmitted++;
            } catch (IOException e) {
                failed(classify(e), e);
                return;
            }
            if (n < 0) {
                eofSeen = true;
                if (key.isValid()) {
                    key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
                }
                inputEnded();
                return;
            }
            if (n == 0) {
                return;
            }
            buf.flip();
            deliver(buf);
            if (n < buf.capacity()) {
                return; // socket drained
            }
        }
    }

    @Override
    protected void doFlush() {
        SendQueue queue = sendQueue();
        try {
            while (!queue.isEmpty()) {
                int k = queue.gather(gather);
                long total = 0;
                for (int i = 0; i < k; i++) {
                    positions[i] = gather[i].position();
                    total += gather[i].remaining();
                }
                long n = ch.write(gather, 0, k);
                worker.stats().opsSubmitted++;
                // The queue advances positions itself: undo the channel's advance first.
                for (int i = 0; i < k; i++) {
                    gather[i].position(positions[i]);
                    gather[i] = null;
                }
                written(n);
                if (n < total) {
                    break; // socket buffer full
                }
            }
        } catch (IOException e) {
            failed(classify(e), e);
            return;
        }
        if (key.isValid()) {
            int ops = key.interestOps();
            int want = queue.isEmpty() ? ops & ~SelectionKey.OP_WRITE : ops | SelectionKey.OP_WRITE;
            if (want != ops) {
                key.interestOps(want);
            }
        }
        afterFlush();
    }

    @Override
    protected void readingPausedChanged(boolean paused) {
        if (key.isValid() && !eofSeen) {
            int ops = key.interestOps();
            key.interestOps(paused ? ops & ~SelectionKey.OP_READ : ops | SelectionKey.OP_READ);
        }
    }

    @Override
    protected void doShutdownOutput() {
        try {
            ch.shutdownOutput();
        } catch (IOException e) {
            failed(classify(e), e);
        }
    }

    @Override
    protected void doClose(boolean reset) {
        if (reset) {
            try {
                // SO_LINGER 0: close sends a reset; the peer cannot take a truncated stream for a whole one
                ch.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException ignored) {
                // the socket is already broken: it closes either way
            }
        }
        key.cancel();
        NioWorkerIo.closeQuietly(ch);
    }
}
