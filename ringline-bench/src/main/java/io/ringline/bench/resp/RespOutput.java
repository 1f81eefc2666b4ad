package io.ringline.bench.resp;

/**
 * Byte sink for replies (a Netty ByteBuf adapter in the server, a byte array in tests).
 * {@link RespCommands} encodes RESP2 replies through the helpers of {@link Resp}.
 */
public interface RespOutput {
    void writeByte(int b);

    void writeBytes(byte[] bytes, int offset, int length);

    default void writeBytes(byte[] bytes) {
        writeBytes(bytes, 0, bytes.length);
    }
}
