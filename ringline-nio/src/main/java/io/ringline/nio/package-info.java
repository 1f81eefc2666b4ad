/**
 * The portable {@link java.nio.channels.Selector} backend: one selector per worker, a blocking
 * acceptor thread per listener that hands sockets to the workers, non-blocking reads into one
 * direct buffer per worker, gathered writes flushed on {@code OP_WRITE}. Uses no Linux-only calls.
 */
package io.ringline.nio;
