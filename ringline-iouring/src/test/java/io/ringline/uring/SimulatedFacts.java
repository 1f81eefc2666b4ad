package io.ringline.uring;

import java.util.BitSet;

/** A mutable recipe for {@link UringProbe.Facts}: starts as a healthy machine, each field can be spoiled. */
final class SimulatedFacts {
    String osName = "Linux";
    String kernelRelease = "6.18.0-1-amd64";
    int sysctlDisabled = 0;
    Throwable nativeError;
    int setupErrno;
    BitSet opcodes = allOpcodes();
    int opcodeProbeErrno;
    String nettyVersion = UringProbe.NETTY_BUILT_AGAINST;
    boolean nettyAvailable = true;
    Throwable nettyCause;
    Throwable reflectionError;
    boolean nettyAcceptMultishot = true;
    boolean nettyBufferRing = true;
    boolean nettyRecvMultishot = true;
    boolean cloneBuffers = true;
    String roundTripFailure;
    Throwable linkageError;

    private static BitSet allOpcodes() {
        BitSet b = new BitSet();
        b.set(0, 60);
        return b;
    }

    /** Removes opcode {@code op} from the kernel's table. */
    SimulatedFacts without(int op) {
        opcodes = (BitSet) opcodes.clone();
        opcodes.clear(op);
        return this;
    }

    UringProbe.Facts build() {
        return new UringProbe.Facts(osName, kernelRelease, sysctlDisabled, nativeError, setupErrno, opcodes,
                opcodeProbeErrno, nettyVersion, nettyAvailable, nettyCause, reflectionError, nettyAcceptMultishot,
                nettyBufferRing, nettyRecvMultishot, cloneBuffers, roundTripFailure, linkageError);
    }
}
