package io.ringline.examples;

import io.ringline.Config;
import io.ringline.HandlerFactory;
import io.ringline.MemoryRegion;
import io.ringline.examples.resp.RegionStore;
import io.ringline.examples.resp.RequestBudget;
import io.ringline.examples.resp.RespCommands;
import io.ringline.examples.resp.RespParser;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * {@code resp --port N [--workers N] [--host ADDR] [--arena-mb N] [--region-threshold N] [--max-bulk N]
 * [--max-request N] [--request-budget-mb N] [--request-timeout SECONDS]}: a Redis-compatible cache
 * server (the command subset of {@link RespCommands}) whose values live in one off-heap arena
 * registered as region 0. The last three options bound partial requests ({@link RespLimits}).
 */
final class RespCommand implements Command {

    /** Default largest bulk string accepted in a request: 16 MiB. */
    static final int DEFAULT_MAX_BULK = 16 << 20;

    @Override
    public String name() {
        return "resp";
    }

    @Override
    public String summary() {
        return "Redis-compatible cache (PING ECHO SET GET DEL EXISTS INCR MGET MSET FLUSHALL), values in a registered region";
    }

    @Override
    public String usage() {
        return ServerOptions.USAGE + " [--arena-mb N (default 6; io_uring: workers x arena counts"
                + " against RLIMIT_MEMLOCK)] [--region-threshold BYTES (default " + RegionStore.DEFAULT_REGION_THRESHOLD
                + ")] [--max-bulk BYTES (default 16 MiB)] [--max-request BYTES (heap a partial command may hold,"
                + " default max-bulk + 1 MiB)] [--request-budget-mb N (heap partial commands of all connections may"
                + " hold, default max heap / " + RequestBudget.DEFAULT_HEAP_DIVISOR + ")] [--request-timeout SECONDS"
                + " (longest time a request may stay incomplete, default "
                + RespLimits.DEFAULT_REQUEST_TIMEOUT.toSeconds() + ", 0: none)]";
    }

    /** The parsed arguments. */
    record Settings(Config.Builder config, long arenaBytes, int regionThreshold, RespLimits limits, boolean metrics) {
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws UsageException, InterruptedException {
        Settings s = settings(args);
        RegionStore store;
        try {
            store = new RegionStore(s.arenaBytes(), s.regionThreshold());
        } catch (OutOfMemoryError | IllegalArgumentException e) {
            err.println("ringline resp: cannot allocate an arena of " + s.arenaBytes() + " bytes: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        try {
            Config config = configure(s.config(), store, s.limits().maxBulk());
            out.println("ringline resp: arena " + (s.arenaBytes() >> 20) + " MiB registered as region 0, values >= "
                    + s.regionThreshold() + " bytes sent with sendRegion");
            out.println("ringline resp: partial requests limited to " + s.limits().maxRequest() + " bytes per connection, "
                    + (s.limits().budget().capacity() >> 20) + " MiB in all, "
                    + s.limits().requestTimeout().toSeconds() + " s to complete");
            return Servers.serve(name(), config, factory(config, store, s.limits()), s.metrics(), out, err);
        } finally {
            store.close(); // the runtime has terminated: no send references the arena any more
        }
    }

    static Settings settings(List<String> args) throws UsageException {
        Options o = ServerOptions.parse(args, "arena-mb", "region-threshold", "max-bulk",
                "max-request", "request-budget-mb", "request-timeout");
        Config.Builder builder = ServerOptions.builder(o);
        int arenaMb = o.optionalInt("arena-mb", 1, 1024, RegionStore.DEFAULT_ARENA_BYTES >> 20);
        int threshold = o.optionalInt("region-threshold", 1, Integer.MAX_VALUE, RegionStore.DEFAULT_REGION_THRESHOLD);
        int maxBulk = o.optionalInt("max-bulk", 1, 512 << 20, DEFAULT_MAX_BULK);
        long maxRequest = o.optionalInt("max-request", 1024, Integer.MAX_VALUE,
                (int) Math.min(Integer.MAX_VALUE, RespParser.defaultMaxRequest(maxBulk)));
        int budgetMb = o.optionalInt("request-budget-mb", 1, Integer.MAX_VALUE,
                (int) Math.min(Integer.MAX_VALUE, RequestBudget.defaultCapacity() >> 20));
        int timeout = o.optionalInt("request-timeout", 0, 24 * 3600, (int) RespLimits.DEFAULT_REQUEST_TIMEOUT.toSeconds());
        RespLimits limits = new RespLimits(maxBulk, maxRequest, new RequestBudget((long) budgetMb << 20),
                Duration.ofSeconds(timeout));
        return new Settings(builder, (long) arenaMb << 20, threshold, limits, ServerOptions.metrics(o));
    }

    /**
     * Completes {@code builder} for {@code store}: the arena as initial region 0, a send queue that
     * holds the largest value, an inbound limit that holds the largest request argument (the
     * parser keeps at most one incomplete bulk string plus a header line unconsumed).
     */
    static Config configure(Config.Builder builder, RegionStore store, int maxBulk) {
        long inbound = Math.min(1L << 30, Math.max(1L << 20, maxBulk + 4L * RespParser.DEFAULT_MAX_INLINE));
        return builder
                .initialRegion(MemoryRegion.of(store.segment()))
                .sendQueueLimit(Math.max(4L << 20, store.maxValueLength() + 2 * RespHandler.FLUSH_AT))
                .inboundLimit((int) inbound)
                .build();
    }

    /** {@return handlers sharing {@code store}, with the default {@link RespLimits} for {@code maxBulk}} */
    static HandlerFactory factory(Config config, RegionStore store, int maxBulk) {
        return factory(config, store, RespLimits.defaults(maxBulk));
    }

    /** {@return handlers sharing {@code store} and the budget of {@code limits}} */
    static HandlerFactory factory(Config config, RegionStore store, RespLimits limits) {
        RespCommands commands = new RespCommands(store);
        long limit = config.sendQueueLimit();
        return worker -> new RespHandler(commands, limits, limit);
    }
}
