package io.ringline.uring;

import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.util.concurrent.ThreadAwareExecutor;

import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.Executor;

/**
 * One io_uring ring: a Netty {@link IoUringIoHandler} driven directly (no Netty event loop) by
 * the thread that owns it. Netty sets the ring up with SINGLE_ISSUER and DEFER_TASKRUN, so every
 * method except {@link #wakeup()} must run on the owner thread.
 *
 * <p>The ring's file descriptor is private in Netty ({@code IoUringIoHandler.ringBuffer.fd()});
 * it is read by reflection, which ties this class to Netty 4.2.18.Final's internals.
 */
final class NettyRing implements AutoCloseable {

    private static final Field RING_BUFFER;
    private static final Method RING_FD;
    private static final Throwable REFLECTION_ERROR;

    static {
        Field f = null;
        Method m = null;
        Throwable error = null;
        try {
            f = IoUringIoHandler.class.getDeclaredField("ringBuffer");
            f.setAccessible(true);
            m = f.getType().getDeclaredMethod("fd");
            m.setAccessible(true);
        } catch (Throwable t) {
            error = t;
        }
        RING_BUFFER = f;
        RING_FD = m;
        REFLECTION_ERROR = error;
    }

    private static final java.util.concurrent.atomic.AtomicBoolean FALLBACK_LOGGED = new java.util.concurrent.atomic.AtomicBoolean();

    private final IoUringIoHandler handler;
    private final int fd;
    private final Thread owner;
    private final Context context = new Context();
    /** Runs passes without Netty's per-call allocation; null when Netty's internals are out of reach. */
    private final NettyRunner runner;
    private boolean destroyed;

    /**
     * Creates and enables a ring owned by the calling thread.
     *
     * @param ringSize submission queue entries
     * @param tasks    where Netty sends work it wants run on the owner thread (not used by this
     *                 backend's own handles, which always submit on the owner thread)
     * @throws IOException if the ring cannot be created
     */
    NettyRing(int ringSize, Executor tasks) throws IOException {
        this(ringSize, tasks, true);
    }

    /**
     * As {@link #NettyRing(int, Executor)}; with {@code allocationFreeRun} false, passes always use
     * Netty's public {@code run} (for tests that compare the two).
     */
    NettyRing(int ringSize, Executor tasks, boolean allocationFreeRun) throws IOException {
        this.owner = Thread.currentThread();
        ThreadAwareExecutor executor = new ThreadAwareExecutor() {
            @Override
            public boolean isExecutorThread(Thread thread) {
                return thread == owner;
            }

            @Override
            public void execute(Runnable command) {
                tasks.execute(command);
            }
        };
        try {
            IoUringIoHandlerConfig config = new IoUringIoHandlerConfig().setRingSize(ringSize);
            handler = (IoUringIoHandler) IoUringIoHandler.newFactory(config).newHandler(executor);
        } catch (RuntimeException | LinkageError e) {
            throw new IOException("cannot create io_uring ring: " + e.getMessage(), e);
        }
        try {
            handler.initialize();
            fd = ringFd(handler);
            runner = allocationFreeRun && NettyRunner.unavailable() == null ? new NettyRunner(handler) : null;
            if (allocationFreeRun && runner == null && !FALLBACK_LOGGED.getAndSet(true)) {
                LoggerFactory.getLogger(NettyRing.class).info(
                        "io_uring loop passes use Netty's public run (16 B of garbage per pass): {}", NettyRunner.unavailable().toString());
            }
        } catch (RuntimeException | IOException e) {
            handler.prepareToDestroy();
            handler.destroy();
            throw e instanceof IOException io ? io : new IOException("cannot start io_uring ring: " + e.getMessage(), e);
        }
    }

    /** {@return why the ring fd cannot be reached by reflection, or null} */
    static Throwable reflectionError() {
        return REFLECTION_ERROR;
    }

    private static int ringFd(IoUringIoHandler handler) throws IOException {
        if (REFLECTION_ERROR != null) {
            throw new IOException("cannot reach the io_uring ring fd inside Netty (needs Netty 4.2.18.Final): "
                    + REFLECTION_ERROR, REFLECTION_ERROR);
        }
        try {
            return (int) RING_FD.invoke(RING_BUFFER.get(handler));
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot read the io_uring ring fd: " + e, e);
        }
    }

    /** {@return the ring's file descriptor} */
    int fd() {
        return fd;
    }

    /**
     * Registers a handle whose operations are submitted on this ring.
     *
     * @throws IOException if Netty refuses (the ring is shutting down)
     */
    IoRegistration register(IoUringIoHandle handle) throws IOException {
        try {
            return handler.register(handle);
        } catch (Exception e) {
            throw new IOException("cannot register with the io_uring ring: " + e.getMessage(), e);
        }
    }

    /**
     * Submits queued operations, waits for completions and dispatches them to their handles.
     *
     * @param timeoutNanos 0: do not block; negative: block until a completion or {@link #wakeup()}; else the most to wait
     * @return the number of completions handled
     */
    int run(long timeoutNanos) {
        if (runner != null) {
            return runner.run(timeoutNanos);
        }
        context.set(timeoutNanos);
        return handler.run(context);
    }

    /** {@return whether passes run through {@link NettyRunner} (no allocation per pass) rather than Netty's public run} */
    boolean allocationFreeRun() {
        return runner != null;
    }

    /** Makes a blocked {@link #run} return; callable from any thread (a no-op on the owner thread). */
    void wakeup() {
        handler.wakeup();
    }

    /** Closes every registered handle, drains what completes, then tears the ring down. Idempotent. */
    @Override
    public void close() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        handler.prepareToDestroy();
        handler.destroy();
    }

    /** The {@link IoHandlerContext} for one {@link #run}. */
    private static final class Context implements IoHandlerContext {
        private boolean canBlock;
        private long deadline;

        void set(long timeoutNanos) {
            canBlock = timeoutNanos != 0;
            deadline = timeoutNanos < 0 ? -1 : System.nanoTime() + timeoutNanos;
        }

        @Override
        public boolean canBlock() {
            return canBlock;
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            return deadline == -1 ? Long.MAX_VALUE : Math.max(0, deadline - currentTimeNanos);
        }

        @Override
        public long deadlineNanos() {
            return deadline;
        }
    }
}
