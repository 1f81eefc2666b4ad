package io.ringline.testkit;

import io.ringline.Config;
import io.ringline.Connection;
import io.ringline.Handler;
import io.ringline.Runtime;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How a user tests a handler with the testkit: no sockets, no ports, and the same test once more
 * with faults that TCP may inflict (bytes split into 1-byte reads, replies written 2 bytes at a
 * time), which a handler must survive.
 */
class TestkitExampleTest {

    /** The handler under test: answers each line ("...\n") with the line in upper case. */
    static final class UpperCaseLines implements Handler {
        @Override
        public int onData(Connection connection, ByteBuffer data) {
            int consumed = 0;
            for (int i = data.position(); i < data.limit(); i++) {
                if (data.get(i) == '\n') {
                    int start = data.position() + consumed;
                    byte[] line = new byte[i + 1 - start];
                    data.get(start, line);
                    connection.send(new String(line, StandardCharsets.US_ASCII).toUpperCase().getBytes(StandardCharsets.US_ASCII));
                    consumed = i + 1 - data.position();
                }
            }
            return consumed; // a partial line stays and comes back with the next bytes
        }
    }

    private static String ask(TestPeer peer, String lines, int replyLength) throws IOException {
        peer.output().write(lines.getBytes(StandardCharsets.US_ASCII));
        return new String(peer.input().readNBytes(replyLength), StandardCharsets.US_ASCII);
    }

    @Test
    void answersEachLine() throws Exception {
        try (Runtime runtime = Testkit.start(worker -> new UpperCaseLines());
             TestPeer peer = Testkit.connect(runtime)) {
            assertEquals("HELLO\nWORLD\n", ask(peer, "hello\nworld\n", 12));
        }
    }

    @Test
    void answersEachLineWhenTheBytesArriveOneByOneAndRepliesGoOutInPieces() throws Exception {
        Config config = Testkit.config()
                .option(TestkitOptions.MAX_READ_CHUNK.name(), 1)
                .option(TestkitOptions.MAX_WRITE_CHUNK.name(), 2)
                .build();
        try (Runtime runtime = Runtime.start(config, worker -> new UpperCaseLines());
             TestPeer peer = Testkit.connect(runtime)) {
            assertEquals("HELLO\nWORLD\n", ask(peer, "hello\nwor", 6) + ask(peer, "ld\n", 6));
        }
    }
}
