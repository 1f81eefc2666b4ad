/**
 * The portable {@link java.nio.channels.Selector} backend: one selector per worker, a blocking
 * acceptor thread per listener that hands sockets to the workers, non-blocking reads into one
 * direct buffer per worker, gathered writes flushed on {@code OP_WRITE}; UDP sockets on non-blocking
 * {@link java.nio.channels.DatagramChannel}s ({@code NioUdpSocket}). Uses no Linux-only calls; on
 * Linux it reads the kernel's UDP drop counts from {@code /proc/net/udp} and {@code /proc/net/udp6}.
 */
package io.ringline.nio;
