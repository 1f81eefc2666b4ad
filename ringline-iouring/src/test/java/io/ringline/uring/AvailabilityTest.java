package io.ringline.uring;

import io.ringline.spi.Availability;
import io.ringline.spi.BackendProvider;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The availability probe: the real one on this machine, under seccomp, and every reason it can give. */
class AvailabilityTest {

    private static IoUringBackendProvider.Facts facts(String os, String kernel, int sysctl, int setupErrno,
                                                      boolean netty) {
        return new IoUringBackendProvider.Facts(os, kernel, sysctl, null, setupErrno, netty,
                netty ? null : new UnsupportedOperationException("failed to load native library"), null, true);
    }

    @Test
    void providerIsFoundByServiceLoaderWithPriority100() {
        BackendProvider p = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(x -> x.name().equals("io_uring")).findFirst().orElseThrow();
        assertEquals(100, p.priority());
        assertSame(p.availability(), new IoUringBackendProvider().availability(), "probed once and cached");
    }

    @Test
    void realProbeReportsAvailableHere() {
        UringTestSupport.requireIoUring();
        Availability a = new IoUringBackendProvider().availability();
        assertTrue(a.available(), a.reason());
        assertTrue(a.reason().contains("kernel"), a.reason());
    }

    @Test
    void realProbeUnderSeccompReportsTheCause() throws Exception {
        UringTestSupport.requireIoUring();
        ChildJvm.Result r = ChildJvm.run(List.of(), false, SeccompChild.class);
        String out = r.output();
        assertEquals(0, r.exitCode(), out);
        assertTrue(out.contains("FILTER 0 0"), "seccomp filter installed: " + out);
        assertTrue(out.contains("AVAILABLE false"), out);
        String reason = out.lines().filter(l -> l.startsWith("REASON ")).findFirst().orElse("");
        assertTrue(reason.contains("EPERM") && reason.contains("seccomp"), reason);
    }

    @Test
    void everyUnavailabilityNamesItsCause() {
        assertTrue(IoUringBackendProvider.evaluate(facts("Mac OS X", "24.1", -1, 0, false)).reason().contains("needs Linux"));
        Availability old = IoUringBackendProvider.evaluate(facts("Linux", "5.15.0-91-generic", 0, 0, true));
        assertFalse(old.available());
        assertTrue(old.reason().contains("5.15.0-91-generic is too old"), old.reason());
        Availability sysctl = IoUringBackendProvider.evaluate(facts("Linux", "6.8.0", 2, Sys.EPERM, false));
        assertTrue(sysctl.reason().contains("kernel.io_uring_disabled=2"), sysctl.reason());
        Availability group = IoUringBackendProvider.evaluate(facts("Linux", "6.8.0", 1, Sys.EPERM, false));
        assertTrue(group.reason().contains("io_uring_group"), group.reason());
        Availability seccomp = IoUringBackendProvider.evaluate(facts("Linux", "6.8.0", 0, Sys.EPERM, false));
        assertTrue(seccomp.reason().contains("seccomp"), seccomp.reason());
        Availability nosys = IoUringBackendProvider.evaluate(facts("Linux", "6.8.0", -1, Sys.ENOSYS, false));
        assertTrue(nosys.reason().contains("CONFIG_IO_URING"), nosys.reason());
        Availability netty = IoUringBackendProvider.evaluate(facts("Linux", "6.8.0", 0, 0, false));
        assertTrue(netty.reason().contains("Netty") && netty.reason().contains("native library"), netty.reason());
        Availability ffm = IoUringBackendProvider.evaluate(new IoUringBackendProvider.Facts("Linux", "6.8.0", 0,
                new IllegalCallerException("native access disabled"), 0, true, null, null, true));
        assertTrue(ffm.reason().contains("--enable-native-access"), ffm.reason());
        Availability reflection = IoUringBackendProvider.evaluate(new IoUringBackendProvider.Facts("Linux", "6.8.0", 0,
                null, 0, true, null, new NoSuchFieldException("ringBuffer"), true));
        assertTrue(reflection.reason().contains("4.2.18.Final"), reflection.reason());
        Availability noClone = IoUringBackendProvider.evaluate(new IoUringBackendProvider.Facts("Linux", "6.8.0", 0,
                null, 0, true, null, null, false));
        assertTrue(noClone.available() && noClone.reason().contains("fixed buffers off"), noClone.reason());
        assertTrue(IoUringBackendProvider.evaluate(facts("Linux", "6.18.0", 0, 0, true)).available());
    }
}
