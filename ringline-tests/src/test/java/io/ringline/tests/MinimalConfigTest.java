package io.ringline.tests;

import io.ringline.Config;
import io.ringline.Runtime;
import io.ringline.tests.support.BackendTest;
import io.ringline.tests.support.Bytes;
import io.ringline.tests.support.Client;
import io.ringline.tests.support.EchoHandler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The extreme valid configuration works on every spec (the validation itself is tested in ringline-api's ConfigTest). */
class MinimalConfigTest extends BackendTest {

    /**
     * The smallest configuration works on the backend: one worker, one 64-byte receive buffer, no
     * region slots, one connection; a payload much larger than the buffer still arrives intact.
     */
    @Test
    void minimalConfigurationServesAConnection() throws Exception {
        EchoHandler echo = EchoHandler.plain();
        Config.Builder b = serverConfig().workers(1).recvBufferSize(64).recvBufferCount(1).maxRegions(0)
                .maxConnectionsPerWorker(1).acceptHandoffLimit(1).backlog(1).blockingPoolSize(1).shutdownGracePeriod(Duration.ZERO);
        byte[] payload = Bytes.random(new Random(1), 100_000);
        try (Runtime rt = start(b, w -> echo);
             Client s = connect(rt)) {
            assertEquals(1, rt.workerCount());
            s.output().write(payload);
            assertArrayEquals(payload, s.readExactly(payload.length));
        }
    }
}
