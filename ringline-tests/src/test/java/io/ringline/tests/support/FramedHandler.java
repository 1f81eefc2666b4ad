package io.ringline.tests.support;

import io.ringline.CloseReason;
import io.ringline.Connection;
import io.ringline.Handler;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A length-prefixed protocol (4-byte big-endian length, then the payload). Records every message,
 * every byte it saw arrive new (to let the test pace the client), and any violation of the
 * "unconsumed bytes are presented again" rule. Replies to each message with its length (4 bytes).
 */
public final class FramedHandler implements Handler {
    public final List<byte[]> messages = new CopyOnWriteArrayList<>();
    public final AtomicLong newBytes = new AtomicLong();
    public final List<String> violations = new CopyOnWriteArrayList<>();
    public final ConcurrentLinkedQueue<CloseReason> closes = new ConcurrentLinkedQueue<>();
    /** Bytes left unconsumed by the previous call (per connection; one connection per test). */
    private byte[] leftover = new byte[0];

    @Override
    public int onData(Connection connection, ByteBuffer data) {
        if (!data.isReadOnly()) {
            violations.add("onData buffer is writable");
        }
        int start = data.position();
        // The unconsumed bytes of the last call must come first, unchanged.
        if (data.remaining() < leftover.length) {
            violations.add("presented " + data.remaining() + " bytes, fewer than the " + leftover.length + " left unconsumed");
        } else {
            byte[] head = new byte[leftover.length];
            data.get(start, head);
            if (!Arrays.equals(head, leftover)) {
                violations.add("unconsumed bytes not presented again: expected " + HexFormat.of().formatHex(leftover)
                        + ", got " + HexFormat.of().formatHex(head));
            }
        }
        newBytes.addAndGet(data.remaining() - leftover.length);
        int consumed = 0;
        while (data.remaining() - consumed >= 4) {
            int len = data.getInt(start + consumed);
            if (data.remaining() - consumed - 4 < len) {
                break; // need more
            }
            byte[] m = new byte[len];
            data.get(start + consumed + 4, m);
            messages.add(m);
            connection.send(ByteBuffer.allocate(4).putInt(0, len));
            consumed += 4 + len;
        }
        leftover = new byte[data.remaining() - consumed];
        data.get(start + consumed, leftover);
        return consumed;
    }

    @Override
    public void onClose(Connection connection, CloseReason reason, Throwable cause) {
        closes.add(reason);
        leftover = new byte[0];
    }
}
