package io.ringline.examples.resp;

import java.nio.ByteBuffer;

/**
 * Byte sink for replies (a Netty ByteBuf adapter in the Netty peer, the ringline server's reply
 * queue, a byte array in tests). {@link RespCommands} encodes RESP2 replies through the helpers of
 * {@link Resp}. An output that can also send arena bytes by reference implements
 * {@link RegionOutput}.
 */
public interface RespOutput {
    void writeByte(int b);

    void writeBytes(byte[] bytes, int offset, int length);

    default void writeBytes(byte[] bytes) {
        writeBytes(bytes, 0, bytes.length);
    }

    /**
     * Copies {@code length} bytes of {@code src} at index {@code offset} (absolute: the buffer's
     * position and limit are neither used nor changed). The default copies through a byte array;
     * an output over a buffer overrides it to copy directly.
     */
    default void writeBytes(ByteBuffer src, int offset, int length) {
        byte[] chunk = new byte[Math.min(length, 8192)];
        for (int done = 0; done < length; ) {
            int n = Math.min(chunk.length, length - done);
            src.get(offset + done, chunk, 0, n);
            writeBytes(chunk, 0, n);
            done += n;
        }
    }
}
