package io.ringline.bench.resp;

/**
 * Malformed or over-limit RESP input. The message is the text of the error reply that is sent
 * before the connection is closed (without the leading '-' and trailing CRLF), e.g.
 * {@code ERR Protocol error: invalid bulk length}.
 */
public final class RespProtocolException extends RuntimeException {
    public RespProtocolException(String message) {
        super(message, null, false, false);
    }
}
