package io.ringline.uring;

import io.ringline.spi.BackendOption;
import io.ringline.spi.BackendOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Options and kernel support combine into one runtime's {@link UringFeatures}; the options validate their values. */
class UringFeaturesTest {

    private static BackendOptions options(Map<String, Object> set) {
        return BackendOptions.resolve(IoUringBackendProvider.NAME, IoUringOptions.all(), set);
    }

    @Test
    void defaultsTurnEverythingOn() {
        UringFeatures f = UringFeatures.resolve(UringProbe.Support.ALL, options(Map.of()));
        assertTrue(f.bufferRing() && f.fixedBuffers() && f.sendZc(), f.describe());
        assertEquals(64 * 1024, f.sendZcThreshold());
        assertEquals(256, f.ringSize());
        assertEquals(64, f.maxIov());
        assertEquals(16, f.acceptorRingSize());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(100), f.acceptRetryNanos());
        assertEquals(TimeUnit.SECONDS.toNanos(5), f.closeDrainNanos());
        assertEquals(Map.of(), f.off());
    }

    @Test
    void aMissingKernelFeatureTurnsOnlyThatFeatureOffWithTheKernelsReason() {
        UringFeatures noZc = UringFeatures.resolve(new UringProbe.Support(null, "no SEND_ZC here", null), options(Map.of()));
        assertTrue(noZc.bufferRing() && noZc.fixedBuffers() && !noZc.sendZc());
        assertEquals(Map.of("SEND_ZC", "no SEND_ZC here"), noZc.off());

        UringFeatures noRing = UringFeatures.resolve(new UringProbe.Support("no ring", null, null), options(Map.of()));
        assertTrue(!noRing.bufferRing() && noRing.fixedBuffers() && noRing.sendZc());
        assertTrue(noRing.describe().contains("buffer ring off (no ring)"), noRing.describe());

        UringFeatures noClone = UringFeatures.resolve(new UringProbe.Support(null, null, "no clone"), options(Map.of()));
        assertFalse(noClone.fixedBuffers());
        assertFalse(noClone.sendZc(), "SEND_ZC sends from fixed buffers");
        assertEquals("no clone", noClone.off().get("fixed buffers"));
        assertTrue(noClone.off().get("SEND_ZC").contains("fixed buffers"));
    }

    @Test
    void anOptionTurnsItsFeatureOffNamingItself() {
        UringFeatures f = UringFeatures.resolve(UringProbe.Support.ALL,
                options(Map.of("io_uring.bufferRing", false, "io_uring.sendZc", "false")));
        assertFalse(f.bufferRing());
        assertTrue(f.fixedBuffers());
        assertFalse(f.sendZc());
        assertEquals(Map.of("buffer ring", "io_uring.bufferRing=false", "SEND_ZC", "io_uring.sendZc=false"), f.off());
    }

    @Test
    void invalidValuesNameTheOptionAndTheLimit() {
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> options(Map.of("io_uring.sendZcThreshold", -1)));
        assertTrue(range.getMessage().contains("io_uring.sendZcThreshold") && range.getMessage().contains("[0, 1073741824]"),
                range.getMessage());
        IllegalArgumentException iov = assertThrows(IllegalArgumentException.class, () -> options(Map.of("io_uring.maxIov", 1025)));
        assertTrue(iov.getMessage().contains("[1, 1024]"), iov.getMessage());
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> options(Map.of("io_uring.ringSize", 65536)));
        assertTrue(big.getMessage().contains("[8, 32768]"), big.getMessage());
        IllegalArgumentException pow = assertThrows(IllegalArgumentException.class,
                () -> UringFeatures.resolve(UringProbe.Support.ALL, options(Map.of("io_uring.acceptorRingSize", 24))));
        assertTrue(pow.getMessage().contains("io_uring.acceptorRingSize") && pow.getMessage().contains("'24'")
                && pow.getMessage().contains("power of two"), pow.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> options(Map.of("io_uring.zeroCopy", true)));
        assertTrue(unknown.getMessage().contains("io_uring.zeroCopy"), unknown.getMessage());
    }

    @Test
    void everyOptionIsNamedForTheBackendAndReadsItsDefaultFromRinglineIoUringProperties() {
        for (BackendOption<?> o : IoUringOptions.all()) {
            assertEquals(IoUringBackendProvider.NAME, o.backend(), o.name());
            assertEquals("ringline." + o.name(), o.propertyName());
            assertEquals(o.builtInDefault(), o.defaultValue(), "no ringline.io_uring.* property is set in this JVM: " + o);
        }
        assertEquals(IoUringOptions.all(), new IoUringBackendProvider().options());
    }

    @Test
    void theBuiltAgainstNettyVersionIsThePomsNettyVersion() throws Exception {
        Path pom = Path.of(System.getProperty("user.dir")).resolve("../pom.xml").normalize();
        Matcher m = Pattern.compile("<netty\\.version>([^<]+)</netty\\.version>").matcher(Files.readString(pom));
        assertTrue(m.find(), "netty.version in " + pom);
        assertEquals(m.group(1), UringProbe.NETTY_BUILT_AGAINST, "update UringProbe.NETTY_BUILT_AGAINST with the pom");
    }

    @Test
    void theStartupDescriptionNamesWhatIsInUseAndWhyTheRestIsOff() {
        UringFeatures all = UringFeatures.resolve(UringProbe.Support.ALL, options(Map.of("io_uring.sendZcThreshold", 4096)));
        assertEquals("buffer ring 256 x 16384 B (multishot RECV); fixed buffers on (64 region slots); SEND_ZC from 4096 B; "
                + "multishot ACCEPT; ring 256 entries, 64 iov; UDP 64 buffers, GSO on, GRO on",
                all.describeInUse(256, 16384, 64, null));

        UringFeatures fallback = UringFeatures.resolve(new UringProbe.Support("no ring here", null, "no clone here"),
                options(Map.of("io_uring.udpGro", false)));
        String line = fallback.describeInUse(256, 16384, 64, "kernel refused UDP_SEGMENT");
        for (String part : new String[] {"buffer ring off (no ring here), single-shot RECV", "fixed buffers off (no clone here)",
                "SEND_ZC off (it sends from fixed buffers, which are off)", "GSO off (kernel refused UDP_SEGMENT)",
                "GRO off (io_uring.udpGro=false)"}) {
            assertTrue(line.contains(part), line + " should contain " + part);
        }
        assertTrue(UringFeatures.resolve(UringProbe.Support.ALL, options(Map.of("io_uring.udpGso", false)))
                .describeInUse(1, 64, 0, null).contains("GSO off (io_uring.udpGso=false)"));
    }
}
