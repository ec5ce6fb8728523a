/*
 * bench_field.c -- one field of one record read through the C API against
 * a raw pointer read, for instruction counts under callgrind.
 *
 * Records of format T{<I:id:<f:x:} (or T{>I:id:>f:x:}, byte-swapped on a
 * little-endian machine); each loop reads field x of every record once and
 * sums it:
 *   field     mv_view_get_field() with a reference resolved once;
 *   raw       a float loaded from base + i * 8 + 4, after the bounds check
 *             any index read makes;
 *   fieldbe / rawbe   the same on big-endian records (the raw loop swaps
 *             the bytes itself).
 *
 *     bench_field --only LOOP [n]   (valgrind --toggle-collect=loop_LOOP)
 */
#include "memview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

static mv_owner *owner;
static mv_ssize n;
static volatile double sink;

static void die(const char *what, int rc) {
    fprintf(stderr, "bench_field: %s: %s\n", what, mv_errmsg());
    exit(rc < 0 ? 1 : 2);
}

static void view(mv_view *v, const char *fmt) {
    mv_layout l = {.buf = mv_owner_data(owner),
                   .nbytes = n * 8,
                   .itemsize = 8,
                   .format = fmt,
                   .ndim = 1};
    int rc = mv_view_from_layout(v, owner, &l);
    if (rc < 0)
        die("mv_view_from_layout", rc);
}

/* The field loop over records of format FMT, as function NAME. */
#define FIELD_LOOP(NAME, FMT)                                                  \
    NOINLINE static void NAME(void) {                                          \
        mv_view v;                                                             \
        mv_fieldref x;                                                         \
        view(&v, FMT);                                                         \
        int rc = mv_view_field(&v, "x", &x);                                   \
        if (rc < 0)                                                            \
            die("mv_view_field", rc);                                          \
        double sum = 0;                                                        \
        for (mv_ssize i = 0; i < n; i++) {                                     \
            mv_value val;                                                      \
            if ((rc = mv_view_get_field(&v, i, &x, &val)) < 0)                 \
                die("mv_view_get_field", rc);                                  \
            sum += val.f;                                                      \
        }                                                                      \
        sink = sum;                                                            \
        mv_view_release(&v);                                                   \
    }
FIELD_LOOP(loop_field, "T{<I:id:<f:x:}")
FIELD_LOOP(loop_fieldbe, "T{>I:id:>f:x:}")

/* The raw loop, the bytes swapped by SWAP (nothing or a bswap). */
#define RAW_LOOP(NAME, SWAP)                                                   \
    NOINLINE static void NAME(void) {                                          \
        const char *base = mv_owner_data(owner);                               \
        mv_ssize len = n;                                                      \
        double sum = 0;                                                        \
        for (mv_ssize i = 0; i < len; i++) {                                   \
            if (i < 0 || i >= len) /* the check any index read makes */        \
                die("raw read", -1);                                           \
            uint32_t u;                                                        \
            memcpy(&u, base + i * 8 + 4, 4);                                   \
            u = SWAP(u);                                                       \
            float f;                                                           \
            memcpy(&f, &u, 4);                                                 \
            sum += f;                                                          \
        }                                                                      \
        sink = sum;                                                            \
    }
#define NO_SWAP(u) (u)
RAW_LOOP(loop_raw, NO_SWAP)
RAW_LOOP(loop_rawbe, __builtin_bswap32)

static const struct {
    const char *name;
    void (*fn)(void);
} loops[] = {{"field", loop_field},
             {"raw", loop_raw},
             {"fieldbe", loop_fieldbe},
             {"rawbe", loop_rawbe}};

int main(int argc, char **argv) {
    if (argc < 3 || strcmp(argv[1], "--only") != 0) {
        fprintf(stderr, "usage: bench_field --only LOOP [n]\n");
        return 2;
    }
    n = argc > 3 ? atol(argv[3]) : 100000;
    if (n < 1)
        return 2;
    char *data = calloc((size_t)n, 8);
    if (!data)
        return 1;
    for (mv_ssize i = 0; i < n; i++) {
        float f = (float)i;
        memcpy(data + i * 8 + 4, &f, 4);
    }
    int rc = mv_owner_copy(&owner, data, n * 8);
    free(data);
    if (rc < 0)
        die("mv_owner_copy", rc);
    for (size_t i = 0; i < sizeof loops / sizeof loops[0]; i++)
        if (strcmp(argv[2], loops[i].name) == 0) {
            loops[i].fn();
            mv_owner_release(owner);
            return 0;
        }
    fprintf(stderr, "bench_field: no loop named %s\n", argv[2]);
    return 2;
}
