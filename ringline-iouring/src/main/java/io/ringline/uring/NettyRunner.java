package io.ringline.uring;

import io.netty.channel.uring.IoUringIoHandler;

import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Runs one pass of a Netty {@link IoUringIoHandler} (submit, maybe wait, dispatch completions)
 * without allocating. Netty 4.2.18's {@code IoUringIoHandler.run(IoHandlerContext)} creates a
 * method reference ({@code this::handle}, 16 bytes) on every call, which is garbage per loop
 * iteration (per request at one connection). This class performs the same steps as that method,
 * calling Netty's own private methods through method handles, with one completion callback made
 * once per ring:
 * <ol>
 *   <li>nothing once the ring finished closing;</li>
 *   <li>with no completion pending and blocking allowed: arm Netty's eventfd read (its wake-up) if
 *       needed, then submit and wait ({@code submitAndWaitWithTimeout}, no timeout for a negative
 *       {@code timeoutNanos});</li>
 *   <li>else submit without waiting ({@code submitAndClearNow});</li>
 *   <li>dispatch completions ({@code processCompletionsAndHandleOverflow}).</li>
 * </ol>
 * The active-I/O-time reporting of Netty's method is left out (nothing reads it here).
 *
 * <p>This reaches into Netty's internals, like {@link NettyRing}'s ring-fd lookup, so it is tied to
 * Netty 4.2.18.Final (the backend checks that version). When the handles cannot be made (another
 * Netty, or a module path without {@code --add-opens io.netty.transport.classes.io_uring/io.netty.channel.uring=io.ringline.iouring}),
 * {@link #unavailable()} says why and the ring falls back to Netty's public {@code run}.
 *
 * <p>Owner thread only, like the ring.
 */
final class NettyRunner {

    private static final MethodHandle CLOSE_COMPLETED;
    private static final MethodHandle HAS_COMPLETIONS;
    private static final MethodHandle EVENTFD_READ_SUBMITTED;
    private static final MethodHandle SUBMIT_EVENTFD_READ;
    private static final MethodHandle SUBMIT_AND_WAIT;
    private static final MethodHandle SUBMIT_AND_CLEAR_NOW;
    private static final MethodHandle PROCESS;
    private static final MethodHandle SUBMISSION_QUEUE;
    private static final MethodHandle COMPLETION_QUEUE;
    private static final MethodHandle NEW_CALLBACK;
    private static final Throwable UNAVAILABLE;

    static {
        MethodHandle closeCompleted = null, hasCompletions = null, eventfdReadSubmitted = null, submitEventfdRead = null,
                submitAndWait = null, submitAndClearNow = null, process = null, sq = null, cq = null, newCallback = null;
        Throwable error = null;
        try {
            Class<?> h = IoUringIoHandler.class;
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(h, MethodHandles.lookup());
            Class<?> ringBuffer = Class.forName("io.netty.channel.uring.RingBuffer", false, h.getClassLoader());
            Class<?> sqType = Class.forName("io.netty.channel.uring.SubmissionQueue", false, h.getClassLoader());
            Class<?> cqType = Class.forName("io.netty.channel.uring.CompletionQueue", false, h.getClassLoader());
            Class<?> callbackType = Class.forName("io.netty.channel.uring.CompletionCallback", false, h.getClassLoader());
            MethodHandle ring = l.findGetter(h, "ringBuffer", ringBuffer);
            MethodType objectToObject = MethodType.methodType(Object.class, Object.class);
            sq = MethodHandles.filterReturnValue(ring, l.findVirtual(ringBuffer, "ioUringSubmissionQueue",
                    MethodType.methodType(sqType))).asType(objectToObject);
            cq = MethodHandles.filterReturnValue(ring, l.findVirtual(ringBuffer, "ioUringCompletionQueue",
                    MethodType.methodType(cqType))).asType(objectToObject);
            closeCompleted = l.findGetter(h, "closeCompleted", boolean.class)
                    .asType(MethodType.methodType(boolean.class, Object.class));
            eventfdReadSubmitted = l.findGetter(h, "eventfdReadSubmitted", long.class)
                    .asType(MethodType.methodType(long.class, Object.class));
            hasCompletions = l.findVirtual(cqType, "hasCompletions", MethodType.methodType(boolean.class))
                    .asType(MethodType.methodType(boolean.class, Object.class));
            submitEventfdRead = l.findVirtual(h, "submitEventFdRead", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
            submitAndWait = l.findVirtual(h, "submitAndWaitWithTimeout",
                            MethodType.methodType(int.class, sqType, boolean.class, long.class))
                    .asType(MethodType.methodType(int.class, Object.class, Object.class, boolean.class, long.class));
            submitAndClearNow = l.findVirtual(h, "submitAndClearNow", MethodType.methodType(int.class, sqType))
                    .asType(MethodType.methodType(int.class, Object.class, Object.class));
            process = l.findVirtual(h, "processCompletionsAndHandleOverflow",
                            MethodType.methodType(int.class, sqType, cqType, callbackType))
                    .asType(MethodType.methodType(int.class, Object.class, Object.class, Object.class, Object.class));
            MethodType handleType = MethodType.methodType(boolean.class, int.class, int.class, long.class, java.nio.ByteBuffer.class);
            MethodHandle handle = l.findSpecial(h, "handle", handleType, h);
            newCallback = LambdaMetafactory.metafactory(l, "handle", MethodType.methodType(callbackType, h),
                            handleType, handle, handleType)
                    .getTarget().asType(MethodType.methodType(Object.class, Object.class));
        } catch (Throwable t) {
            error = t;
        }
        CLOSE_COMPLETED = closeCompleted;
        HAS_COMPLETIONS = hasCompletions;
        EVENTFD_READ_SUBMITTED = eventfdReadSubmitted;
        SUBMIT_EVENTFD_READ = submitEventfdRead;
        SUBMIT_AND_WAIT = submitAndWait;
        SUBMIT_AND_CLEAR_NOW = submitAndClearNow;
        PROCESS = process;
        SUBMISSION_QUEUE = sq;
        COMPLETION_QUEUE = cq;
        NEW_CALLBACK = newCallback;
        UNAVAILABLE = error;
    }

    private final Object handler;
    private final Object submissions;
    private final Object completions;
    private final Object callback;

    /**
     * @param handler an initialized handler
     * @throws IllegalStateException if {@link #unavailable()} is not null
     */
    NettyRunner(IoUringIoHandler handler) {
        if (UNAVAILABLE != null) {
            throw new IllegalStateException("Netty's io_uring internals are not reachable: " + UNAVAILABLE, UNAVAILABLE);
        }
        this.handler = handler;
        try {
            this.submissions = (Object) SUBMISSION_QUEUE.invokeExact((Object) handler);
            this.completions = (Object) COMPLETION_QUEUE.invokeExact((Object) handler);
            this.callback = (Object) NEW_CALLBACK.invokeExact((Object) handler);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot reach the queues of Netty's io_uring ring: " + t, t);
        }
    }

    /** {@return why the handles could not be made (the ring then uses Netty's public run), or null} */
    static Throwable unavailable() {
        return UNAVAILABLE;
    }

    /**
     * One pass: submits queued operations, waits if asked and nothing is pending, dispatches completions.
     *
     * @param timeoutNanos 0: do not block; negative: block until a completion or a wake-up; else the most to wait
     * @return the number of completions handled
     */
    int run(long timeoutNanos) {
        try {
            if ((boolean) CLOSE_COMPLETED.invokeExact(handler)) {
                return 0;
            }
            if (timeoutNanos != 0 && !(boolean) HAS_COMPLETIONS.invokeExact(completions)) {
                if ((long) EVENTFD_READ_SUBMITTED.invokeExact(handler) == 0) {
                    SUBMIT_EVENTFD_READ.invokeExact(handler);
                }
                int submitted = (int) SUBMIT_AND_WAIT.invokeExact(handler, submissions, false, timeoutNanos < 0 ? -1L : timeoutNanos);
            } else {
                int submitted = (int) SUBMIT_AND_CLEAR_NOW.invokeExact(handler, submissions);
            }
            return (int) PROCESS.invokeExact(handler, submissions, completions, callback);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
