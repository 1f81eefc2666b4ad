package io.ringline.tests.support;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Configuration and observations of {@link FaultyBackendProvider}, shared through static fields
 * (tests run one at a time; call {@link #reset()} before and after each use).
 */
public final class Faults {

    /** Value of {@link #failInstallOnWorker} that makes every worker fail. */
    public static final int ALL_WORKERS = -2;

    /** Name of the real backend to wrap; null: the faulty backend is unavailable. */
    public static volatile String delegate;
    /** Worker whose {@code installRegion} throws an IOException (-1: none, {@link #ALL_WORKERS}: all). */
    public static volatile int failInstallOnWorker = -1;
    /** Worker whose {@code poll} throws an Error after it was woken up while this is set (-1: none). */
    public static volatile int dieOnWakeup = -1;

    /**
     * While set, a worker wake-up requested by a listener's accepting thread (when it hands a
     * socket to an idle worker) waits until this latch is released: the real acceptor is then held
     * inside {@code AcceptDispatcher.dispatch}, like an acceptor slow to stop. Null: no hold.
     */
    public static volatile java.util.concurrent.CountDownLatch holdAcceptor;
    /** Set once an accepting thread is held by {@link #holdAcceptor}. */
    public static volatile boolean acceptorHeld;

    /** Workers that died by injection. */
    public static final Set<Integer> died = ConcurrentHashMap.newKeySet();
    /** Slots installed in the wrapped backend, per worker (install adds, remove removes). */
    public static final ConcurrentHashMap<Integer, Set<Integer>> installedSlots = new ConcurrentHashMap<>();
    /** The drivers of the current runtime, by worker id. */
    public static final ConcurrentHashMap<Integer, FaultyBackendProvider.FaultyWorkerIo> workerIos = new ConcurrentHashMap<>();
    /** Successful installs / removes in the wrapped backend, and injected install failures. */
    public static final AtomicInteger installs = new AtomicInteger();
    public static final AtomicInteger removes = new AtomicInteger();
    public static final AtomicInteger installFailures = new AtomicInteger();

    private Faults() {
    }

    /** Arms the faulty backend around {@code backend} with no fault injected yet (after a {@link #reset()}). */
    public static void wrap(String backend) {
        reset();
        delegate = backend;
    }

    /** {@return the slots worker {@code workerId} holds in the wrapped backend} */
    public static Set<Integer> installed(int workerId) {
        return installedSlots.computeIfAbsent(workerId, k -> ConcurrentHashMap.newKeySet());
    }

    /** Disarms everything and forgets the observations. */
    public static void reset() {
        delegate = null;
        failInstallOnWorker = -1;
        dieOnWakeup = -1;
        java.util.concurrent.CountDownLatch hold = holdAcceptor;
        holdAcceptor = null;
        if (hold != null) {
            hold.countDown();
        }
        acceptorHeld = false;
        died.clear();
        installedSlots.clear();
        workerIos.clear();
        installs.set(0);
        removes.set(0);
        installFailures.set(0);
    }
}
