package io.ringline.uring;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One kernel timer per worker ring that ends a blocking wait when the worker's next timer is due,
 * so that the wait itself needs no timeout. Netty turns a wait with a timeout into an extra
 * {@code IORING_OP_TIMEOUT} submission and completion on every wait; this timer is submitted once
 * per deadline instead (an absolute {@code CLOCK_MONOTONIC} deadline, the clock of
 * {@link System#nanoTime()}), and moved with {@code IORING_TIMEOUT_UPDATE} only when an earlier
 * deadline comes. A later deadline leaves it as it is: it fires early, the wait ends, and the
 * worker waits again with the timer at the new deadline.
 *
 * <p>Worker thread only.
 */
final class WakeTimer implements IoUringIoHandle {

    private static final short TIMEOUT = 1;
    private static final short UPDATE = 2;
    private static final short REMOVE = 3;

    private final MemorySegment timespec;
    private final Runnable unregistered;
    private IoRegistration registration;
    /** The user data of the pending timeout, 0 if none. */
    private long armedId;
    private long armedDeadline;
    private boolean closed;
    private long submissions;

    /**
     * @param arena        where the timespec lives (the kernel reads it at submission only)
     * @param unregistered called once every operation of this timer completed after {@link #close()}
     */
    WakeTimer(Arena arena, Runnable unregistered) {
        this.timespec = arena.allocate(KernelStructs.KERNEL_TIMESPEC);
        this.unregistered = unregistered;
    }

    /** Sets the ring registration of this handle; called before {@link #wakeAt}. */
    void attach(IoRegistration registration) {
        this.registration = registration;
    }

    /**
     * Makes sure a wait ends by {@code deadlineNanos} ({@link System#nanoTime()} scale): arms the
     * timer, or moves it earlier; a no-op if it is armed at or before that deadline already.
     */
    void wakeAt(long deadlineNanos) {
        if (closed) {
            return;
        }
        if (armedId != 0 && armedDeadline - deadlineNanos <= 0) {
            return;
        }
        timespec.set(JAVA_LONG, KernelStructs.TV_SEC, Math.max(0, deadlineNanos) / 1_000_000_000L);
        timespec.set(JAVA_LONG, KernelStructs.TV_NSEC, Math.max(0, deadlineNanos) % 1_000_000_000L);
        IoUringIoOps op = armedId == 0
                ? Sqe.timeoutAt(timespec.address(), TIMEOUT)
                : Sqe.timeoutUpdate(armedId, timespec.address(), UPDATE);
        long id = registration.submit(op);
        if (id == 0) {
            return;
        }
        submissions++;
        if (armedId == 0) {
            armedId = id;
        }
        armedDeadline = deadlineNanos;
    }

    /** {@return whether a timeout is pending in the kernel} */
    boolean isArmed() {
        return armedId != 0;
    }

    /** {@return operations submitted so far (timeouts and updates; for tests)} */
    long submissions() {
        return submissions;
    }

    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        IoUringIoEvent e = (IoUringIoEvent) event;
        switch ((short) e.userData()) {
            case TIMEOUT -> armedId = 0; // fired (-ETIME) or removed (-ECANCELED)
            case UPDATE -> {
                if (e.res() < 0) {
                    // -ENOENT: the timeout completed before the update reached it; its completion
                    // ended the wait, and the next wait arms a new one.
                    armedId = 0;
                }
            }
            default -> { } // REMOVE
        }
    }

    /** Removes a pending timeout and cancels the registration (then {@code unregistered} runs). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (armedId != 0 && registration.isValid()) {
            registration.submit(Sqe.timeoutRemove(armedId, REMOVE));
        }
        registration.cancel();
    }

    @Override
    public void unregistered() {
        armedId = 0;
        unregistered.run();
    }
}
