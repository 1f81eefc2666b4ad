/*
 * udp-echo-client: a native closed-loop load client for UDP echo servers (bench/compare.sh --only udp).
 *
 *   udp-echo-client --port N [--host 127.0.0.1] [--sockets 16] [--inflight 4] [--size 64]
 *                   [--warmup 1] [--duration 3] [--loss-timeout-ms 100] [--unconnected] [--server-pid PID]
 *
 * One thread, epoll (level triggered), --sockets non-blocking UDP sockets, each connected to the server
 * (--unconnected: sendto/recvfrom with the server's address, every echo's sender checked). Each socket
 * keeps --inflight datagrams of --size bytes in flight in as many slots: every echo is checked byte for
 * byte and its slot immediately sends the next datagram (closed loop). Datagrams are received with
 * recvmmsg (up to 64 per call) and a socket's replies go out with one sendmmsg.
 *
 * A datagram carries, native-endian, its sequence number (u64, per socket, increasing), its send time
 * (u64, CLOCK_MONOTONIC ns), the socket index (u32) and the slot index (u32), then a slice of a
 * pseudo-random pattern chosen by (sequence, socket), so --size is at least 24. An echo of another
 * length, with other bytes, for another socket or from another sender ends the run with a message on
 * stderr and exit status 1; bad arguments exit with status 2.
 *
 * Losses: a datagram not echoed within --loss-timeout-ms is counted lost and its slot sends a new one
 * (new sequence number), so the loop never stalls; an echo that arrives after that (or twice) is
 * counted late and ignored. errors counts failed sends and receives (e.g. ECONNREFUSED after an ICMP
 * port-unreachable while the server is not there); the datagrams concerned time out as losses.
 *
 * Latency of a datagram: from just before the sendmmsg that carries it to the return of the recvmmsg
 * that received its echo, recorded in nanoseconds into a log-linear histogram (as echo-client.c: 64
 * linear sub-buckets per power of two, about 1.6% precision). After --warmup seconds the counters are
 * reset and --duration seconds are measured; then one line is printed on stdout:
 *
 *   req_per_s=... p50_us=... p99_us=... p999_us=... lost=... late=... errors=... requests=...
 *   duration_s=... client_cpu_s=... server_cpu_s=... sockets=... inflight=... size=... connected=1
 *
 * (one line). req_per_s is datagrams echoed per second; server_cpu_s is utime+stime of --server-pid
 * over the measurement window (-1 without it); client_cpu_s is this process's CPU time over the same
 * window (near duration_s: the client saturated).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define PATTERN_SLACK 256 /* payloads start at one of 256 offsets into the pattern */
#define HEADER 24         /* sizeof(struct header): u64 seq, u64 sent_ns, u32 socket, u32 slot */
#define RECV_BATCH 64     /* datagrams per recvmmsg */
#define MAX_PAYLOAD 65507 /* largest UDP payload over IPv4 */

/* ------------------------------------------------------------------ histogram (as echo-client.c) */
#define SUB_BITS 6
#define SUB_HALF (1 << SUB_BITS)       /* 64 */
#define SUB_COUNT (2 * SUB_HALF)       /* values below 128 ns are exact */
#define HIST_BUCKETS (SUB_HALF * 64 + SUB_COUNT)

static uint64_t hist[HIST_BUCKETS];
static uint64_t hist_total;

static int hist_index(uint64_t v) {
    if (v < SUB_COUNT) return (int)v;
    int msb = 63 - __builtin_clzll(v);
    int e = msb - SUB_BITS;              /* >= 1; v >> e lies in [64, 128) */
    return e * SUB_HALF + (int)(v >> e);
}

static uint64_t hist_highest(int idx) { /* highest value that lands in bucket idx */
    if (idx < SUB_COUNT) return (uint64_t)idx;
    int e = idx / SUB_HALF - 1;
    uint64_t m = (uint64_t)(idx - e * SUB_HALF);
    return ((m + 1) << e) - 1;
}

static void hist_record(uint64_t ns) {
    hist[hist_index(ns)]++;
    hist_total++;
}

static double hist_percentile_us(double p) {
    if (hist_total == 0) return 0;
    uint64_t want = (uint64_t)((p / 100.0) * (double)hist_total + 0.999999);
    if (want < 1) want = 1;
    uint64_t seen = 0;
    for (int i = 0; i < HIST_BUCKETS; i++) {
        seen += hist[i];
        if (seen >= want) return (double)hist_highest(i) / 1000.0;
    }
    return (double)hist_highest(HIST_BUCKETS - 1) / 1000.0;
}

/* ------------------------------------------------------------------ sockets and slots */
struct slot {
    uint64_t seq;     /* sequence number of the datagram in flight */
    uint64_t sent_ns; /* when it was handed to sendmmsg */
};

struct sock {
    int fd;
    uint32_t id;
    uint64_t next_seq;     /* next sequence number to send */
    struct slot *slots;    /* --inflight slots, each always has one datagram in flight */
    unsigned char *tx;     /* slot k's datagram at tx + k * size */
    uint32_t *pending;     /* slots to send with the next sendmmsg */
    unsigned npending;
};

struct header {
    uint64_t seq;
    uint64_t sent_ns;
    uint32_t sock;
    uint32_t slot;
};
_Static_assert(sizeof(struct header) == HEADER, "the header is 24 bytes");

static size_t msg_size;
static unsigned inflight;
static int connected = 1;
static struct sockaddr_in server;
static unsigned char *pattern;
static struct mmsghdr *tx_msgs; /* one per slot of a socket: sendmmsg batch */
static struct iovec *tx_iov;
static int measuring;
static uint64_t requests, lost, late, errors;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("udp-echo-client: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static inline const unsigned char *payload_base(uint32_t sock, uint64_t seq) {
    return pattern + ((seq * 7u + sock * 13u) % PATTERN_SLACK);
}

/* Gives slot k of s a new datagram (next sequence number) and queues it for the next sendmmsg. */
static void refill(struct sock *s, uint32_t k) {
    unsigned char *d = s->tx + (size_t)k * msg_size;
    struct header h = {.seq = s->next_seq++, .sent_ns = 0, .sock = s->id, .slot = k};
    memcpy(d, &h, sizeof h);
    memcpy(d + HEADER, payload_base(s->id, h.seq) + HEADER, msg_size - HEADER);
    s->slots[k].seq = h.seq;
    s->pending[s->npending++] = k;
}

/* Stamps the pending datagrams of s with the send time and sends them with one sendmmsg. A datagram the
 * kernel did not take counts as an error and stays in flight: it times out as a loss. */
static void flush(struct sock *s) {
    if (s->npending == 0) return;
    uint64_t t = now_ns();
    for (unsigned i = 0; i < s->npending; i++) {
        uint32_t k = s->pending[i];
        unsigned char *d = s->tx + (size_t)k * msg_size;
        memcpy(d + offsetof(struct header, sent_ns), &t, sizeof t);
        s->slots[k].sent_ns = t;
        tx_iov[i].iov_base = d;
        tx_iov[i].iov_len = msg_size;
        memset(&tx_msgs[i].msg_hdr, 0, sizeof tx_msgs[i].msg_hdr);
        tx_msgs[i].msg_hdr.msg_iov = &tx_iov[i];
        tx_msgs[i].msg_hdr.msg_iovlen = 1;
        if (!connected) {
            tx_msgs[i].msg_hdr.msg_name = &server;
            tx_msgs[i].msg_hdr.msg_namelen = sizeof server;
        }
    }
    unsigned done = 0;
    while (done < s->npending) {
        int n = sendmmsg(s->fd, tx_msgs + done, s->npending - done, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            errors += s->npending - done; /* EAGAIN (send buffer full), ECONNREFUSED: they time out */
            break;
        }
        done += (unsigned)n;
    }
    s->npending = 0;
}

/* Checks echo e (len bytes, from sender) received on socket s; on a match records its latency and refills its slot. */
static void on_echo(struct sock *s, const unsigned char *e, size_t len, int flags, const struct sockaddr_in *from,
                    uint64_t tr) {
    if (len != msg_size || (flags & MSG_TRUNC))
        die("socket %u received a datagram of %zu bytes%s, expected %zu", s->id, len,
            (flags & MSG_TRUNC) ? " (truncated)" : "", msg_size);
    if (!connected && (from->sin_addr.s_addr != server.sin_addr.s_addr || from->sin_port != server.sin_port))
        die("socket %u received a datagram from %s:%u, not from the server", s->id, inet_ntoa(from->sin_addr),
            ntohs(from->sin_port));
    struct header h;
    memcpy(&h, e, sizeof h);
    if (h.sock != s->id || h.slot >= inflight)
        die("socket %u received an echo tagged socket %u slot %u (corrupted or misdelivered)", s->id, h.sock, h.slot);
    struct slot *sl = &s->slots[h.slot];
    if (h.seq != sl->seq) {
        if (h.seq > sl->seq) die("socket %u slot %u received sequence %llu, newer than the one sent (%llu)", s->id,
                                 h.slot, (unsigned long long)h.seq, (unsigned long long)sl->seq);
        if (measuring) late++; /* declared lost before, or echoed twice */
        return;
    }
    if (h.sent_ns != sl->sent_ns)
        die("socket %u slot %u sequence %llu: send time corrupted", s->id, h.slot, (unsigned long long)h.seq);
    const unsigned char *want = payload_base(s->id, h.seq) + HEADER;
    if (memcmp(e + HEADER, want, msg_size - HEADER) != 0) {
        for (size_t i = HEADER; i < msg_size; i++)
            if (e[i] != want[i - HEADER])
                die("mismatch on socket %u, sequence %llu, byte %zu: got 0x%02x, want 0x%02x", s->id,
                    (unsigned long long)h.seq, i, e[i], want[i - HEADER]);
    }
    if (measuring) {
        hist_record(tr - sl->sent_ns);
        requests++;
    }
    refill(s, h.slot);
}

/* Receives what socket s has (recvmmsg, again while batches come back full), checks every echo, then sends
 * the refilled slots with one sendmmsg. */
static void receive(struct sock *s, struct mmsghdr *rx, struct iovec *iov, struct sockaddr_in *names,
                    unsigned char *rbuf) {
    for (;;) {
        for (int i = 0; i < RECV_BATCH; i++) {
            iov[i].iov_base = rbuf + (size_t)i * (msg_size + 1);
            iov[i].iov_len = msg_size + 1; /* one byte more: a longer echo shows */
            memset(&rx[i].msg_hdr, 0, sizeof rx[i].msg_hdr);
            rx[i].msg_hdr.msg_iov = &iov[i];
            rx[i].msg_hdr.msg_iovlen = 1;
            rx[i].msg_hdr.msg_name = &names[i];
            rx[i].msg_hdr.msg_namelen = sizeof names[i];
        }
        int n = recvmmsg(s->fd, rx, RECV_BATCH, MSG_DONTWAIT, NULL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
            errors++; /* ECONNREFUSED (ICMP port unreachable) and the like: the datagrams time out */
            break;
        }
        uint64_t tr = now_ns();
        for (int i = 0; i < n; i++)
            on_echo(s, iov[i].iov_base, rx[i].msg_len, rx[i].msg_hdr.msg_flags, &names[i], tr);
        if (n < RECV_BATCH) break;
    }
    flush(s);
}

/* Every slot whose datagram is older than timeout_ns counts a loss and sends a new datagram. */
static void expire(struct sock *socks, long nsocks, uint64_t now, uint64_t timeout_ns) {
    for (long i = 0; i < nsocks; i++) {
        struct sock *s = &socks[i];
        for (uint32_t k = 0; k < inflight; k++) {
            if (now - s->slots[k].sent_ns > timeout_ns) {
                if (measuring) lost++;
                refill(s, k);
            }
        }
        flush(s);
    }
}

/* ------------------------------------------------------------------ arguments */
static long parse_long(const char *name, const char *v, long min, long max) {
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end) {
        fprintf(stderr, "udp-echo-client: %s must be an integer, got '%s'\n", name, v);
        exit(2);
    }
    if (x < min || x > max) {
        fprintf(stderr, "udp-echo-client: %s must be between %ld and %ld, got %ld\n", name, min, max, x);
        exit(2);
    }
    return x;
}

static void usage(FILE *f) {
    fputs("usage: udp-echo-client --port N [--host IPV4] [--sockets N] [--inflight N] [--size BYTES]\n"
          "                       [--warmup SECONDS] [--duration SECONDS] [--loss-timeout-ms MS]\n"
          "                       [--unconnected] [--server-pid PID]\n"
          "defaults: --host 127.0.0.1 --sockets 16 --inflight 4 --size 64 --warmup 1 --duration 3\n"
          "          --loss-timeout-ms 100, connected sockets\n",
          f);
}

static double proc_cpu_s(long pid) { /* utime+stime of pid in seconds, -1 when unreadable */
    if (pid <= 0) return -1;
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    unsigned long long ut = 0, st = 0;
    /* after ") ": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2) return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1";
    long port = -1, nsocks = 16, depth = 4, size = 64, warmup = 1, duration = 3, timeout_ms = 100, server_pid = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return 0; }
        if (!strcmp(a, "--unconnected")) { connected = 0; continue; }
        if (i + 1 >= argc) {
            fprintf(stderr, "udp-echo-client: %s needs a value\n", a);
            usage(stderr);
            return 2;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--host")) host = v;
        else if (!strcmp(a, "--port")) port = parse_long(a, v, 1, 65535);
        else if (!strcmp(a, "--sockets")) nsocks = parse_long(a, v, 1, 10000);
        else if (!strcmp(a, "--inflight")) depth = parse_long(a, v, 1, 1024);
        else if (!strcmp(a, "--size")) size = parse_long(a, v, HEADER, MAX_PAYLOAD);
        else if (!strcmp(a, "--warmup")) warmup = parse_long(a, v, 0, 3600);
        else if (!strcmp(a, "--duration")) duration = parse_long(a, v, 1, 3600);
        else if (!strcmp(a, "--loss-timeout-ms")) timeout_ms = parse_long(a, v, 1, 60000);
        else if (!strcmp(a, "--server-pid")) server_pid = parse_long(a, v, 1, INT_MAX);
        else {
            fprintf(stderr, "udp-echo-client: unknown argument %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (port < 0) {
        fputs("udp-echo-client: --port is required\n", stderr);
        usage(stderr);
        return 2;
    }
    server.sin_family = AF_INET;
    server.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &server.sin_addr) != 1) {
        fprintf(stderr, "udp-echo-client: --host must be an IPv4 address, got '%s'\n", host);
        return 2;
    }
    msg_size = (size_t)size;
    inflight = (unsigned)depth;

    pattern = malloc(msg_size + PATTERN_SLACK);
    if (!pattern) die("out of memory");
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < msg_size + PATTERN_SLACK; i++) { /* xorshift64 */
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        pattern[i] = (unsigned char)(x >> 32);
    }
    struct sock *socks = calloc((size_t)nsocks, sizeof *socks);
    tx_msgs = calloc(inflight, sizeof *tx_msgs);
    tx_iov = calloc(inflight, sizeof *tx_iov);
    struct mmsghdr *rx = calloc(RECV_BATCH, sizeof *rx);
    struct iovec *rx_iov = calloc(RECV_BATCH, sizeof *rx_iov);
    struct sockaddr_in *names = calloc(RECV_BATCH, sizeof *names);
    unsigned char *rbuf = malloc((size_t)RECV_BATCH * (msg_size + 1));
    if (!socks || !tx_msgs || !tx_iov || !rx || !rx_iov || !names || !rbuf) die("out of memory");
    int epfd = epoll_create1(0);
    if (epfd < 0) die("epoll_create1: %s", strerror(errno));

    for (long i = 0; i < nsocks; i++) {
        struct sock *s = &socks[i];
        s->id = (uint32_t)i;
        s->slots = calloc(inflight, sizeof *s->slots);
        s->tx = malloc((size_t)inflight * msg_size);
        s->pending = calloc(inflight, sizeof *s->pending);
        if (!s->slots || !s->tx || !s->pending) die("out of memory");
        s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        if (s->fd < 0) die("socket: %s", strerror(errno));
        int buf = 1 << 20;
        setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
        setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
        if (connected && connect(s->fd, (struct sockaddr *)&server, sizeof server) != 0)
            die("connect %s:%ld (socket %ld of %ld): %s", host, port, i + 1, nsocks, strerror(errno));
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = s->id};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev) != 0) die("epoll_ctl: %s", strerror(errno));
    }

    uint64_t t = now_ns();
    uint64_t measure_at = t + (uint64_t)warmup * 1000000000u;
    uint64_t end_at = measure_at + (uint64_t)duration * 1000000000u;
    uint64_t timeout_ns = (uint64_t)timeout_ms * 1000000u, next_expiry = t + timeout_ns / 4;
    for (long i = 0; i < nsocks; i++) {
        for (uint32_t k = 0; k < inflight; k++) refill(&socks[i], k);
        flush(&socks[i]);
    }

    measuring = warmup == 0;
    uint64_t t_start = t;
    double srv0 = measuring ? proc_cpu_s(server_pid) : -1, cli0 = self_cpu_s();
    struct epoll_event evs[512];
    for (;;) {
        int n = epoll_wait(epfd, evs, 512, 5);
        if (n < 0 && errno != EINTR) die("epoll_wait: %s", strerror(errno));
        t = now_ns();
        if (!measuring && t >= measure_at) {
            measuring = 1;
            memset(hist, 0, sizeof hist);
            hist_total = 0;
            requests = lost = late = errors = 0;
            t_start = t;
            srv0 = proc_cpu_s(server_pid);
            cli0 = self_cpu_s();
        }
        if (t >= end_at) break;
        for (int e = 0; e < n; e++) receive(&socks[evs[e].data.u32], rx, rx_iov, names, rbuf);
        if (t >= next_expiry) { /* a quarter of the timeout: a loss is noticed within 1.25 timeouts */
            expire(socks, nsocks, t, timeout_ns);
            next_expiry = t + timeout_ns / 4;
        }
    }
    double secs = (double)(t - t_start) / 1e9;
    double srv1 = proc_cpu_s(server_pid), cli1 = self_cpu_s();
    double srv = (srv0 < 0 || srv1 < 0) ? -1 : srv1 - srv0;
    printf("req_per_s=%.1f p50_us=%.1f p99_us=%.1f p999_us=%.1f lost=%llu late=%llu errors=%llu requests=%llu "
           "duration_s=%.3f client_cpu_s=%.3f server_cpu_s=%.3f sockets=%ld inflight=%ld size=%ld connected=%d\n",
           requests / secs, hist_percentile_us(50), hist_percentile_us(99), hist_percentile_us(99.9),
           (unsigned long long)lost, (unsigned long long)late, (unsigned long long)errors,
           (unsigned long long)requests, secs, cli1 - cli0, srv, nsocks, depth, size, connected);
    return 0;
}
