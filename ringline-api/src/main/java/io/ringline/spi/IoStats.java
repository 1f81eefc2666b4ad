package io.ringline.spi;

/**
 * The counters of one worker that its I/O driver reports (the core counts bytes, connections,
 * sends and loop iterations itself). They appear in {@link io.ringline.WorkerStats}.
 *
 * <p><b>Threading:</b> worker thread only; plain increments, no synchronization.
 */
public interface IoStats {

    /**
     * Counts {@code n} operations submitted to the kernel (system calls or io_uring SQEs).
     *
     * @param n how many
     */
    void opsSubmitted(int n);

    /** Counts one entry into the kernel to submit or wait (one {@code io_uring_enter}, one {@code select}). */
    void kernelEntered();

    /** Counts one receive that found no free receive buffer (io_uring ENOBUFS). */
    void recvBufferExhausted();

    /** Counts one region send that went out without a user-space copy (io_uring SEND_ZC from a fixed buffer). */
    void zeroCopySent();
}
