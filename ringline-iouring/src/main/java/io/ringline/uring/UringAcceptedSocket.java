package io.ringline.uring;

import io.ringline.spi.AcceptedSocket;

/** A socket descriptor the {@link UringListener} accepted, on its way to {@link UringWorkerIo#adopt}. */
record UringAcceptedSocket(int fd) implements AcceptedSocket {

    @Override
    public void close() {
        Sys.close(fd);
    }
}
