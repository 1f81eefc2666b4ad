/*
 * echo-epoll: a minimal epoll echo server, a native reference row in bench/compare.sh.
 *
 *   echo-epoll --port N
 *
 * One thread, level-triggered epoll, non-blocking sockets with TCP_NODELAY. A readable connection is read
 * once into a shared buffer and the bytes are written straight back; what the socket does not take is
 * kept for that connection, which then waits for EPOLLOUT (and stops reading: backpressure) until it is
 * written. Prints "listening on PORT" once ready; exits 0 on SIGTERM or SIGINT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_BUF (64 * 1024)

struct conn {
    unsigned char *pending; /* unsent bytes: pending[off, len) */
    size_t off, len, cap;
};

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static struct conn *conns;
static size_t nconns;
static int epfd;

static struct conn *conn_of(int fd) {
    if ((size_t)fd >= nconns) {
        size_t n = nconns ? nconns : 1024;
        while (n <= (size_t)fd) n *= 2;
        struct conn *c = realloc(conns, n * sizeof *c);
        if (!c) { perror("echo-epoll: realloc"); exit(1); }
        memset(c + nconns, 0, (n - nconns) * sizeof *c);
        conns = c;
        nconns = n;
    }
    return &conns[fd];
}

static void close_conn(int fd) {
    struct conn *c = conn_of(fd);
    free(c->pending);
    memset(c, 0, sizeof *c);
    close(fd); /* also removes it from the epoll set */
}

static void watch(int fd, int op, unsigned events) {
    struct epoll_event ev = {.events = events, .data.fd = fd};
    if (epoll_ctl(epfd, op, fd, &ev) != 0) { perror("echo-epoll: epoll_ctl"); exit(1); }
}

/* Writes buf[0, n) to fd; keeps what the socket does not take. Returns -1 when the connection failed. */
static int write_or_keep(int fd, const unsigned char *buf, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t w = send(fd, buf + done, n - done, MSG_NOSIGNAL);
        if (w > 0) { done += (size_t)w; continue; }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        return -1;
    }
    struct conn *c = conn_of(fd);
    size_t rest = n - done;
    if (rest == 0) return 0;
    if (c->cap < rest) {
        unsigned char *p = realloc(c->pending, rest);
        if (!p) return -1;
        c->pending = p;
        c->cap = rest;
    }
    memmove(c->pending, buf + done, rest);
    c->off = 0;
    c->len = rest;
    watch(fd, EPOLL_CTL_MOD, EPOLLOUT);
    return 0;
}

int main(int argc, char **argv) {
    long port = -1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc) {
            char *end;
            port = strtol(argv[++i], &end, 10);
            if (*end || port < 1 || port > 65535) {
                fprintf(stderr, "echo-epoll: --port must be 1..65535, got '%s'\n", argv[i]);
                return 2;
            }
        } else {
            fprintf(stderr, "echo-epoll: unknown argument %s\nusage: echo-epoll --port N\n", argv[i]);
            return 2;
        }
    }
    if (port < 0) { fputs("usage: echo-epoll --port N\n", stderr); return 2; }

    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: epoll_wait returns EINTR */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(lfd, 4096) != 0) {
        fprintf(stderr, "echo-epoll: cannot listen on 127.0.0.1:%ld: %s\n", port, strerror(errno));
        return 1;
    }
    epfd = epoll_create1(0);
    watch(lfd, EPOLL_CTL_ADD, EPOLLIN);
    printf("listening on %ld\n", port);
    fflush(stdout);

    static unsigned char buf[READ_BUF];
    struct epoll_event evs[256];
    while (!stop) {
        int n = epoll_wait(epfd, evs, 256, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("echo-epoll: epoll_wait");
            return 1;
        }
        for (int e = 0; e < n; e++) {
            int fd = evs[e].data.fd;
            if (fd == lfd) {
                for (;;) {
                    int cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
                    if (cfd < 0) break;
                    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conn_of(cfd);
                    watch(cfd, EPOLL_CTL_ADD, EPOLLIN);
                }
                continue;
            }
            struct conn *c = conn_of(fd);
            if (c->len > c->off) { /* waiting for EPOLLOUT */
                if (!(evs[e].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) continue;
                size_t rest = c->len - c->off;
                ssize_t w = send(fd, c->pending + c->off, rest, MSG_NOSIGNAL);
                if (w < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                if (w <= 0) { close_conn(fd); continue; }
                c->off += (size_t)w;
                if (c->off == c->len) {
                    c->off = c->len = 0;
                    watch(fd, EPOLL_CTL_MOD, EPOLLIN);
                }
                continue;
            }
            ssize_t r = recv(fd, buf, sizeof buf, 0);
            if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (r <= 0) { close_conn(fd); continue; }
            if (write_or_keep(fd, buf, (size_t)r) != 0) close_conn(fd);
        }
    }
    return 0;
}
