/*
 * loopback_floor: the least a fan-out over loopback TCP can cost on this machine. A writer
 * process holds COUNT accepted connections and write()s each frame to every one of them, with
 * no other work at all (no HTTP, no SSE framing, no channel lookup); a reader process holds the
 * other ends with epoll, as bench/sse_fleet.c does, and records when each frame is complete on
 * each connection. Any server that hands every subscriber its own copy of the frame over TCP
 * pays at least this much kernel work per delivery. Built and driven by
 * bench/loopback_floor.py.
 *
 * Usage: loopback_floor COUNT FRAMES RATE SMALL_BYTES BIG_BYTES BIG_EVERY COALESCE_US
 *   every BIG_EVERY-th frame is BIG_BYTES long, the others SMALL_BYTES; RATE frames a second;
 *   COALESCE_US as sse_fleet's --coalesce-us (the reader sleeps that long after a wakeup that
 *   found few ready connections).
 *
 * stdout, one line each, then exit 0:
 *   "writer <cpu_s> <wall_s> <median_burst_ms> <max_burst_ms>"  CPU of the writer while
 *       streaming; a burst = first to last write() of one frame
 *   "reader <cpu_s> <deliveries> <p50_ms> <p99_ms> <max_ms>"  latency = frame complete at a
 *       connection - the writer's clock before its first write() of that frame
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WAIT_EVENTS 1024
#define HEADER_BYTES 16 /* uint32 length, uint32 frame index, double send time */

typedef struct {
    uint32_t have;  /* bytes of the current frame read so far */
    uint32_t need;  /* its length, once the header is in */
    uint8_t header[HEADER_BYTES];
} conn_t;

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_self(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec * 1e-6;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(const double *sorted, long n, double q)
{
    if (n == 0)
        return -1.0;
    long i = (long)(q * (double)(n - 1) + 0.5);
    return sorted[i];
}

static void write_all(int fd, const uint8_t *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("write");
        }
        data += n;
        len -= (size_t)n;
    }
}

static int run_reader(int port, long count, long frames, long coalesce_us, int ready_fd)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    conn_t *conns = calloc((size_t)count, sizeof(conn_t));
    int *fds = calloc((size_t)count, sizeof(int));
    double *lat = malloc(sizeof(double) * (size_t)(count * frames));
    if (!conns || !fds || !lat)
        die("calloc");
    int epfd = epoll_create1(0);
    for (long i = 0; i < count; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
            die("socket");
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
            die("connect");
        fcntl(fd, F_SETFL, O_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)i};
        epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
        fds[i] = fd;
    }
    if (write(ready_fd, "r", 1) != 1)
        die("ready");
    close(ready_fd);

    static uint8_t buf[256 * 1024];
    struct epoll_event events[MAX_WAIT_EVENTS];
    long done = 0, expected = count * frames;
    double cpu0 = cpu_self();
    while (done < expected) {
        int n = epoll_wait(epfd, events, MAX_WAIT_EVENTS, 10000);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        if (n == 0)
            break; /* 10 s without data: the writer is gone */
        for (int e = 0; e < n; e++) {
            long i = (long)events[e].data.u64;
            conn_t *c = &conns[i];
            for (;;) {
                ssize_t got = read(fds[i], buf, sizeof buf);
                if (got <= 0)
                    break;
                double at = now_mono();
                ssize_t off = 0;
                while (off < got) {
                    if (c->have < HEADER_BYTES) {
                        size_t take = HEADER_BYTES - c->have;
                        if (take > (size_t)(got - off))
                            take = (size_t)(got - off);
                        memcpy(c->header + c->have, buf + off, take);
                        c->have += (uint32_t)take;
                        off += (ssize_t)take;
                        if (c->have == HEADER_BYTES)
                            memcpy(&c->need, c->header, 4);
                        continue;
                    }
                    size_t take = c->need - c->have;
                    if (take > (size_t)(got - off))
                        take = (size_t)(got - off);
                    c->have += (uint32_t)take;
                    off += (ssize_t)take;
                    if (c->have == c->need) {
                        uint32_t index;
                        double sent;
                        memcpy(&index, c->header + 4, 4);
                        memcpy(&sent, c->header + 8, 8);
                        if (index < (uint32_t)frames)
                            lat[done++] = (at - sent) * 1000.0;
                        c->have = 0;
                        c->need = 0;
                    }
                }
            }
        }
        if (coalesce_us > 0 && n < MAX_WAIT_EVENTS)
            usleep((useconds_t)coalesce_us);
    }
    double cpu = cpu_self() - cpu0;
    qsort(lat, (size_t)done, sizeof(double), cmp_double);
    printf("reader %.3f %ld %.3f %.3f %.3f\n", cpu, done, percentile(lat, done, 0.5),
           percentile(lat, done, 0.99), done ? lat[done - 1] : -1.0);
    fflush(stdout);
    return done == expected ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 8) {
        fprintf(stderr,
                "usage: loopback_floor COUNT FRAMES RATE SMALL_BYTES BIG_BYTES BIG_EVERY "
                "COALESCE_US\n");
        return 2;
    }
    long count = atol(argv[1]), frames = atol(argv[2]);
    double rate = atof(argv[3]);
    long small = atol(argv[4]), big = atol(argv[5]), big_every = atol(argv[6]);
    long coalesce_us = atol(argv[7]);
    if (count < 1 || frames < 1 || rate <= 0 || small < HEADER_BYTES || big < HEADER_BYTES) {
        fprintf(stderr, "loopback_floor: bad arguments\n");
        return 2;
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);

    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 4096) < 0)
        die("listen");
    socklen_t alen = sizeof addr;
    getsockname(lfd, (struct sockaddr *)&addr, &alen);
    int ready[2];
    if (pipe(ready) < 0)
        die("pipe");
    pid_t child = fork();
    if (child == 0) {
        close(lfd);
        close(ready[0]);
        return run_reader(ntohs(addr.sin_port), count, frames, coalesce_us, ready[1]);
    }
    close(ready[1]);
    int *fds = calloc((size_t)count, sizeof(int));
    for (long i = 0; i < count; i++) {
        fds[i] = accept(lfd, NULL, NULL);
        if (fds[i] < 0)
            die("accept");
        int one = 1;
        setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    char r;
    if (read(ready[0], &r, 1) != 1)
        die("reader not ready");

    uint8_t *frame = calloc(1, (size_t)(big > small ? big : small));
    double *bursts = malloc(sizeof(double) * (size_t)frames);
    double cpu0 = cpu_self(), start = now_mono();
    for (long f = 0; f < frames; f++) {
        double due = start + (double)f / rate, now = now_mono();
        if (due > now)
            usleep((useconds_t)((due - now) * 1e6));
        uint32_t len = (uint32_t)((big_every > 0 && f % big_every == big_every - 1) ? big : small);
        uint32_t index = (uint32_t)f;
        double sent = now_mono();
        memcpy(frame, &len, 4);
        memcpy(frame + 4, &index, 4);
        memcpy(frame + 8, &sent, 8);
        for (long i = 0; i < count; i++)
            write_all(fds[i], frame, len);
        bursts[f] = (now_mono() - sent) * 1000.0;
    }
    double wall = now_mono() - start, cpu = cpu_self() - cpu0;
    int status = 0;
    waitpid(child, &status, 0);
    qsort(bursts, (size_t)frames, sizeof(double), cmp_double);
    printf("writer %.3f %.3f %.3f %.3f\n", cpu, wall, percentile(bursts, frames, 0.5),
           bursts[frames - 1]);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
