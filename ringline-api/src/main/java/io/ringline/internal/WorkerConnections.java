package io.ringline.internal;

import io.ringline.CloseReason;
import io.ringline.Config;
import io.ringline.Handler;
import io.ringline.RinglineException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * One worker's open connections as the handler sees them: a connection that opens gets a slot and
 * token in the {@link ConnectionTable}, a unit of load in the {@link AcceptInbox}, the default
 * idle timeout and {@code onOpen}; one that closes frees them and gets {@code onClose}. Worker
 * thread only.
 */
final class WorkerConnections {

    private static final Logger log = LoggerFactory.getLogger(WorkerConnections.class);

    private final int workerId;
    private final Config config;
    private final ConnectionTable table;
    private final AcceptInbox inbox;
    private final WorkerStatsImpl stats;
    private final Supplier<Handler> handler;

    WorkerConnections(int workerId, Config config, AcceptInbox inbox, WorkerStatsImpl stats, Supplier<Handler> handler) {
        this.workerId = workerId;
        this.config = config;
        this.table = new ConnectionTable(workerId, config.maxConnectionsPerWorker());
        this.inbox = inbox;
        this.stats = stats;
        this.handler = handler;
    }

    /**
     * Registers a connection the backend created (accepted or connected), from
     * {@link io.ringline.spi.ConnectionCore#open()}: slot, token, load, then {@code onOpen}.
     *
     * @throws RinglineException if the worker already serves {@link Config#maxConnectionsPerWorker()}
     */
    void opened(ConnectionImpl c) {
        table.add(c);
        inbox.connectionOpened();
        stats.connectionsOpened++;
        JfrEvents.opened(c);
        c.setIdleTimeout(config.idleTimeout());
        Object stall = JfrEvents.stallBegin();
        try {
            handler.get().onOpen(c);
        } catch (Throwable e) {
            Throwables.rethrowIfFatal(e);
            c.failed(CloseReason.ERROR, e);
        }
        JfrEvents.stallEnd(stall, workerId, handler.get(), "onOpen");
    }

    /** {@code c} closed: frees its slot and load unit and calls {@code onClose} (once; nothing if it never opened). */
    void closed(ConnectionImpl c, CloseReason reason, Throwable cause) {
        if (!table.remove(c)) {
            return;
        }
        inbox.connectionClosed();
        stats.connectionsClosed++;
        JfrEvents.closed(c, reason, cause);
        if (cause != null && reason == CloseReason.ERROR) {
            log.debug("ringline worker {}: {} closed with error", workerId, c, cause);
        }
        Object stall = JfrEvents.stallBegin();
        try {
            handler.get().onClose(c, reason, cause);
        } catch (Throwable e) {
            Throwables.rethrowIfFatal(e);
            log.warn("ringline worker {}: Handler.onClose failed for {}", workerId, c, e);
        }
        JfrEvents.stallEnd(stall, workerId, handler.get(), "onClose");
    }

    /** {@return the open connection {@code token} names, or null} */
    ConnectionImpl find(long token) {
        ConnectionImpl c = table.find(token);
        return c != null && c.isOpen() ? c : null;
    }

    int count() {
        return table.count();
    }

    /** Runs {@code action} for every connection; the action may close them. */
    void forEach(java.util.function.Consumer<ConnectionImpl> action) {
        table.forEach(action);
    }
}
