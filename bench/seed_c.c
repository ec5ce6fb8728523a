/*
 * seed_c.c -- the article's experiment through memview's C API.
 *
 *     while b: b = b[1:]
 *
 * For each size n given on the command line (default 100000 .. 500000
 * by 100000), a view of n bytes is narrowed by one byte until it is
 * empty, with mv_view_narrow(); the same loop then runs on a raw
 * pointer and length. Each loop is timed several times and the best
 * run is kept. One line per size:
 *
 *     n seconds_view seconds_raw
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
 * compiler cannot fold the raw loop into one subtraction. */
#define OPAQUE(x) __asm__ volatile("" : "+r"(x))

enum { REPEAT = 5 };

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int die(const char *what, int status) {
    fprintf(stderr, "seed_c: %s: %s: %s\n", what, mv_err_name(status),
            mv_errmsg());
    return 1;
}

/* Python's b = b[1:] on a pointer and a length, clamped as Python
 * clamps: start 1 (or len if shorter), stop len. */
static inline void raw_drop_first(const char **p, mv_ssize *len) {
    mv_ssize start = *len < 1 ? *len : 1;
    *p += start;
    *len -= start;
}

static int run(mv_ssize n, double *t_view, double *t_raw) {
    char *data = malloc((size_t)n);
    if (!data)
        return die("malloc", MV_ENOMEM);
    memset(data, 'x', (size_t)n);
    mv_owner *o;
    int rc = mv_owner_copy(&o, data, n);
    free(data);
    if (rc < 0)
        return die("mv_owner_copy", rc);

    *t_view = *t_raw = 1e300;
    for (int r = 0; r < REPEAT; r++) {
        mv_view v;
        if ((rc = mv_view_from_owner(&v, o)) < 0)
            return die("mv_view_from_owner", rc);
        double t0 = now();
        while (v.nbytes)
            if ((rc = mv_view_narrow(&v, 1, MV_END, 1)) < 0)
                return die("mv_view_narrow", rc);
        double t1 = now();
        mv_view_release(&v);
        if (t1 - t0 < *t_view)
            *t_view = t1 - t0;

        const char *p = mv_owner_data(o);
        mv_ssize len = mv_owner_size(o);
        t0 = now();
        while (len) {
            raw_drop_first(&p, &len);
            OPAQUE(p);
            OPAQUE(len);
        }
        t1 = now();
        if (t1 - t0 < *t_raw)
            *t_raw = t1 - t0;
    }
    mv_owner_release(o);
    return 0;
}

int main(int argc, char **argv) {
    static const mv_ssize defaults[] = {100000, 200000, 300000, 400000, 500000};
    int count = argc > 1 ? argc - 1 : 5;
    for (int i = 0; i < count; i++) {
        mv_ssize n = defaults[i % 5];
        if (argc > 1) {
            char *end;
            errno = 0;
            long long x = strtoll(argv[i + 1], &end, 10);
            if (errno || *end || end == argv[i + 1] || x < 0 ||
                x > (long long)(MV_SSIZE_MAX / 2)) {
                fprintf(stderr, "seed_c: bad size: %s\n", argv[i + 1]);
                return 2;
            }
            n = (mv_ssize)x;
        }
        double tv, tr;
        if (run(n, &tv, &tr))
            return 1;
        printf("%lld %.9f %.9f\n", (long long)n, tv, tr);
    }
    return 0;
}
