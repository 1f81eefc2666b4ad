package io.ringline.tests.support;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Handler;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A handler that records every callback as an {@link Event} (with the thread it ran on) and
 * otherwise behaves like the default handler: it consumes and discards what it receives, and
 * closes on end of stream. Subclass it to add behaviour (call {@code super} to keep the record);
 * {@link EchoHandler} echoes. One instance may serve every worker (the record is thread-safe).
 */
public class Recorder implements Handler {

    /**
     * One callback.
     *
     * @param what     {@code open}, {@code tls} (handshake done), {@code data}, {@code writable}, {@code inputClosed},
     *                 {@code drain} or {@code close}
     * @param token    the connection's token
     * @param bytes    for {@code data}: the bytes presented; else 0
     * @param reason   for {@code close}: the reason; else null
     * @param cause    for {@code close}: the cause, if any
     * @param thread   the thread the callback ran on
     * @param onWorker whether that was the connection's worker thread
     * @param nanos    {@link System#nanoTime()} when it ran
     */
    public record Event(String what, long token, int bytes, CloseReason reason, Throwable cause, Thread thread,
                        boolean onWorker, long nanos) {
        @Override
        public String toString() {
            return reason != null ? what + ":" + reason : what;
        }
    }

    private final Queue<Event> events = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<Connection> opened = new LinkedBlockingQueue<>();
    private final Queue<Connection> connections = new ConcurrentLinkedQueue<>();

    private void record(String what, Connection c, int bytes, CloseReason reason, Throwable cause) {
        events.add(new Event(what, c.token(), bytes, reason, cause, Thread.currentThread(), c.worker().inWorkerThread(),
                System.nanoTime()));
    }

    @Override
    public void onOpen(Connection c) {
        record("open", c, 0, null, null);
        connections.add(c);
        opened.add(c);
    }

    @Override
    public void onTlsHandshake(Connection c) {
        record("tls", c, 0, null, null);
    }

    @Override
    public int onData(Connection c, ByteBuffer data) {
        record("data", c, data.remaining(), null, null);
        return data.remaining();
    }

    @Override
    public void onWritable(Connection c) {
        record("writable", c, 0, null, null);
    }

    @Override
    public void onInputClosed(Connection c) {
        record("inputClosed", c, 0, null, null);
        c.close();
    }

    @Override
    public void onDrain(Connection c) {
        record("drain", c, 0, null, null);
        c.close();
    }

    @Override
    public void onClose(Connection c, CloseReason reason, Throwable cause) {
        record("close", c, 0, reason, cause);
    }

    /** {@return every event so far, in order} */
    public List<Event> events() {
        return List.copyOf(events);
    }

    /** {@return the events named {@code what}} */
    public List<Event> events(String what) {
        return events.stream().filter(e -> e.what().equals(what)).toList();
    }

    /** {@return the callbacks so far as strings ({@code open}, {@code close:PEER_CLOSED}, ...)} */
    public List<String> names() {
        return events.stream().map(Event::toString).toList();
    }

    /** {@return the events that did not run on their connection's worker thread} */
    public List<Event> offWorker() {
        return events.stream().filter(e -> !e.onWorker()).toList();
    }

    /** {@return the next connection opened (in order), waiting up to {@link Await#LONG}} */
    public Connection next() throws InterruptedException {
        Connection c = opened.poll(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(c, "a connection was opened within " + Await.LONG);
        return c;
    }

    /** {@return every connection opened so far, in order (unlike {@link #next()}, this does not consume them)} */
    public List<Connection> connections() {
        return List.copyOf(connections);
    }

    /** {@return how many connections were opened} */
    public int openCount() {
        return events("open").size();
    }

    /** {@return the close events so far} */
    public List<Event> closes() {
        return events("close");
    }

    /** {@return the close reasons so far, in order} */
    public List<CloseReason> closeReasons() {
        return closes().stream().map(Event::reason).toList();
    }

    /** Waits until {@code n} connections were opened. */
    public void awaitOpens(int n) {
        Await.until(() -> openCount() >= n, () -> n + " connections opened, got " + openCount());
    }

    /** Waits until {@code n} connections were closed. */
    public void awaitCloses(int n) {
        Await.until(() -> closes().size() >= n, () -> n + " connections closed, got " + closeReasons());
    }

    /** {@return the first close, waiting for it} */
    public Event awaitClose() {
        awaitCloses(1);
        return closes().get(0);
    }
}
