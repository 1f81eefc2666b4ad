package io.ringline.examples.resp;

/**
 * The store has no room for a value (the region store's arena is full). {@link RespCommands}
 * answers the command with {@code -OOM arena full}; the previous value of the key is kept.
 */
public final class StoreFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreFullException(String message) {
        super(message, null, false, false);
    }
}
