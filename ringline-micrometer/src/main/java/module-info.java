/**
 * ringline-micrometer: a Micrometer {@code MeterBinder} that publishes every worker's
 * {@link io.ringline.WorkerStats} as {@code ringline.*} meters. Export: {@code io.ringline.micrometer}
 * ({@link io.ringline.micrometer.RinglineMetrics}).
 *
 * <p>micrometer-core has no module descriptor; {@code micrometer.core} is its automatic module name.
 */
module io.ringline.micrometer {
    requires io.ringline;
    requires transitive micrometer.core;

    exports io.ringline.micrometer;
}
