package io.ringline.examples;

import io.ringline.examples.resp.RequestBudget;
import io.ringline.examples.resp.RespParser;

import java.time.Duration;
import java.util.Objects;

/**
 * What the RESP server accepts from a client.
 *
 * @param maxBulk        largest bulk string of a request ({@code --max-bulk})
 * @param maxRequest     most heap a partial command of one connection may hold, see {@link RespParser}
 *                       ({@code --max-request})
 * @param budget         heap that partial commands of all connections may hold together
 *                       ({@code --request-budget-mb})
 * @param requestTimeout longest time a request may stay incomplete, zero for no limit ({@code --request-timeout})
 */
record RespLimits(int maxBulk, long maxRequest, RequestBudget budget, Duration requestTimeout) {

    /** Default {@code --request-timeout}: 30 s. */
    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    RespLimits {
        if (maxBulk <= 0 || maxRequest <= 0) {
            throw new IllegalArgumentException("maxBulk and maxRequest must be > 0, were " + maxBulk + ", " + maxRequest);
        }
        Objects.requireNonNull(budget, "budget");
        if (requestTimeout.isNegative()) {
            throw new IllegalArgumentException("requestTimeout must be >= 0, was " + requestTimeout);
        }
    }

    /** {@return the defaults for {@code maxBulk}: request limit, a budget of a quarter of the heap, 30 s} */
    static RespLimits defaults(int maxBulk) {
        return new RespLimits(maxBulk, RespParser.defaultMaxRequest(maxBulk),
                new RequestBudget(RequestBudget.defaultCapacity()), DEFAULT_REQUEST_TIMEOUT);
    }

    /** {@return a parser enforcing these limits} */
    RespParser parser() {
        return new RespParser(maxBulk, RespParser.DEFAULT_MAX_ARRAY, RespParser.DEFAULT_MAX_INLINE, maxRequest, budget);
    }
}
