package io.ringline.testkit;

import io.ringline.CloseReason;
import io.ringline.spi.ConnectionCore;
import io.ringline.spi.OutboundQueue;
import io.ringline.spi.Transport;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The socket operations of one in-memory connection on a worker: flushes copy the send queue into
 * the outgoing {@link Pipe} (at most what the window and {@link TestkitOptions#MAX_WRITE_CHUNK}
 * allow), and {@link #service} delivers the incoming pipe's bytes to the core in chunks of at most
 * {@link TestkitOptions#MAX_READ_CHUNK}, checking the pause before each chunk.
 *
 * <p>Threading: worker thread only, except {@link #queued} (guarded by the {@link WorkerSignal}
 * lock) and {@link #signal}, which the pipes run from any thread.
 */
final class TestkitConnection implements Transport {

    /** Chunks delivered per service before the other ready connections get their turn. */
    private static final int CHUNKS_PER_SERVICE = 16;

    private final TestkitWorkerIo io;
    private final Endpoint end;
    private final Chunker readChunks;
    private final Chunker writeChunks;
    /** Queues this connection on its worker: what the pipes run when the peer made progress. */
    final Runnable signal;
    /** Whether it waits in the worker's {@link WorkerSignal}; guarded by that signal's lock. */
    boolean queued;
    /** Whether it waits in the worker's list of connections with delayed bytes. */
    boolean delayed;
    private ConnectionCore core;
    private boolean closed;
    private boolean inputEndReported;

    TestkitConnection(TestkitWorkerIo io, Endpoint end, Chunker readChunks, Chunker writeChunks) {
        this.io = io;
        this.end = end;
        this.readChunks = readChunks;
        this.writeChunks = writeChunks;
        this.signal = () -> io.signal().ready(this);
    }

    /** Sets the core; before it is opened, since the handler may send or close in {@code onOpen}. */
    void attach(ConnectionCore core) {
        this.core = core;
    }

    Endpoint end() {
        return end;
    }

    /** Starts reacting to the peer, and looks once at what it sent before. */
    void startReceiving() {
        end.in().readerSignal(signal);
        end.out().writerSignal(signal);
        signal.run();
    }

    /** Reacts to the peer: flushes if room freed and bytes wait, then delivers what it sent. */
    void service() {
        if (closed) {
            return;
        }
        if (!core.outbound().isEmpty()) {
            flush();
        }
        receive();
    }

    private void receive() {
        ByteBuffer buffer = io.readBuffer();
        for (int i = 0; i < CHUNKS_PER_SERVICE; i++) {
            if (closed) {
                return;
            }
            if (core.isReadingPaused()) {
                return; // resumed by readingPausedChanged(false); a reset shows then, or on a write, as with TCP
            }
            buffer.clear().limit(readChunks.next(buffer.capacity()));
            int n;
            try {
                n = end.in().poll(buffer);
            } catch (IOException e) {
                core.failed(CloseReason.RESET, e);
                return;
            }
            io.stats().opsSubmitted(1);
            if (n < 0) {
                if (!inputEndReported) {
                    inputEndReported = true;
                    core.inputEnded();
                }
                return;
            }
            if (n == 0) {
                if (end.in().nextReadyAt() != Long.MAX_VALUE) {
                    io.delayed(this);
                }
                return;
            }
            core.received(io.received(n));
        }
        signal.run(); // more may be readable: go on after the other connections
    }

    /** {@return when its next delayed bytes become readable, {@link Long#MAX_VALUE} if none wait} */
    long nextReadyAt() {
        return closed ? Long.MAX_VALUE : end.in().nextReadyAt();
    }

    @Override
    public void flush() {
        if (closed) {
            return;
        }
        OutboundQueue queue = core.outbound();
        int limit = writeChunks.next(Integer.MAX_VALUE);
        long total = 0;
        boolean windowFull = false;
        try {
            for (int i = 0, k = queue.size(); i < k && total < limit; i++) {
                ByteBuffer b = queue.buffer(i);
                int want = (int) Math.min(b.remaining(), limit - total);
                int n = end.out().offer(b, b.position(), want);
                total += n;
                if (n < want) {
                    windowFull = true; // the pipe signals once the peer read
                    break;
                }
            }
        } catch (IOException e) {
            if (total > 0) {
                core.written(total);
            }
            core.failed(CloseReason.RESET, e);
            return;
        }
        io.stats().opsSubmitted(1);
        if (total > 0) {
            core.written(total);
        }
        core.flushed();
        if (!windowFull && !closed && !core.outbound().isEmpty()) {
            signal.run(); // a short write of maxWriteChunk: the rest goes on the next poll
        }
    }

    @Override
    public void shutdownOutput() {
        end.shutdownOutput();
    }

    @Override
    public void close(boolean reset) {
        if (closed) {
            return;
        }
        closed = true;
        end.in().readerSignal(null);
        end.out().writerSignal(null);
        io.forget(this);
        if (reset) {
            end.reset();
        } else {
            end.close();
        }
    }

    @Override
    public void readingPausedChanged(boolean paused) {
        if (!paused) {
            signal.run();
        }
    }

    @Override
    public String toString() {
        return "TestkitConnection[" + end.local() + " -> " + end.remote() + "]";
    }
}
