/*
 * sse_fleet: hold many Server-Sent-Events subscriptions open from one thread and record, for
 * every (event, connection) pair, the CLOCK_MONOTONIC time the event's terminating blank line
 * was read. Built and driven by bench/sse_fleet.py; a Python client costs ~20 us per delivery,
 * this one a read() and a memchr pass.
 *
 * Usage: sse_fleet HOST PORT PATH COUNT MAX_EVENTS OUTFILE [options]
 *   --batch N            connections being set up at once (default 256): keeps the server's
 *                        listen backlog from overflowing (an overflow costs a 1 s SYN retry)
 *   --retries N          extra attempts for a connection that fails before its headers (5)
 *   --connect-timeout S  seconds one attempt may take to get its headers (10)
 *   --setup-timeout S    seconds until every pending connection counts as failed (300)
 *   --max-seconds S      hard bound on the whole run; then it stops as on "stop" (3600)
 *   --coalesce-us N      once streaming, sleep N us after a wakeup that found fewer than
 *                        MAX_WAIT_EVENTS ready connections (250; 0 = never): one epoll wakeup
 *                        then serves dozens of deliveries instead of ~2, which halves the
 *                        fleet's CPU (11 -> 5.6 us a delivery at 10,000 subscribers); arrival
 *                        times are then late by up to N us plus the timer's slack
 *
 * stdout: "ready <connected> <failed>" once every connection has its 200 headers or has failed
 * for good; "count <events> <open>" on a "count" line on stdin; "done" after OUTFILE is written
 * on "stop" (or EOF on stdin, SIGTERM, SIGINT, --max-seconds). stderr: a last "stats" line of
 * counters (epoll waits, ready events, reads, reads that found nothing, events).
 *
 * OUTFILE (native endianness): char magic[8] = "SSEFLT1", int64 version = 1, int64 COUNT,
 * int64 MAX_EVENTS, then float64 times[COUNT][MAX_EVENTS] (NaN = none), uint64
 * hashes[COUNT][MAX_EVENTS] (FNV-1a 64 of the event's id value, 0 = none), then per connection:
 * int64 received (all events, also those past MAX_EVENTS), int64 bytes (read from the socket,
 * headers included), int64 closed (0 open, 1 closed by the server, 2 socket or protocol error
 * after the headers, 3 failed before the headers, 4 status not 200), float64 closed_at (NaN if
 * open), int64 status, int64 attempts, float64 headers_at (NaN if never).
 *
 * An event is a block of lines ending with a blank line that holds an "id" field; comment lines
 * (":") and blocks without id are not events. Chunked transfer encoding is decoded per
 * connection, as a stream, so chunk and line boundaries may fall anywhere.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define READ_BUF (256 * 1024)
#define MAX_WAIT_EVENTS 1024
#define HLINE_CAP 128
#define MAX_HEADER_BYTES 65536
#define STDIN_TAG UINT64_MAX
#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME 1099511628211ULL

enum conn_state { S_IDLE, S_RETRY_WAIT, S_CONNECTING, S_HEADERS, S_STREAM, S_DONE };
enum closed_code { K_OPEN, K_EOF, K_ERROR, K_FAILED, K_STATUS };
/* Chunked decoding: size digits, extension, LF of the size line, data, CRLF after data,
 * trailer lines after the last chunk. B_RAW: not chunked. */
enum body_state { B_RAW, B_SIZE, B_EXT, B_SIZE_LF, B_DATA, B_DATA_CR, B_DATA_LF, B_TRAILER };
/* SSE line parser: at line start, after "i", after "id", after "id:", in the id value, in any
 * other line (skipped to its end). */
enum line_state { L_START, L_I, L_ID, L_IDV0, L_IDV, L_OTHER };

typedef struct {
    int fd;
    uint8_t state;
    uint8_t body;
    uint8_t line;
    uint8_t after_cr;    /* the last line ended with CR: a following LF belongs to it */
    uint8_t hdr_first;   /* next header line is the status line */
    uint8_t chunked;
    uint8_t block_has_id;
    uint8_t size_digits;
    uint16_t hlen;
    uint16_t req_off;
    uint32_t hdr_bytes;
    uint64_t chunk_left;
    uint64_t cur_hash;
    uint64_t block_hash;
    double deadline;     /* of the current attempt, or the time to retry */
    char hline[HLINE_CAP];
} conn_t;

static conn_t *conns;
static long count, max_events;
static double *times, *closed_at, *headers_at;
static uint64_t *hashes;
static int64_t *received, *nbytes, *closed, *status, *attempts;

static struct sockaddr_storage addr;
static socklen_t addr_len;
static int addr_family;
static char request[1024];
static size_t request_len;
static int epfd;
static long inflight, next_open, connected, failed, streaming_open;
static long long events_total, n_waits, n_wait_events, n_reads, n_empty_reads;
static long batch = 256, retries = 5;
static long coalesce_us = 250;
static double connect_timeout = 10.0, setup_timeout = 300.0, max_seconds = 3600.0;
static volatile sig_atomic_t got_signal;

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void on_signal(int sig)
{
    (void)sig;
    got_signal = 1;
}

static void die(const char *msg)
{
    fprintf(stderr, "sse_fleet: %s\n", msg);
    exit(2);
}

static void close_fd(conn_t *c)
{
    if (c->fd >= 0) {
        close(c->fd); /* also leaves the epoll set: the fd is never duplicated */
        c->fd = -1;
    }
}

/* The connection is over for good: before its headers (failed) or after (closed). */
static void finish(long i, int code, double now)
{
    conn_t *c = &conns[i];
    int was_streaming = c->state == S_STREAM;
    close_fd(c);
    if (!was_streaming) {
        inflight--;
        failed++;
    } else {
        streaming_open--;
    }
    c->state = S_DONE;
    closed[i] = code;
    closed_at[i] = now;
}

/* An attempt failed before the headers: try again later, or give up after --retries. */
static void attempt_failed(long i, double now)
{
    conn_t *c = &conns[i];
    close_fd(c);
    if (attempts[i] > retries) {
        finish(i, K_FAILED, now);
        return;
    }
    /* Exponential backoff with jitter, so retries of one batch do not land together. */
    double delay = 0.05 * (double)(1L << (attempts[i] < 6 ? attempts[i] : 6));
    if (delay > 2.0)
        delay = 2.0;
    delay *= 0.5 + (double)(rand() % 1000) / 1000.0;
    c->state = S_RETRY_WAIT;
    c->deadline = now + delay;
}

static void start_attempt(long i, double now)
{
    conn_t *c = &conns[i];
    attempts[i]++;
    c->hlen = 0;
    c->hdr_bytes = 0;
    c->hdr_first = 1;
    c->chunked = 0;
    c->req_off = 0;
    c->deadline = now + connect_timeout;
    int fd = socket(addr_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        /* Out of descriptors or memory: retrying will not help. */
        finish(i, K_FAILED, now);
        return;
    }
    c->fd = fd;
    c->state = S_CONNECTING;
    if (connect(fd, (struct sockaddr *)&addr, addr_len) < 0 && errno != EINPROGRESS) {
        attempt_failed(i, now);
        return;
    }
    struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = (uint64_t)i};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
        attempt_failed(i, now);
}

static void record_event(long i, conn_t *c, double now)
{
    long k = (long)received[i];
    if (k < max_events) {
        times[i * max_events + k] = now;
        hashes[i * max_events + k] = c->block_hash;
    }
    received[i]++;
    events_total++;
}

/* Feed de-chunked body bytes to the SSE parser. */
static void sse_feed(long i, conn_t *c, const char *p, const char *end, double now)
{
    while (p < end) {
        if (c->after_cr) {
            c->after_cr = 0;
            if (*p == '\n') {
                p++;
                continue;
            }
        }
        char ch = *p;
        int eol = ch == '\n' || ch == '\r';
        switch (c->line) {
        case L_START:
            if (eol) {
                /* Blank line: dispatch the block if it had an id. */
                if (c->block_has_id)
                    record_event(i, c, now);
                c->block_has_id = 0;
                c->after_cr = ch == '\r';
                p++;
                continue;
            }
            c->line = ch == 'i' ? L_I : L_OTHER;
            p++;
            continue;
        case L_I:
            if (ch == 'd') {
                c->line = L_ID;
                p++;
            } else {
                c->line = L_OTHER;
            }
            continue;
        case L_ID:
            if (ch == ':') {
                c->line = L_IDV0;
                c->cur_hash = FNV_OFFSET;
                p++;
            } else if (eol) {
                /* A bare "id" line is an id field with an empty value. */
                c->cur_hash = FNV_OFFSET;
                c->line = L_IDV;
            } else {
                c->line = L_OTHER;
            }
            continue;
        case L_IDV0:
            if (ch == ' ')
                p++; /* one space after the colon is not part of the value */
            c->line = L_IDV;
            continue;
        case L_IDV: {
            uint64_t h = c->cur_hash;
            while (p < end && *p != '\n' && *p != '\r') {
                h ^= (uint8_t)*p++;
                h *= FNV_PRIME;
            }
            c->cur_hash = h;
            if (p < end) {
                c->block_has_id = 1;
                c->block_hash = h;
                c->after_cr = *p == '\r';
                c->line = L_START;
                p++;
            }
            continue;
        }
        case L_OTHER: {
            /* Skip to the end of the line with memchr: data lines are most of the bytes. */
            size_t n = (size_t)(end - p);
            const char *lf = memchr(p, '\n', n);
            const char *cr = memchr(p, '\r', lf ? (size_t)(lf - p) : n);
            const char *e = cr ? cr : lf;
            if (!e) {
                p = end;
                continue;
            }
            c->after_cr = *e == '\r';
            c->line = L_START;
            p = e + 1;
            continue;
        }
        }
    }
}

/* Decode the body (chunked or not) and feed it on. Returns 0, 1 at the end of a chunked body,
 * -1 on a malformed chunk. */
static int body_feed(long i, conn_t *c, const char *p, const char *end, double now)
{
    if (c->body == B_RAW) {
        sse_feed(i, c, p, end, now);
        return 0;
    }
    while (p < end) {
        char ch = *p;
        switch (c->body) {
        case B_SIZE: {
            int v = -1;
            if (ch >= '0' && ch <= '9')
                v = ch - '0';
            else if (ch >= 'a' && ch <= 'f')
                v = ch - 'a' + 10;
            else if (ch >= 'A' && ch <= 'F')
                v = ch - 'A' + 10;
            if (v >= 0) {
                if (c->chunk_left >> 56)
                    return -1;
                c->chunk_left = c->chunk_left * 16 + (uint64_t)v;
                c->size_digits++;
                p++;
                continue;
            }
            if (ch == ';' || ch == ' ' || ch == '\t') {
                c->body = B_EXT;
                p++;
                continue;
            }
            if (ch != '\r' && ch != '\n')
                return -1;
            c->body = B_SIZE_LF;
            continue; /* B_SIZE_LF consumes the CR or LF */
        }
        case B_EXT:
            if (ch == '\r' || ch == '\n')
                c->body = B_SIZE_LF;
            else
                p++;
            continue;
        case B_SIZE_LF:
            p++;
            if (ch == '\r')
                continue; /* the LF follows */
            if (c->size_digits == 0)
                return -1;
            if (c->chunk_left == 0) {
                c->body = B_TRAILER;
                c->hlen = 0;
            } else {
                c->body = B_DATA;
            }
            continue;
        case B_DATA: {
            size_t n = (size_t)(end - p);
            if (n > c->chunk_left)
                n = (size_t)c->chunk_left;
            sse_feed(i, c, p, p + n, now);
            p += n;
            c->chunk_left -= n;
            if (c->chunk_left == 0)
                c->body = B_DATA_CR;
            continue;
        }
        case B_DATA_CR:
            p++;
            if (ch == '\r')
                c->body = B_DATA_LF;
            else if (ch == '\n')
                goto next_chunk;
            else
                return -1;
            continue;
        case B_DATA_LF:
            p++;
            if (ch != '\n')
                return -1;
        next_chunk:
            c->body = B_SIZE;
            c->chunk_left = 0;
            c->size_digits = 0;
            continue;
        case B_TRAILER:
            /* Trailer lines until an empty one; hlen counts the current line's length. */
            p++;
            if (ch == '\n') {
                if (c->hlen == 0)
                    return 1;
                c->hlen = 0;
            } else if (ch != '\r') {
                c->hlen = 1;
            }
            continue;
        }
    }
    return 0;
}

static int lower_starts(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* One complete header line (without CR LF). Returns 1 when the headers are over. */
static int header_line(long i, conn_t *c)
{
    char *s = c->hline;
    if (c->hdr_first) {
        c->hdr_first = 0;
        int code = 0;
        if (strncmp(s, "HTTP/1.", 7) == 0 && strlen(s) >= 12)
            code = atoi(s + 9);
        status[i] = code;
        return 0;
    }
    if (s[0] == '\0')
        return 1;
    if (lower_starts(s, "transfer-encoding:") && strcasestr(s + 18, "chunked"))
        c->chunked = 1;
    return 0;
}

static void on_readable(long i, double now, char *buf)
{
    conn_t *c = &conns[i];
    ssize_t n = read(c->fd, buf, READ_BUF);
    n_reads++;
    if (n < 0) {
        n_empty_reads++;
        if (errno == EAGAIN || errno == EINTR)
            return;
        if (c->state == S_HEADERS)
            attempt_failed(i, now);
        else
            finish(i, K_ERROR, now);
        return;
    }
    if (n == 0) {
        if (c->state == S_HEADERS)
            attempt_failed(i, now);
        else
            finish(i, K_EOF, now);
        return;
    }
    /* One clock read per read(): events that arrived together share their time. */
    now = now_mono();
    nbytes[i] += n;
    const char *p = buf, *end = buf + n;
    if (c->state == S_HEADERS) {
        while (p < end) {
            char ch = *p++;
            if (++c->hdr_bytes > MAX_HEADER_BYTES) {
                attempt_failed(i, now);
                return;
            }
            if (ch == '\r')
                continue;
            if (ch != '\n') {
                if (c->hlen < HLINE_CAP - 1)
                    c->hline[c->hlen++] = ch; /* the tail of a long line is not needed */
                continue;
            }
            c->hline[c->hlen] = '\0';
            c->hlen = 0;
            if (!header_line(i, c))
                continue;
            headers_at[i] = now;
            if (status[i] != 200) {
                finish(i, K_STATUS, now);
                return;
            }
            c->state = S_STREAM;
            c->body = c->chunked ? B_SIZE : B_RAW;
            c->chunk_left = 0;
            c->size_digits = 0;
            c->line = L_START;
            c->after_cr = 0;
            c->block_has_id = 0;
            inflight--;
            connected++;
            streaming_open++;
            break;
        }
        if (c->state != S_STREAM)
            return;
    }
    int r = body_feed(i, c, p, end, now);
    if (r != 0)
        finish(i, r > 0 ? K_EOF : K_ERROR, now);
}

static void on_writable(long i, double now)
{
    conn_t *c = &conns[i];
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
        attempt_failed(i, now);
        return;
    }
    while (c->req_off < request_len) {
        ssize_t n = send(c->fd, request + c->req_off, request_len - c->req_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN)
                return; /* still EPOLLOUT: resumes on the next wakeup */
            attempt_failed(i, now);
            return;
        }
        c->req_off += (uint16_t)n;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)i};
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
        attempt_failed(i, now);
        return;
    }
    c->state = S_HEADERS;
}

/* Setup phase housekeeping: open new connections within the batch window, start due retries,
 * time out slow attempts. */
static void setup_tick(double now)
{
    for (long i = 0; i < next_open; i++) {
        conn_t *c = &conns[i];
        if (c->state == S_RETRY_WAIT && now >= c->deadline)
            start_attempt(i, now);
        else if ((c->state == S_CONNECTING || c->state == S_HEADERS) && now >= c->deadline)
            attempt_failed(i, now);
    }
    while (next_open < count && inflight < batch) {
        long i = next_open++;
        inflight++;
        start_attempt(i, now);
    }
}

static void give_up_pending(double now)
{
    for (long i = 0; i < count; i++) {
        uint8_t s = conns[i].state;
        if (s == S_IDLE) {
            inflight++; /* finish() counts it out */
            finish(i, K_FAILED, now);
        } else if (s == S_RETRY_WAIT || s == S_CONNECTING || s == S_HEADERS) {
            finish(i, K_FAILED, now);
        }
    }
    next_open = count;
}

/* Returns 1 on "stop" or EOF. */
static int on_stdin(void)
{
    static char line[256];
    static size_t len;
    char buf[4096];
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? 0 : 1;
    if (n == 0)
        return 1;
    for (ssize_t j = 0; j < n; j++) {
        if (buf[j] != '\n') {
            if (len < sizeof line - 1)
                line[len++] = buf[j];
            continue;
        }
        line[len] = '\0';
        len = 0;
        if (strcmp(line, "stop") == 0)
            return 1;
        if (strcmp(line, "count") == 0) {
            printf("count %lld %ld\n", events_total, streaming_open);
            fflush(stdout);
        }
    }
    return 0;
}

static void write_all(FILE *f, const void *p, size_t size, size_t n)
{
    if (fwrite(p, size, n, f) != n)
        die("cannot write OUTFILE");
}

static void write_output(const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        die("OUTFILE path too long");
    FILE *f = fopen(tmp, "wb");
    if (!f)
        die("cannot open OUTFILE");
    char magic[8] = "SSEFLT1";
    int64_t head[3] = {1, count, max_events};
    size_t cells = (size_t)count * (size_t)max_events;
    write_all(f, magic, 1, 8);
    write_all(f, head, sizeof head[0], 3);
    write_all(f, times, sizeof times[0], cells);
    write_all(f, hashes, sizeof hashes[0], cells);
    write_all(f, received, sizeof received[0], (size_t)count);
    write_all(f, nbytes, sizeof nbytes[0], (size_t)count);
    write_all(f, closed, sizeof closed[0], (size_t)count);
    write_all(f, closed_at, sizeof closed_at[0], (size_t)count);
    write_all(f, status, sizeof status[0], (size_t)count);
    write_all(f, attempts, sizeof attempts[0], (size_t)count);
    write_all(f, headers_at, sizeof headers_at[0], (size_t)count);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        die("cannot write OUTFILE");
}

static void *xalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p)
        die("out of memory");
    return p;
}

static double parse_double(const char *s, const char *what)
{
    char *e;
    double v = strtod(s, &e);
    if (*e || !(v > 0))
        die(what);
    return v;
}

static long parse_long(const char *s, const char *what, long min)
{
    char *e;
    long v = strtol(s, &e, 10);
    if (*e || v < min)
        die(what);
    return v;
}

int main(int argc, char **argv)
{
    if (argc < 7 || (argc - 7) % 2 != 0) {
        fprintf(stderr, "usage: %s HOST PORT PATH COUNT MAX_EVENTS OUTFILE [--batch N] "
                        "[--retries N] [--connect-timeout S] [--setup-timeout S] "
                        "[--max-seconds S]\n", argv[0]);
        return 2;
    }
    const char *host = argv[1], *port = argv[2], *path = argv[3], *outfile = argv[6];
    count = parse_long(argv[4], "COUNT must be a positive integer", 1);
    max_events = parse_long(argv[5], "MAX_EVENTS must be a positive integer", 1);
    for (int a = 7; a < argc; a += 2) {
        const char *k = argv[a], *v = argv[a + 1];
        if (strcmp(k, "--batch") == 0)
            batch = parse_long(v, "bad --batch", 1);
        else if (strcmp(k, "--retries") == 0)
            retries = parse_long(v, "bad --retries", 0);
        else if (strcmp(k, "--connect-timeout") == 0)
            connect_timeout = parse_double(v, "bad --connect-timeout");
        else if (strcmp(k, "--setup-timeout") == 0)
            setup_timeout = parse_double(v, "bad --setup-timeout");
        else if (strcmp(k, "--coalesce-us") == 0)
            coalesce_us = parse_long(v, "bad --coalesce-us", 0);
        else if (strcmp(k, "--max-seconds") == 0)
            max_seconds = parse_double(v, "bad --max-seconds");
        else
            die("unknown option");
    }
    int rl = snprintf(request, sizeof request,
                      "GET %s HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
                      "Cache-Control: no-cache\r\n\r\n", path);
    if (rl < 0 || rl >= (int)sizeof request)
        die("PATH too long");
    request_len = (size_t)rl;

    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
    if (getaddrinfo(host, port, &hints, &ai) != 0)
        die("cannot resolve HOST PORT");
    memcpy(&addr, ai->ai_addr, ai->ai_addrlen);
    addr_len = ai->ai_addrlen;
    addr_family = ai->ai_family;
    freeaddrinfo(ai);

    /* One descriptor per connection plus a few: raise the soft limit, up to the hard one.
     * Connections past the limit fail (and are reported as failed). */
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
        rlim_t need = (rlim_t)count + 32;
        if (lim.rlim_cur < need) {
            lim.rlim_cur = need < lim.rlim_max ? need : lim.rlim_max;
            setrlimit(RLIMIT_NOFILE, &lim);
        }
        if (lim.rlim_cur < need)
            fprintf(stderr, "sse_fleet: RLIMIT_NOFILE %lu < %lu: some connections will fail\n",
                    (unsigned long)lim.rlim_cur, (unsigned long)need);
    }

    size_t cells = (size_t)count * (size_t)max_events;
    conns = xalloc((size_t)count, sizeof *conns);
    times = xalloc(cells, sizeof *times);
    hashes = xalloc(cells, sizeof *hashes);
    received = xalloc((size_t)count, sizeof *received);
    nbytes = xalloc((size_t)count, sizeof *nbytes);
    closed = xalloc((size_t)count, sizeof *closed);
    closed_at = xalloc((size_t)count, sizeof *closed_at);
    status = xalloc((size_t)count, sizeof *status);
    attempts = xalloc((size_t)count, sizeof *attempts);
    headers_at = xalloc((size_t)count, sizeof *headers_at);
    for (size_t j = 0; j < cells; j++)
        times[j] = NAN;
    for (long i = 0; i < count; i++) {
        conns[i].fd = -1;
        closed_at[i] = NAN;
        headers_at[i] = NAN;
    }

    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    srand((unsigned)getpid());

    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1 failed");
    /* stdin drives the run; if it cannot be polled (a regular file), only signals and
     * --max-seconds end it. */
    struct epoll_event sev = {.events = EPOLLIN, .data.u64 = STDIN_TAG};
    int stdin_polled = epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &sev) == 0;
    if (stdin_polled)
        fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);

    char *buf = xalloc(READ_BUF, 1);
    struct epoll_event *evs = xalloc(MAX_WAIT_EVENTS, sizeof *evs);
    double t0 = now_mono(), last_tick = 0;
    int ready = 0, stop = 0;
    while (!stop && !got_signal) {
        double now = now_mono();
        if (now - t0 > max_seconds)
            break;
        if (!ready) {
            if (now - last_tick >= 0.01) {
                setup_tick(now);
                last_tick = now;
            }
            if (now - t0 > setup_timeout)
                give_up_pending(now);
            if (next_open == count && inflight == 0) {
                printf("ready %ld %ld\n", connected, failed);
                fflush(stdout);
                ready = 1;
            }
        }
        int n = epoll_wait(epfd, evs, MAX_WAIT_EVENTS, ready ? 200 : 10);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait failed");
        }
        now = now_mono();
        n_waits++;
        n_wait_events += n;
        for (int j = 0; j < n; j++) {
            uint64_t tag = evs[j].data.u64;
            if (tag == STDIN_TAG) {
                if (on_stdin())
                    stop = 1;
                continue;
            }
            long i = (long)tag;
            conn_t *c = &conns[i];
            if (c->state == S_CONNECTING)
                on_writable(i, now);
            else if (c->state == S_HEADERS || c->state == S_STREAM)
                on_readable(i, now, buf);
        }
        if (ready && coalesce_us > 0 && n > 0 && n < MAX_WAIT_EVENTS) {
            struct timespec ts = {0, coalesce_us * 1000L};
            nanosleep(&ts, NULL);
        }
    }
    write_output(outfile);
    fprintf(stderr, "stats waits %lld wait_events %lld reads %lld empty_reads %lld events %lld\n",
            n_waits, n_wait_events, n_reads, n_empty_reads, events_total);
    printf("done\n");
    fflush(stdout);
    return 0;
}
