package io.ringline.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A memory region was unregistered in a slot on every worker; committed on the thread that completed
 * the broadcast (the worker that acknowledged last, or the caller).
 */
@Name("ringline.RegionUnregistered")
@Label("Region Unregistered")
@Category({"ringline", "Region"})
@Description("A memory region was unregistered on every ringline worker")
@Enabled(false)
@StackTrace(false)
public final class RegionUnregisteredEvent extends Event {

    /** Creates an event, neither begun nor committed (the core fills in its fields and commits it). */
    public RegionUnregisteredEvent() {
    }
    /** The region's slot ({@link io.ringline.RegionId#slot()}). */
    @Label("Slot") public int slot;
    /** The region's size in bytes. */
    @Label("Size") @DataAmount public long size;
    /** How long the broadcast to the workers took, from the call until every worker acknowledged. */
    @Label("Broadcast") @Timespan(Timespan.NANOSECONDS) public long broadcast;
}
