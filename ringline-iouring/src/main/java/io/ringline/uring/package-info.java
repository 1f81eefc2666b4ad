/**
 * The Linux io_uring backend of ringline ({@code io_uring}, priority 100).
 *
 * <p>Design: every worker owns one ring, a Netty {@code IoUringIoHandler} (Netty 4.2.18.Final)
 * created with the worker thread as its executor thread and driven directly by the ringline
 * worker loop ({@code WorkerIo.poll} calls {@code IoHandler.run}); the core keeps tasks, timers
 * and connection state. The data path is this backend's own {@code IoUringIoHandle}s with raw
 * SQEs: multishot {@code ACCEPT} on a per-listener acceptor ring, multishot {@code RECV} from a
 * per-worker provided buffer ring ({@code IORING_REGISTER_PBUF_RING}), one {@code SENDMSG}/
 * {@code SEND} or {@code SEND_ZC} (fixed buffer) in flight per connection, {@code CONNECT} and
 * {@code ASYNC_CANCEL}. UDP sockets ({@code UringUdpSocket}) receive with one multishot
 * {@code RECVMSG} from a provided buffer ring of their own (their own buffer group; datagrams
 * coalesced by {@code UDP_GRO} are split) and send with up to 32 {@code SENDMSG}s in flight
 * ({@code UDP_SEGMENT} for segmented entries), reported in queue order. Registered regions live in each ring's sparse fixed-buffer table, cloned
 * from one donor ring so that locked memory is charged once. Kernel registration calls go through
 * {@code java.lang.foreign} ({@code Sys}); no JNI of ours.
 *
 * <p>Netty internals relied on (pin Netty to 4.2.18.Final): the private field
 * {@code IoUringIoHandler.ringBuffer} and package-private {@code RingBuffer.fd()} (read by
 * reflection to reach the ring fd), {@code IoUringIoHandler.run/initialize/prepareToDestroy/
 * destroy/register/wakeup} called outside a Netty event loop, the completion of a registration
 * being reported through {@code IoHandle.unregistered()} once its outstanding operations are
 * done, and Netty setting rings up with SINGLE_ISSUER/DEFER_TASKRUN (so registration must run on
 * the owner thread). {@code UringProbe} checks each of these at probe time (the Netty version,
 * the reflection, a round trip through a throwaway ring) and makes the backend unavailable,
 * naming the mismatch, when one does not hold. Every SQE is built by {@code Sqe}, every kernel
 * struct is laid out once in {@code KernelStructs}, and each runtime's knobs
 * ({@code IoUringOptions}) and kernel features resolve into one {@code UringFeatures}.
 */
package io.ringline.uring;
