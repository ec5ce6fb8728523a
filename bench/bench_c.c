/*
 * bench_c.c -- speed of memview's C API against a raw pointer and length.
 *
 * The article's loop (while b: b = b[1:]) over n bytes:
 *   narrow  mv_view_narrow(): the view is narrowed in place;
 *   slice   mv_view_slice() into a fresh view, then mv_view_release() of
 *           the old one: every step makes an independent view;
 *   raw     the same loop on a char pointer and a length, start clamped
 *           to the length as Python clamps a slice;
 *   raw1    the bare minimum: p += 1, len -= 1;
 *   rawmem  raw, with the pointer and length in a struct in memory.
 * And reading every item once: mv_view_get() against a raw pointer read.
 *
 * Each loop runs several times; the best time is kept. Output is one
 * "name value" pair a line (ns per step, and the number of heap
 * allocations made during the loop), read by bench_c.py.
 *
 *     bench_c [n]            all loops (n defaults to 500000)
 *     bench_c --only L [n]   one loop once, L one of narrow slice raw
 *                            raw1 rawmem get rawget (for instruction
 *                            counts: valgrind --toggle-collect=loop_L)
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "memview.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Keeps a value in a register as if it were read and changed, so the
 * compiler can neither fold nor vectorise the raw loops. */
#define OPAQUE(x) __asm__ volatile("" : "+r"(x))
#define NOINLINE __attribute__((noinline))

enum { REPEAT = 7 };

/* ---- allocation counting -------------------------------------------
 * glibc lets a program replace malloc and friends; these forward to the
 * originals and count calls, so the loops can show they allocate
 * nothing. */
#if defined(__GLIBC__)
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static unsigned long long n_allocs;
void *malloc(size_t n) {
    n_allocs++;
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b) {
    n_allocs++;
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n) {
    n_allocs++;
    return __libc_realloc(p, n);
}
void free(void *p) { __libc_free(p); }
#define ALLOCS_KNOWN 1
#else
static unsigned long long n_allocs;
#define ALLOCS_KNOWN 0
#endif

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, int status) {
    fprintf(stderr, "bench_c: %s: %s: %s\n", what, mv_err_name(status),
            mv_errmsg());
    exit(1);
}

static mv_owner *owner; /* n bytes of 'x' */

/* ---- the loops ------------------------------------------------------ */

NOINLINE static void loop_narrow(void) {
    mv_view v;
    int rc = mv_view_from_owner(&v, owner);
    if (rc < 0)
        die("mv_view_from_owner", rc);
    while (v.nbytes)
        if ((rc = mv_view_narrow(&v, 1, MV_END, 1)) < 0)
            die("mv_view_narrow", rc);
    mv_view_release(&v);
}

NOINLINE static void loop_slice(void) {
    mv_view v[2];
    int cur = 0, rc = mv_view_from_owner(&v[0], owner);
    if (rc < 0)
        die("mv_view_from_owner", rc);
    while (v[cur].nbytes) {
        if ((rc = mv_view_slice(&v[!cur], &v[cur], 1, MV_END, 1)) < 0)
            die("mv_view_slice", rc);
        mv_view_release(&v[cur]);
        cur = !cur;
    }
    mv_view_release(&v[cur]);
}

NOINLINE static void loop_raw(void) {
    const char *p = mv_owner_data(owner);
    mv_ssize len = mv_owner_size(owner);
    while (len) {
        /* b = b[1:], with Python's clamping of start to len */
        if (len >= 1) {
            p += 1;
            len -= 1;
        } else {
            p += len;
            len = 0;
        }
        OPAQUE(p);
        OPAQUE(len);
    }
}

NOINLINE static void loop_raw1(void) {
    const char *p = mv_owner_data(owner);
    mv_ssize len = mv_owner_size(owner);
    while (len) {
        p += 1;
        len -= 1;
        OPAQUE(p);
        OPAQUE(len);
    }
}

/* The raw loop with the pointer and length kept in a struct in memory,
 * as a view's fields are: each step waits for the last step's stores. */
NOINLINE static void loop_rawmem(void) {
    struct {
        const char *p;
        mv_ssize len;
    } s = {mv_owner_data(owner), mv_owner_size(owner)};
    void *escape = &s;
    OPAQUE(escape);
    while (s.len) {
        if (s.len >= 1) {
            s.p += 1;
            s.len -= 1;
        } else {
            s.p += s.len;
            s.len = 0;
        }
        __asm__ volatile("" : : "r"(escape) : "memory");
    }
}

static volatile uint64_t sink;

NOINLINE static void loop_get(void) {
    mv_view v;
    int rc = mv_view_from_owner(&v, owner);
    if (rc < 0)
        die("mv_view_from_owner", rc);
    uint64_t sum = 0;
    mv_ssize n = v.shape[0];
    for (mv_ssize i = 0; i < n; i++) {
        mv_value x;
        if ((rc = mv_view_get(&v, i, &x)) < 0)
            die("mv_view_get", rc);
        sum += x.u;
    }
    sink = sum;
    mv_view_release(&v);
}

NOINLINE static void loop_rawget(void) {
    const unsigned char *p = mv_owner_data(owner);
    mv_ssize n = mv_owner_size(owner);
    uint64_t sum = 0;
    for (mv_ssize i = 0; i < n; i++) {
        if (i < 0 || i >= n) /* the bounds check any index read makes */
            die("raw read", MV_EINDEX);
        sum += p[i];
        OPAQUE(sum);
    }
    sink = sum;
}

static const struct {
    const char *name;
    void (*fn)(void);
} loops[] = {
    {"narrow", loop_narrow}, {"slice", loop_slice},   {"raw", loop_raw},
    {"raw1", loop_raw1},     {"rawmem", loop_rawmem}, {"get", loop_get},
    {"rawget", loop_rawget},
};
enum { NLOOPS = sizeof loops / sizeof loops[0] };

static mv_ssize parse_size(const char *s) {
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || *end || end == s || x < 1 || x > (1LL << 40)) {
        fprintf(stderr, "bench_c: bad size: %s\n", s);
        exit(2);
    }
    return (mv_ssize)x;
}

static void make_owner(mv_ssize n) {
    char *data = malloc((size_t)n);
    if (!data)
        die("malloc", MV_ENOMEM);
    memset(data, 'x', (size_t)n);
    int rc = mv_owner_copy(&owner, data, n);
    free(data);
    if (rc < 0)
        die("mv_owner_copy", rc);
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "--only") == 0) {
        make_owner(argc > 3 ? parse_size(argv[3]) : 500000);
        for (int i = 0; i < NLOOPS; i++)
            if (strcmp(argv[2], loops[i].name) == 0) {
                loops[i].fn();
                mv_owner_release(owner);
                return 0;
            }
        fprintf(stderr, "bench_c: no loop named %s\n", argv[2]);
        return 2;
    }
    mv_ssize n = argc > 1 ? parse_size(argv[1]) : 500000;
    make_owner(n);
    printf("n %lld\n", (long long)n);
    double best[NLOOPS];
    unsigned long long allocs[NLOOPS];
    for (int i = 0; i < NLOOPS; i++)
        best[i] = 1e300;
    /* interleave the loops so that a slow moment of the machine hurts
     * all of them alike */
    for (int r = 0; r < REPEAT; r++)
        for (int i = 0; i < NLOOPS; i++) {
            unsigned long long a0 = n_allocs;
            double t0 = now();
            loops[i].fn();
            double t = now() - t0;
            allocs[i] = n_allocs - a0;
            if (t < best[i])
                best[i] = t;
        }
    for (int i = 0; i < NLOOPS; i++) {
        printf("%s_ns %.4f\n", loops[i].name, best[i] * 1e9 / (double)n);
        if (ALLOCS_KNOWN)
            printf("%s_allocs %llu\n", loops[i].name, allocs[i]);
    }
    mv_owner_release(owner);
    return 0;
}
