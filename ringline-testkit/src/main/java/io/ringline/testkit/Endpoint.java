package io.ringline.testkit;

import java.net.InetSocketAddress;

/**
 * One end of an in-memory connection: it reads {@link #in} and writes {@link #out}; the other end
 * holds the same two pipes the other way round. Closing follows a kernel's rules, so that a
 * handler tested here meets what TCP does: an orderly close sends an end of stream, but resets if
 * bytes from the peer are still unread.
 *
 * @param in     the bytes coming from the other end
 * @param out    the bytes going to the other end
 * @param local  this end's address
 * @param remote the other end's address
 */
record Endpoint(Pipe in, Pipe out, InetSocketAddress local, InetSocketAddress remote) {

    /** {@return a connected pair of ends: element 0 at {@code a}, element 1 at {@code b}} */
    static Endpoint[] pair(InetSocketAddress a, Pipe aToB, InetSocketAddress b, Pipe bToA) {
        return new Endpoint[] {new Endpoint(bToA, aToB, a, b), new Endpoint(aToB, bToA, b, a)};
    }

    /** Shuts the output down: the other end reads the bytes written so far, then the end of stream. */
    void shutdownOutput() {
        out.end();
    }

    /**
     * Closes: the other end reads what was written, then the end of stream, and its later writes
     * fail; if bytes from the other end are still unread, resets instead (as a kernel does).
     */
    void close() {
        if (in.hasUnread()) {
            reset();
            return;
        }
        out.end();
        in.closeReader();
    }

    /**
     * Resets: the other end still reads what this end wrote before, then "Connection reset"; the
     * bytes coming to this end are dropped and the other end's writes fail.
     */
    void reset() {
        out.resetByWriter();
        in.resetByReader();
    }
}
