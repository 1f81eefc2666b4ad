/*
 * echo-uring: a minimal liburing echo server, a native reference row in bench/compare.sh.
 *
 *   echo-uring --port N
 *
 * One thread, one ring (SINGLE_ISSUER + DEFER_TASKRUN when the kernel has them). A multishot accept on
 * the listening socket; a multishot recv per connection that picks buffers from a provided buffer ring;
 * every received buffer is sent back as it is (no copy) and returned to the ring when its send completed.
 * A connection has at most one send in flight (two sends in flight on one stream socket may complete out
 * of order); further received buffers wait in a per-connection FIFO, linked through the buffer ids. A short
 * send is resubmitted for the rest. When the ring runs out of buffers the multishot recv ends (-ENOBUFS)
 * and is re-armed once buffers came back (checked after each batch of completions). One
 * io_uring_submit_and_wait per loop iteration.
 * Prints "listening on PORT" once ready; exits 0 on SIGTERM or SIGINT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_COUNT 4096 /* power of two */
#define BUF_SIZE 8192
#define BGID 0
#define NO_BUF 0xffff

enum { OP_ACCEPT = 1, OP_RECV = 2, OP_SEND = 3 };

static inline unsigned long long ud(int op, int fd) { return ((unsigned long long)op << 32) | (unsigned)fd; }

struct conn {
    int open;           /* fd is open */
    int recv_armed;     /* a multishot recv is active */
    int send_busy;      /* a send of `head` is in flight */
    int waiting_buf;    /* its recv ended for lack of buffers: re-arm when one comes back */
    int closing;        /* the peer closed or an error happened: close once nothing is in flight */
    unsigned short head, tail; /* FIFO of received buffers to send, linked through next_bid */
    unsigned sent;      /* bytes of `head` already sent */
};

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static struct io_uring ring;
static struct io_uring_buf_ring *br;
static unsigned char *bufs;
static unsigned short next_bid[BUF_COUNT];
static unsigned buf_len[BUF_COUNT];
static struct conn *conns;
static int nconns;
static int *starved; /* connections waiting for a buffer */
static int nstarved;
static int recycled; /* a buffer went back to the ring in this loop iteration */

static struct io_uring_sqe *sqe_get(void) {
    struct io_uring_sqe *s = io_uring_get_sqe(&ring);
    if (!s) {
        io_uring_submit(&ring);
        s = io_uring_get_sqe(&ring);
        if (!s) { fputs("echo-uring: submission queue full\n", stderr); exit(1); }
    }
    return s;
}

static struct conn *conn_of(int fd) {
    if (fd >= nconns) {
        int n = nconns ? nconns : 1024;
        while (n <= fd) n *= 2;
        conns = realloc(conns, (size_t)n * sizeof *conns);
        starved = realloc(starved, (size_t)n * sizeof *starved);
        if (!conns || !starved) { perror("echo-uring: realloc"); exit(1); }
        memset(conns + nconns, 0, (size_t)(n - nconns) * sizeof *conns);
        nconns = n;
    }
    return &conns[fd];
}

static void recycle(unsigned short bid) {
    io_uring_buf_ring_add(br, bufs + (size_t)bid * BUF_SIZE, BUF_SIZE, bid, io_uring_buf_ring_mask(BUF_COUNT), 0);
    io_uring_buf_ring_advance(br, 1);
    recycled = 1;
}


static void arm_recv(int fd) {
    struct io_uring_sqe *s = sqe_get();
    io_uring_prep_recv_multishot(s, fd, NULL, 0, 0);
    s->flags |= IOSQE_BUFFER_SELECT;
    s->buf_group = BGID;
    io_uring_sqe_set_data64(s, ud(OP_RECV, fd));
    conns[fd].recv_armed = 1;
}

static void rearm_starved(void) {
    while (nstarved > 0) {
        int fd = starved[--nstarved];
        struct conn *c = &conns[fd];
        if (c->open && !c->closing && c->waiting_buf && !c->recv_armed) { c->waiting_buf = 0; arm_recv(fd); }
    }
    recycled = 0;
}

static void send_head(int fd) {
    struct conn *c = &conns[fd];
    unsigned short bid = c->head;
    struct io_uring_sqe *s = sqe_get();
    io_uring_prep_send(s, fd, bufs + (size_t)bid * BUF_SIZE + c->sent, buf_len[bid] - c->sent, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(s, ud(OP_SEND, fd));
    c->send_busy = 1;
}

/* Closes a closing fd once nothing is in flight on it; returns its queued buffers to the ring. */
static void maybe_close(int fd) {
    struct conn *c = &conns[fd];
    if (!c->open || !c->closing || c->recv_armed || c->send_busy) return;
    while (c->head != NO_BUF) {
        unsigned short b = c->head;
        c->head = next_bid[b];
        recycle(b);
    }
    close(fd);
    memset(c, 0, sizeof *c);
}

static void fail_conn(int fd) { /* stop sending; the recv ends by itself once the fd is shut down */
    struct conn *c = &conns[fd];
    c->closing = 1;
    shutdown(fd, SHUT_RDWR);
    while (!c->send_busy && c->head != NO_BUF) {
        unsigned short b = c->head;
        c->head = next_bid[b];
        recycle(b);
    }
    maybe_close(fd);
}

static void on_recv(int fd, int res, unsigned flags) {
    struct conn *c = &conns[fd];
    if (!(flags & IORING_CQE_F_MORE)) c->recv_armed = 0;
    if (res > 0) {
        unsigned short bid = (unsigned short)(flags >> IORING_CQE_BUFFER_SHIFT);
        buf_len[bid] = (unsigned)res;
        next_bid[bid] = NO_BUF;
        if (c->head == NO_BUF) c->head = bid;
        else next_bid[c->tail] = bid;
        c->tail = bid;
        if (!c->send_busy) { c->sent = 0; send_head(fd); }
        if (!c->recv_armed) arm_recv(fd); /* the multishot ended for another reason: keep reading */
        return;
    }
    if (res == -ENOBUFS) {
        if (c->closing) { maybe_close(fd); return; }
        c->waiting_buf = 1;
        starved[nstarved++] = fd;
        return;
    }
    /* 0: the peer closed; < 0: an error */
    if (c->recv_armed) return; /* a non-final error CQE; the final one follows */
    c->closing = 1;
    if (res < 0) fail_conn(fd);
    else if (c->head == NO_BUF) maybe_close(fd);
    else fail_conn(fd); /* the peer will not read the rest either */
}

static void on_send(int fd, int res) {
    struct conn *c = &conns[fd];
    c->send_busy = 0;
    unsigned short bid = c->head;
    if (res < 0) {
        c->head = next_bid[bid];
        recycle(bid);
        fail_conn(fd);
        return;
    }
    c->sent += (unsigned)res;
    if (c->sent < buf_len[bid]) { send_head(fd); return; }
    c->head = next_bid[bid];
    c->sent = 0;
    recycle(bid);
    if (c->head != NO_BUF) send_head(fd);
    else maybe_close(fd); /* only when closing */
}

int main(int argc, char **argv) {
    long port = -1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc) {
            char *end;
            port = strtol(argv[++i], &end, 10);
            if (*end || port < 1 || port > 65535) {
                fprintf(stderr, "echo-uring: --port must be 1..65535, got '%s'\n", argv[i]);
                return 2;
            }
        } else {
            fprintf(stderr, "echo-uring: unknown argument %s\nusage: echo-uring --port N\n", argv[i]);
            return 2;
        }
    }
    if (port < 0) { fputs("usage: echo-uring --port N\n", stderr); return 2; }

    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: the wait returns -EINTR */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    struct io_uring_params p = {.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN};
    int rc = io_uring_queue_init_params(2048, &ring, &p);
    if (rc == -EINVAL) {
        memset(&p, 0, sizeof p);
        p.flags = IORING_SETUP_COOP_TASKRUN;
        rc = io_uring_queue_init_params(2048, &ring, &p);
    }
    if (rc < 0) { fprintf(stderr, "echo-uring: io_uring_queue_init: %s\n", strerror(-rc)); return 1; }

    size_t ring_bytes = BUF_COUNT * sizeof(struct io_uring_buf);
    br = mmap(NULL, ring_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    bufs = malloc((size_t)BUF_COUNT * BUF_SIZE);
    if (br == MAP_FAILED || !bufs) { fputs("echo-uring: out of memory\n", stderr); return 1; }
    io_uring_buf_ring_init(br);
    struct io_uring_buf_reg reg = {.ring_addr = (unsigned long)br, .ring_entries = BUF_COUNT, .bgid = BGID};
    rc = io_uring_register_buf_ring(&ring, &reg, 0);
    if (rc < 0) { fprintf(stderr, "echo-uring: io_uring_register_buf_ring: %s\n", strerror(-rc)); return 1; }
    for (unsigned short b = 0; b < BUF_COUNT; b++)
        io_uring_buf_ring_add(br, bufs + (size_t)b * BUF_SIZE, BUF_SIZE, b, io_uring_buf_ring_mask(BUF_COUNT), b);
    io_uring_buf_ring_advance(br, BUF_COUNT);

    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(lfd, 4096) != 0) {
        fprintf(stderr, "echo-uring: cannot listen on 127.0.0.1:%ld: %s\n", port, strerror(errno));
        return 1;
    }
    struct io_uring_sqe *s = sqe_get();
    io_uring_prep_multishot_accept(s, lfd, NULL, NULL, 0);
    io_uring_sqe_set_data64(s, ud(OP_ACCEPT, lfd));
    printf("listening on %ld\n", port);
    fflush(stdout);

    while (!stop) {
        rc = io_uring_submit_and_wait(&ring, 1);
        if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
            fprintf(stderr, "echo-uring: io_uring_submit_and_wait: %s\n", strerror(-rc));
            return 1;
        }
        struct io_uring_cqe *cqe;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            seen++;
            unsigned long long d = io_uring_cqe_get_data64(cqe);
            int op = (int)(d >> 32), fd = (int)(d & 0xffffffffu);
            if (op == OP_ACCEPT) {
                if (cqe->res >= 0) {
                    int cfd = cqe->res;
                    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct conn *c = conn_of(cfd);
                    memset(c, 0, sizeof *c);
                    c->open = 1;
                    c->head = c->tail = NO_BUF;
                    arm_recv(cfd);
                }
                if (!(cqe->flags & IORING_CQE_F_MORE)) {
                    s = sqe_get();
                    io_uring_prep_multishot_accept(s, lfd, NULL, NULL, 0);
                    io_uring_sqe_set_data64(s, ud(OP_ACCEPT, lfd));
                }
            } else if (op == OP_RECV) {
                on_recv(fd, cqe->res, cqe->flags);
            } else if (op == OP_SEND) {
                on_send(fd, cqe->res);
            }
        }
        io_uring_cq_advance(&ring, seen);
        if (recycled && nstarved > 0) rearm_starved(); /* buffers are back: starved connections read again */
    }
    return 0;
}
