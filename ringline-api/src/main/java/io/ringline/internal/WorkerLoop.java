package io.ringline.internal;

import io.ringline.spi.WorkerIo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The event loop of one worker, in the shape of Agrona's {@code Agent}: {@link #doWork()} runs the
 * queued tasks, the due timers, flushes the connections with pending sends, calls the handler's
 * tick and flushes again, and returns how much it did; the worker's {@link Idler} then polls the
 * backend (blocking, spinning or backing off). {@link #run()} repeats that until the worker
 * {@linkplain #requestExit() is told to exit} or has {@code finished} (shut down with nothing left).
 *
 * <p>Worker thread only.
 */
final class WorkerLoop implements Idler.Poller {

    private static final Logger log = LoggerFactory.getLogger(WorkerLoop.class);

    private final int workerId;
    private final WorkerTasks tasks;
    private final TimerQueue timers;
    private final WorkerStatsImpl stats;
    private final Idler idler;
    private final Supplier<WorkerIo> io;
    private final Runnable tick;
    private final BooleanSupplier finished;
    private final ArrayDeque<FlushPoint> dirty = new ArrayDeque<>();
    private boolean exitRequested;

    /**
     * @param tick     calls the handler's tick (containing its failures)
     * @param finished true once the loop may end by itself (shut down, no connection, no connect left)
     */
    WorkerLoop(int workerId, WorkerTasks tasks, TimerQueue timers, WorkerStatsImpl stats, Idler idler,
               Supplier<WorkerIo> io, Runnable tick, BooleanSupplier finished) {
        this.workerId = workerId;
        this.tasks = tasks;
        this.timers = timers;
        this.stats = stats;
        this.idler = idler;
        this.io = io;
        this.tick = tick;
        this.finished = finished;
    }

    /** Runs passes until told to exit or finished. @throws IOException if the backend's poll failed (the worker dies) */
    void run() throws IOException {
        while (!exitRequested) {
            stats.loopIterations++;
            Object stall = JfrEvents.stallBegin();
            int work = doWork();
            JfrEvents.stallEnd(stall, workerId, null, "loopPass");
            if (exitRequested || finished.getAsBoolean()) {
                break;
            }
            idler.idle(work, this);
        }
    }

    /** {@return what one pass did: tasks run, timers fired, connections flushed} */
    int doWork() {
        int work = tasks.runBatch();
        work += runTimers();
        work += flushDirty();
        tick.run();
        work += flushDirty();
        return work;
    }

    /** Ends {@link #run()} after the current pass. */
    void requestExit() {
        exitRequested = true;
    }

    /** Queues {@code c} (a connection or UDP socket) for a flush at the next flush point of this pass (once per pending flush). */
    void markDirty(FlushPoint c) {
        dirty.addLast(c);
    }

    @Override
    public boolean poll(long timeoutNanos) throws IOException {
        long before = activity();
        if (timeoutNanos != 0) {
            tasks.armWakeup();
            if (!tasks.isEmpty()) {
                timeoutNanos = 0; // a task arrived before the wake-up was armed: do not block
            }
        }
        io.get().poll(timeoutNanos);
        tasks.disarmWakeup();
        int flushed = flushDirty();
        return flushed > 0 || activity() != before;
    }

    @Override
    public long nanosUntilDue() {
        return tasks.isEmpty() ? timers.nanosUntilNext(System.nanoTime()) : 0;
    }

    /** {@return a sum that changes whenever the backend reported something that counts as work} */
    private long activity() {
        return stats.bytesIn + stats.bytesOut + stats.connectionsOpened + stats.connectionsClosed
                + stats.datagramsReceived + stats.datagramsSent; // empty datagrams move no bytes
    }

    private int runTimers() {
        long now = System.nanoTime();
        int n = 0;
        TimerQueue.Timer t;
        while ((t = timers.pollDue(now)) != null) {
            n++;
            try {
                t.run();
            } catch (Throwable e) {
                Throwables.rethrowIfFatal(e);
                log.warn("ringline worker {}: timer task failed", workerId, e);
            }
        }
        return n;
    }

    private int flushDirty() {
        int n = 0;
        FlushPoint c;
        while ((c = dirty.pollFirst()) != null) {
            c.flushNow();
            n++;
        }
        return n;
    }
}
