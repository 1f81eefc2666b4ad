package io.ringline.nio;

import io.ringline.CloseReason;
import io.ringline.spi.ConnectionCore;
import io.ringline.spi.IoStats;
import io.ringline.spi.OutboundQueue;
import io.ringline.spi.Transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * The transport of a connection on a non-blocking {@link SocketChannel}; its {@link #core} is the
 * core's side. Runs on its worker's thread only.
 */
final class NioConnection implements Transport {

    private final NioWorkerIo io;
    private final SocketChannel ch;
    private final SelectionKey key;
    final ConnectionCore core;
    private final ByteBuffer[] gather;
    private final int[] positions;
    private boolean eofSeen;

    NioConnection(NioWorkerIo io, SocketChannel ch, SelectionKey key,
                  java.util.concurrent.CompletableFuture<io.ringline.Connection> connect) throws IOException {
        this.io = io;
        this.ch = ch;
        this.key = key;
        this.gather = new ByteBuffer[io.gatherLimit()];
        this.positions = new int[gather.length];
        this.core = io.services().newConnection(this, ch.getLocalAddress(), ch.getRemoteAddress(), connect);
    }

    /** {@return RESET for connection-reset and broken-pipe errors, else ERROR (the JDK reports them by message only)} */
    static CloseReason classify(IOException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return m.contains("reset") || m.contains("broken pipe") ? CloseReason.RESET : CloseReason.ERROR;
    }

    void ready(SelectionKey k) {
        if (!k.isValid()) {
            return;
        }
        int ops = k.readyOps();
        if ((ops & SelectionKey.OP_WRITE) != 0) {
            flush();
        }
        if ((ops & SelectionKey.OP_READ) != 0 && k.isValid()) {
            read();
        }
    }

    private void read() {
        ByteBuffer buf = io.readBuffer();
        IoStats stats = io.services().stats();
        int reads = io.readsPerEvent();
        for (int i = 0; i < reads && !core.isClosed() && !core.isReadingPaused(); i++) {
            buf.clear();
            int n;
            try {
                n = ch.read(buf);
                stats.opsSubmitted(1);
            } catch (IOException e) {
                core.failed(classify(e), e);
                return;
            }
            if (n < 0) {
                eofSeen = true;
                if (key.isValid()) {
                    key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
                }
                core.inputEnded();
                return;
            }
            if (n == 0) {
                return;
            }
            core.received(io.received(n));
            if (n < buf.capacity()) {
                return; // socket drained
            }
        }
    }

    @Override
    public void flush() {
        OutboundQueue queue = core.outbound();
        try {
            while (!queue.isEmpty()) {
                int k = Math.min(gather.length, queue.size());
                long total = 0;
                for (int i = 0; i < k; i++) {
                    gather[i] = queue.buffer(i);
                    positions[i] = gather[i].position();
                    total += gather[i].remaining();
                }
                long n = ch.write(gather, 0, k);
                io.services().stats().opsSubmitted(1);
                // The queue advances positions itself: undo the channel's advance first.
                for (int i = 0; i < k; i++) {
                    gather[i].position(positions[i]);
                    gather[i] = null;
                }
                core.written(n);
                if (n < total) {
                    break; // socket buffer full
                }
            }
        } catch (IOException e) {
            core.failed(classify(e), e);
            return;
        }
        if (key.isValid()) {
            int ops = key.interestOps();
            int want = queue.isEmpty() ? ops & ~SelectionKey.OP_WRITE : ops | SelectionKey.OP_WRITE;
            if (want != ops) {
                key.interestOps(want);
            }
        }
        core.flushed();
    }

    @Override
    public void readingPausedChanged(boolean paused) {
        if (key.isValid() && !eofSeen) {
            int ops = key.interestOps();
            key.interestOps(paused ? ops & ~SelectionKey.OP_READ : ops | SelectionKey.OP_READ);
        }
    }

    @Override
    public void shutdownOutput() {
        try {
            ch.shutdownOutput();
        } catch (IOException e) {
            core.failed(classify(e), e);
        }
    }

    @Override
    public void close(boolean reset) {
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
