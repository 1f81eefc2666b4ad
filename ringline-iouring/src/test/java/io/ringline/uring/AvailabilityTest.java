package io.ringline.uring;

import io.ringline.spi.Availability;
import io.ringline.spi.BackendProvider;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The availability probe: the real one on this machine, under seccomp, and every reason it can give (simulated facts). */
class AvailabilityTest {

    private static Availability evaluate(Consumer<SimulatedFacts> spoil) {
        SimulatedFacts f = new SimulatedFacts();
        spoil.accept(f);
        return UringProbe.evaluate(f.build());
    }

    private static void assertUnavailable(Availability a, String... mentions) {
        assertFalse(a.available(), a.reason());
        for (String m : mentions) {
            assertTrue(a.reason().contains(m), "'" + m + "' not in: " + a.reason());
        }
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
        assertTrue(a.reason().contains("kernel") && a.reason().contains("Netty " + UringProbe.NETTY_BUILT_AGAINST), a.reason());
    }

    @Test
    void realObservationSeesEverythingTheBackendNeeds() {
        UringTestSupport.requireIoUring();
        UringProbe.Facts f = UringProbe.observe();
        assertNull(f.linkageError());
        assertNull(f.roundTripFailure(), "NOP / cancel / unregistered round trip through a Netty ring");
        assertEquals(UringProbe.NETTY_BUILT_AGAINST, f.nettyVersion());
        assertEquals(0, f.opcodeProbeErrno());
        UringProbe.REQUIRED_OPCODES.keySet().forEach(op -> assertTrue(f.opcodes().get(op), "opcode " + op));
        assertTrue(f.opcodes().get(Uring.OP_SEND_ZC), "this machine's kernel (6.18) has SEND_ZC");
        assertFalse(f.opcodes().get(200), "an opcode no kernel has");
    }

    @Test
    void theRealRoundTripPasses() {
        UringTestSupport.requireIoUring();
        assertNull(UringProbe.roundTrip());
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
    void healthyFactsAreAvailable() {
        Availability a = evaluate(f -> { });
        assertTrue(a.available(), a.reason());
        assertTrue(a.reason().contains("buffer ring yes, SEND_ZC yes, fixed buffers cloned between rings yes"), a.reason());
    }

    @Test
    void platformReasons() {
        assertUnavailable(evaluate(f -> f.osName = "Mac OS X"), "needs Linux");
        assertUnavailable(evaluate(f -> { f.sysctlDisabled = 2; f.setupErrno = Sys.EPERM; }), "kernel.io_uring_disabled=2");
        assertUnavailable(evaluate(f -> { f.sysctlDisabled = 1; f.setupErrno = Sys.EPERM; }), "io_uring_group");
        assertUnavailable(evaluate(f -> f.setupErrno = Sys.EPERM), "seccomp");
        assertUnavailable(evaluate(f -> f.setupErrno = Sys.ENOSYS), "CONFIG_IO_URING");
        assertUnavailable(evaluate(f -> f.nativeError = new IllegalCallerException("native access disabled")),
                "--enable-native-access");
        assertUnavailable(evaluate(f -> { f.nettyAvailable = false; f.nettyCause = new UnsupportedOperationException("failed to load native library"); }),
                "Netty", "native library");
    }

    @Test
    void anotherNettyMinorVersionIsUnavailableNamingBoth() {
        assertUnavailable(evaluate(f -> f.nettyVersion = "4.3.0.Final"), "4.3.0.Final", UringProbe.NETTY_BUILT_AGAINST);
        assertUnavailable(evaluate(f -> f.nettyVersion = "5.2.18.Final"), "5.2.18.Final", UringProbe.NETTY_BUILT_AGAINST);
        assertUnavailable(evaluate(f -> f.nettyVersion = "4.1.118.Final"), "4.1.118.Final");
        assertUnavailable(evaluate(f -> f.nettyVersion = "garbage"), "garbage");
        assertUnavailable(evaluate(f -> f.nettyVersion = null), "cannot tell the version", "io.netty.versions.properties");
    }

    @Test
    void anotherNettyPatchVersionIsAvailableAndSaysSo() {
        Availability a = evaluate(f -> f.nettyVersion = "4.2.19.Final");
        assertTrue(a.available(), a.reason());
        assertTrue(a.reason().contains("4.2.19.Final") && a.reason().contains("built against " + UringProbe.NETTY_BUILT_AGAINST),
                a.reason());
        assertTrue(UringProbe.patchDiffers("4.2.19.Final"));
        assertFalse(UringProbe.patchDiffers(UringProbe.NETTY_BUILT_AGAINST));
        assertFalse(UringProbe.patchDiffers("4.3.0.Final"));
    }

    @Test
    void aMissingRequiredOpcodeIsUnavailableNamingIt() {
        assertUnavailable(evaluate(f -> f.without(Uring.OP_CONNECT)), "IORING_OP_CONNECT (16)");
        assertUnavailable(evaluate(f -> f.without(Uring.OP_ASYNC_CANCEL).without(Uring.OP_SENDMSG)),
                "IORING_OP_SENDMSG (9)", "IORING_OP_ASYNC_CANCEL (14)");
        for (int op : UringProbe.REQUIRED_OPCODES.keySet()) {
            assertUnavailable(evaluate(f -> f.without(op)), "(" + op + ")");
        }
        assertUnavailable(evaluate(f -> { f.opcodes = null; f.opcodeProbeErrno = 22; }), "IORING_REGISTER_PROBE failed");
    }

    @Test
    void aRoundTripThatDidNotBehaveIsUnavailableNamingIt() {
        assertUnavailable(evaluate(f -> f.roundTripFailure = "unregistered() was called before the registration's last completion"),
                "does not behave", "unregistered() was called before");
    }

    @Test
    void reflectionAndLinkageFailuresAreUnavailableNamingWhatIsMissing() {
        assertUnavailable(evaluate(f -> f.reflectionError = new NoSuchFieldException("ringBuffer")),
                "ringBuffer", UringProbe.NETTY_BUILT_AGAINST);
        assertUnavailable(evaluate(f -> f.linkageError = new NoSuchMethodError(
                "'void io.netty.channel.uring.IoUringIoOps.<init>(byte, byte, short, int, long, long, int, int, long, short, short, int, long)'")),
                "linkage error", "IoUringIoOps.<init>");
        assertUnavailable(evaluate(f -> f.nettyAcceptMultishot = false), "multishot accept");
    }

    @Test
    void aLinkageErrorThrownWhileObservingBecomesAnUnavailabilityReason() {
        UringProbe.Facts f = UringProbe.guarded("Linux", "6.18.0", () -> {
            throw new NoSuchMethodError("'boolean io.netty.channel.uring.IoUring.isRegisterBufferRingSupported()'");
        });
        assertUnavailable(UringProbe.evaluate(f), "NoSuchMethodError", "isRegisterBufferRingSupported");
        UringProbe.Facts g = UringProbe.guarded("Linux", "6.18.0", () -> {
            throw new NoClassDefFoundError("io/netty/channel/uring/IoUringIoOps");
        });
        assertUnavailable(UringProbe.evaluate(g), "NoClassDefFoundError", "IoUringIoOps");
    }

    @Test
    void missingOptionalFeaturesStayAvailableAndFallBackOneByOne() {
        Availability a = evaluate(f -> { f.nettyBufferRing = false; f.without(Uring.OP_SEND_ZC); f.cloneBuffers = false; });
        assertTrue(a.available(), a.reason());
        assertTrue(a.reason().contains("buffer ring no, SEND_ZC no, fixed buffers cloned between rings no"), a.reason());

        SimulatedFacts noZc = new SimulatedFacts().without(Uring.OP_SEND_ZC);
        UringProbe.Support s = UringProbe.support(noZc.build());
        assertNull(s.noBufferRing());
        assertNull(s.noCloneBuffers());
        assertTrue(s.noSendZc().contains("IORING_OP_SEND_ZC"), s.noSendZc());

        SimulatedFacts noRecvMultishot = new SimulatedFacts();
        noRecvMultishot.nettyRecvMultishot = false;
        assertTrue(UringProbe.support(noRecvMultishot.build()).noBufferRing().contains("isRecvMultishotEnabled"));
        SimulatedFacts noRing = new SimulatedFacts();
        noRing.nettyBufferRing = false;
        assertTrue(UringProbe.support(noRing.build()).noBufferRing().contains("isRegisterBufferRingSupported"));
        SimulatedFacts noClone = new SimulatedFacts();
        noClone.cloneBuffers = false;
        assertTrue(UringProbe.support(noClone.build()).noCloneBuffers().contains("CLONE_BUFFERS"));
        assertEquals(List.of(), UringProbe.support(new SimulatedFacts().build()).missing());
    }

    @Test
    void versionParsing() {
        assertEquals(List.of(4, 2, 18), java.util.Arrays.stream(UringProbe.version("4.2.18.Final")).boxed().toList());
        assertNull(UringProbe.version("4.2"));
        assertNull(UringProbe.version("4.x.1.Final"));
    }
}
