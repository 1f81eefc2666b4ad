/*
 * echo-client: a native closed-loop load client for echo servers (bench/compare.sh).
 *
 *   echo-client --port N [--host 127.0.0.1] [--connections 64] [--size 64] [--pipeline 1]
 *               [--warmup 1] [--duration 3] [--server-pid PID] [--tls [--tls-version 1.2|1.3]]
 *
 * One thread, epoll (level triggered), many non-blocking TCP connections (TCP_NODELAY). Each connection
 * keeps --pipeline requests of --size bytes in flight: every complete echo is checked byte for byte and
 * answered by the next request (closed loop). Request number s on connection c carries s in its first
 * bytes and then a slice of a pseudo-random pattern chosen by (s, c), so a lost, duplicated, reordered or
 * corrupted byte is a mismatch. A mismatch, a short read (EOF with a request outstanding) or a socket
 * error ends the run with a message on stderr and exit status 1; bad arguments exit with status 2.
 *
 * Latency of a request: from the moment it is queued for sending to the read that completes its echo,
 * recorded in nanoseconds into a log-linear histogram (HdrHistogram-style: 64 linear sub-buckets per
 * power of two, about 1.6% precision, fixed memory). After --warmup seconds the counters are reset and
 * --duration seconds are measured; then one line is printed on stdout:
 *
 *   req_per_s=... p50_us=... p99_us=... p999_us=... errors=0 requests=... duration_s=...
 *   client_cpu_s=... server_cpu_s=... connections=... size=... pipeline=...
 *
 * (one line). server_cpu_s is utime+stime of --server-pid over the measurement window (-1 without it);
 * client_cpu_s is this process's CPU time over the same window (near duration_s: the client saturated).
 *
 * --tls: every connection speaks TLS (OpenSSL 3, no certificate verification, no SNI) and completes its
 * handshake, blocking, before the warm-up starts; then the same event loop drives non-blocking
 * SSL_read/SSL_write (read-ahead on, partial writes). --tls-version pins the protocol (default: the
 * highest both sides support, TLS 1.3). The line then ends with tls=<protocol> cipher=<suite> of the
 * first connection. Without --tls nothing of OpenSSL runs.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PATTERN_SLACK 256 /* request payloads start at one of 256 offsets into the pattern */
#define READ_BUF (256 * 1024)

/* ------------------------------------------------------------------ histogram */
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

/* ------------------------------------------------------------------ connections */
struct conn {
    int fd;
    uint32_t id;
    uint64_t tx_seq;     /* next request number to queue */
    uint64_t rx_seq;     /* request whose echo is being received */
    size_t rx_off;       /* bytes of request rx_seq received so far */
    unsigned char *tx;   /* queued, unsent bytes: tx[tx_off, tx_len) */
    size_t tx_off, tx_len;
    uint64_t *sent_ns;   /* ring of --pipeline send times, indexed by seq % pipeline */
    int want_out;        /* EPOLLOUT registered */
    SSL *ssl;            /* --tls: the connection's TLS state, else NULL */
    int read_wants_write; /* --tls: SSL_read needs the socket writable before it can go on */
};

static size_t msg_size;
static unsigned pipeline_depth;
static unsigned char *pattern;
static int epfd;
static SSL_CTX *tls_ctx; /* --tls, else NULL */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("echo-client: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* Expected byte at offset off of request seq on connection id: the request number little-endian in the
 * first min(8, size) bytes, then the pattern from an offset that depends on (seq, id). */
static inline const unsigned char *payload_base(uint32_t id, uint64_t seq) {
    return pattern + ((seq * 7u + id * 13u) % PATTERN_SLACK);
}

static void fill_request(const struct conn *c, uint64_t seq, unsigned char *dst) {
    memcpy(dst, payload_base(c->id, seq), msg_size);
    size_t h = msg_size < 8 ? msg_size : 8;
    for (size_t i = 0; i < h; i++) dst[i] = (unsigned char)(seq >> (8 * i));
}

static void check_bytes(struct conn *c, const unsigned char *got, size_t n) {
    size_t off = c->rx_off;
    const unsigned char *want = payload_base(c->id, c->rx_seq);
    size_t h = msg_size < 8 ? msg_size : 8;
    size_t i = 0;
    for (; i < n && off + i < h; i++) {
        unsigned char w = (unsigned char)(c->rx_seq >> (8 * (off + i)));
        if (got[i] != w)
            die("mismatch on connection %u, request %llu, byte %zu: got 0x%02x, want 0x%02x", c->id,
                (unsigned long long)c->rx_seq, off + i, got[i], w);
    }
    if (i < n && memcmp(got + i, want + off + i, n - i) != 0) {
        for (; i < n; i++)
            if (got[i] != want[off + i])
                die("mismatch on connection %u, request %llu, byte %zu: got 0x%02x, want 0x%02x", c->id,
                    (unsigned long long)c->rx_seq, off + i, got[i], want[off + i]);
    }
}

static void set_out_interest(struct conn *c, int on) {
    if (c->want_out == on) return;
    struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.u32 = c->id};
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0) die("epoll_ctl: %s", strerror(errno));
    c->want_out = on;
}

static void die_tls(const struct conn *c, const char *op, int ret) __attribute__((noreturn));
static void die_tls(const struct conn *c, const char *op, int ret) {
    int err = SSL_get_error(c->ssl, ret);
    unsigned long e = ERR_get_error();
    char why[256];
    if (e) ERR_error_string_n(e, why, sizeof why);
    else snprintf(why, sizeof why, "SSL_get_error %d%s%s", err, errno ? ", " : "", errno ? strerror(errno) : "");
    die("%s on connection %u: %s", op, c->id, why);
}

/* --tls: writes tx[tx_off, tx_len) through SSL_write. A write cut short by a full socket (WANT_WRITE)
 * is retried, as OpenSSL requires, with the same bytes first (they may have moved: MOVING_WRITE_BUFFER). */
static void flush_tls(struct conn *c) {
    while (c->tx_off < c->tx_len) {
        int w = SSL_write(c->ssl, c->tx + c->tx_off, (int)(c->tx_len - c->tx_off));
        if (w > 0) { c->tx_off += (size_t)w; continue; }
        if (SSL_get_error(c->ssl, w) == SSL_ERROR_WANT_WRITE) { set_out_interest(c, 1); return; }
        die_tls(c, "SSL_write", w);
    }
    c->tx_off = c->tx_len = 0;
    set_out_interest(c, 0);
}

static void flush(struct conn *c) {
    if (tls_ctx) { flush_tls(c); return; }
    while (c->tx_off < c->tx_len) {
        ssize_t w = send(c->fd, c->tx + c->tx_off, c->tx_len - c->tx_off, MSG_NOSIGNAL);
        if (w > 0) { c->tx_off += (size_t)w; continue; }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) { set_out_interest(c, 1); return; }
        die("send on connection %u: %s", c->id, w == 0 ? "wrote 0 bytes" : strerror(errno));
    }
    c->tx_off = c->tx_len = 0;
    set_out_interest(c, 0);
}

static void queue_request(struct conn *c, uint64_t t) {
    if (c->tx_off == c->tx_len) c->tx_off = c->tx_len = 0;
    /* at most pipeline_depth requests are ever queued, and the buffer holds that many */
    if (c->tx_len + msg_size > (size_t)pipeline_depth * msg_size) {
        memmove(c->tx, c->tx + c->tx_off, c->tx_len - c->tx_off);
        c->tx_len -= c->tx_off;
        c->tx_off = 0;
    }
    fill_request(c, c->tx_seq, c->tx + c->tx_len);
    c->tx_len += msg_size;
    c->sent_ns[c->tx_seq % pipeline_depth] = t;
    c->tx_seq++;
}

/* Checks len received bytes of connection c, records the latency of every request they complete (when
 * measuring) and returns how many they completed. Inlined: the plaintext loop stays as it was. */
static inline __attribute__((always_inline)) int consume(struct conn *c, const unsigned char *buf, size_t len,
                                                         uint64_t tr, int measuring) {
    size_t pos = 0;
    int completed = 0;
    while (pos < len) {
        if (c->rx_seq >= c->tx_seq)
            die("connection %u received %zu bytes more than it sent", c->id, len - pos);
        size_t take = msg_size - c->rx_off;
        if (take > len - pos) take = len - pos;
        check_bytes(c, buf + pos, take);
        pos += take;
        c->rx_off += take;
        if (c->rx_off == msg_size) {
            if (measuring) hist_record(tr - c->sent_ns[c->rx_seq % pipeline_depth]);
            c->rx_seq++;
            c->rx_off = 0;
            completed++;
        }
    }
    return completed;
}

static void die_short_read(const struct conn *c) __attribute__((noreturn));
static void die_short_read(const struct conn *c) {
    die("short read: connection %u closed by the server with request %llu at byte %zu of %zu outstanding",
        c->id, (unsigned long long)c->rx_seq, c->rx_off, msg_size);
}

/* --tls: reads and consumes the plaintext OpenSSL can deliver now. One SSL_read per record; it stops when
 * OpenSSL holds no more bytes (SSL_has_pending: neither decrypted nor read-ahead), so the level-triggered
 * epoll reports the rest, or when the socket is empty. Returns the requests completed. */
static int receive_tls(struct conn *c, unsigned char *buf, size_t cap, int measuring, uint64_t *tr) {
    int completed = 0;
    c->read_wants_write = 0;
    for (;;) {
        int r = SSL_read(c->ssl, buf, (int)cap);
        if (r <= 0) {
            int err = SSL_get_error(c->ssl, r);
            if (err == SSL_ERROR_WANT_READ) break;
            if (err == SSL_ERROR_WANT_WRITE) { c->read_wants_write = 1; set_out_interest(c, 1); break; }
            if (err == SSL_ERROR_ZERO_RETURN) die_short_read(c);
            die_tls(c, "SSL_read", r);
        }
        *tr = now_ns();
        completed += consume(c, buf, (size_t)r, *tr, measuring);
        if (!SSL_has_pending(c->ssl)) break;
    }
    return completed;
}

/* --tls: the client context: no verification, read-ahead, partial and moving writes, EOF without
 * close_notify reported as an end of stream; version pinned when version is "1.2" or "1.3". */
static SSL_CTX *tls_context(const char *version) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) die("SSL_CTX_new failed");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_read_ahead(ctx, 1);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (version) {
        int v = !strcmp(version, "1.2") ? TLS1_2_VERSION : TLS1_3_VERSION;
        SSL_CTX_set_min_proto_version(ctx, v);
        SSL_CTX_set_max_proto_version(ctx, v);
    }
    return ctx;
}

/* --tls: a blocking handshake on the connected socket c->fd (before the socket turns non-blocking). */
static void tls_handshake(struct conn *c) {
    c->ssl = SSL_new(tls_ctx);
    if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1) die("SSL_new/SSL_set_fd failed on connection %u", c->id);
    errno = 0;
    int r = SSL_connect(c->ssl);
    if (r != 1) die_tls(c, "TLS handshake", r);
}

/* ------------------------------------------------------------------ arguments */
static long parse_long(const char *name, const char *v, long min, long max) {
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end) {
        fprintf(stderr, "echo-client: %s must be an integer, got '%s'\n", name, v);
        exit(2);
    }
    if (x < min || x > max) {
        fprintf(stderr, "echo-client: %s must be between %ld and %ld, got %ld\n", name, min, max, x);
        exit(2);
    }
    return x;
}

static void usage(FILE *f) {
    fputs("usage: echo-client --port N [--host IPV4] [--connections N] [--size BYTES] [--pipeline N]\n"
          "                   [--warmup SECONDS] [--duration SECONDS] [--server-pid PID]\n"
          "                   [--tls [--tls-version 1.2|1.3]]\n"
          "defaults: --host 127.0.0.1 --connections 64 --size 64 --pipeline 1 --warmup 1 --duration 3\n",
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
    long port = -1, conns = 64, size = 64, depth = 1, warmup = 1, duration = 3, server_pid = 0;
    int tls = 0;
    const char *tls_version = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return 0; }
        if (!strcmp(a, "--tls")) { tls = 1; continue; }
        if (i + 1 >= argc) {
            fprintf(stderr, "echo-client: %s needs a value\n", a);
            usage(stderr);
            return 2;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--host")) host = v;
        else if (!strcmp(a, "--port")) port = parse_long(a, v, 1, 65535);
        else if (!strcmp(a, "--connections")) conns = parse_long(a, v, 1, 10000);
        else if (!strcmp(a, "--size")) size = parse_long(a, v, 1, 1 << 20);
        else if (!strcmp(a, "--pipeline")) depth = parse_long(a, v, 1, 1024);
        else if (!strcmp(a, "--warmup")) warmup = parse_long(a, v, 0, 3600);
        else if (!strcmp(a, "--duration")) duration = parse_long(a, v, 1, 3600);
        else if (!strcmp(a, "--server-pid")) server_pid = parse_long(a, v, 1, INT_MAX);
        else if (!strcmp(a, "--tls-version")) {
            if (strcmp(v, "1.2") && strcmp(v, "1.3")) {
                fprintf(stderr, "echo-client: --tls-version must be 1.2 or 1.3, got '%s'\n", v);
                return 2;
            }
            tls_version = v;
        }
        else {
            fprintf(stderr, "echo-client: unknown argument %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (port < 0) {
        fputs("echo-client: --port is required\n", stderr);
        usage(stderr);
        return 2;
    }
    if (tls_version && !tls) {
        fputs("echo-client: --tls-version needs --tls\n", stderr);
        return 2;
    }
    if (tls) tls_ctx = tls_context(tls_version);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "echo-client: --host must be an IPv4 address, got '%s'\n", host);
        return 2;
    }
    msg_size = (size_t)size;
    pipeline_depth = (unsigned)depth;

    pattern = malloc(msg_size + PATTERN_SLACK);
    if (!pattern) die("out of memory");
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < msg_size + PATTERN_SLACK; i++) { /* xorshift64 */
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        pattern[i] = (unsigned char)(x >> 32);
    }
    unsigned char *rbuf = malloc(READ_BUF);
    struct conn *cs = calloc((size_t)conns, sizeof *cs);
    if (!rbuf || !cs) die("out of memory");
    epfd = epoll_create1(0);
    if (epfd < 0) die("epoll_create1: %s", strerror(errno));

    for (long i = 0; i < conns; i++) {
        struct conn *c = &cs[i];
        c->id = (uint32_t)i;
        c->tx = malloc((size_t)pipeline_depth * msg_size);
        c->sent_ns = calloc(pipeline_depth, sizeof *c->sent_ns);
        if (!c->tx || !c->sent_ns) die("out of memory");
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        if (c->fd < 0) die("socket: %s", strerror(errno));
        if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) != 0)
            die("connect %s:%ld (connection %ld of %ld): %s", host, port, i + 1, conns, strerror(errno));
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (tls_ctx) tls_handshake(c);
        fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = c->id};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) die("epoll_ctl: %s", strerror(errno));
    }

    uint64_t t = now_ns();
    uint64_t measure_at = t + (uint64_t)warmup * 1000000000u;
    uint64_t end_at = measure_at + (uint64_t)duration * 1000000000u;
    for (long i = 0; i < conns; i++) {
        for (unsigned k = 0; k < pipeline_depth; k++) queue_request(&cs[i], t);
        flush(&cs[i]);
    }

    int measuring = warmup == 0;
    uint64_t requests = 0, t_start = t;
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
            requests = 0;
            t_start = t;
            srv0 = proc_cpu_s(server_pid);
            cli0 = self_cpu_s();
        }
        if (t >= end_at) break;
        for (int e = 0; e < n; e++) {
            struct conn *c = &cs[evs[e].data.u32];
            if (evs[e].events & EPOLLOUT) flush(c);
            if (!(evs[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && !c->read_wants_write) continue;
            if (tls_ctx) {
                uint64_t tr = 0;
                int completed = receive_tls(c, rbuf, READ_BUF, measuring, &tr);
                if (measuring) requests += (uint64_t)completed;
                for (int k = 0; k < completed; k++) queue_request(c, tr);
                if (completed && !c->want_out) flush(c);
                continue;
            }
            ssize_t r = recv(c->fd, rbuf, READ_BUF, 0);
            if (r < 0) {
                if (errno == EAGAIN || errno == EINTR) continue;
                die("recv on connection %u: %s", c->id, strerror(errno));
            }
            if (r == 0) die_short_read(c);
            uint64_t tr = now_ns();
            int completed = consume(c, rbuf, (size_t)r, tr, measuring);
            if (measuring) requests += (uint64_t)completed;
            for (int k = 0; k < completed; k++) queue_request(c, tr);
            if (completed && !c->want_out) flush(c);
        }
    }
    double secs = (double)(t - t_start) / 1e9;
    double srv1 = proc_cpu_s(server_pid), cli1 = self_cpu_s();
    double srv = (srv0 < 0 || srv1 < 0) ? -1 : srv1 - srv0;
    printf("req_per_s=%.1f p50_us=%.1f p99_us=%.1f p999_us=%.1f errors=0 requests=%llu duration_s=%.3f "
           "client_cpu_s=%.3f server_cpu_s=%.3f connections=%ld size=%ld pipeline=%ld",
           requests / secs, hist_percentile_us(50), hist_percentile_us(99), hist_percentile_us(99.9),
           (unsigned long long)requests, secs, cli1 - cli0, srv, conns, size, depth);
    if (tls_ctx) printf(" tls=%s cipher=%s", SSL_get_version(cs[0].ssl), SSL_get_cipher_name(cs[0].ssl));
    putchar('\n');
    return 0;
}
