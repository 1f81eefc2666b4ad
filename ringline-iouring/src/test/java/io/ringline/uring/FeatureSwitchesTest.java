package io.ringline.uring;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The diagnostic switches turn their feature off and the backend still works (child JVMs: the switches are read once). */
class FeatureSwitchesTest {

    @Test
    void everythingOff() throws Exception {
        UringTestSupport.requireIoUring();
        ChildJvm.Result r = ChildJvm.run(List.of(), List.of("-D" + Features.BUFFER_RING + "=false",
                "-D" + Features.FIXED_BUFFERS + "=false", "-D" + Features.SEND_ZC + "=false"), false, FeaturesOffChild.class);
        String out = r.output();
        assertEquals(0, r.exitCode(), out);
        assertTrue(out.contains("fixed buffers off") && out.contains("SEND_ZC off") && out.contains("buffer ring off"), out);
        assertTrue(out.contains("ECHO OK") && out.contains("REGION OK") && out.contains("FIXED 0") && out.contains("DONE"), out);
    }

    @Test
    void fixedBuffersWithoutZeroCopy() throws Exception {
        UringTestSupport.requireIoUring();
        ChildJvm.Result r = ChildJvm.run(List.of(), List.of("-D" + Features.SEND_ZC + "=false"), false, FeaturesOffChild.class);
        String out = r.output();
        assertEquals(0, r.exitCode(), out);
        assertTrue(out.contains("ECHO OK") && out.contains("REGION OK") && out.contains("DONE"), out);
    }
}
