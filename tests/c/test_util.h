/*
 * test_util.h -- helpers shared by memview's C unit tests (cmocka).
 *
 * Every check that a call fails also checks the status kind and, where
 * CPython has one, the message word for word.
 */
#ifndef MEMVIEW_TEST_UTIL_H
#define MEMVIEW_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "memview.h"

/* expr must return exactly want. */
#define CHECK_STATUS(expr, want)                                               \
    do {                                                                       \
        int rc_ = (expr);                                                      \
        int want_ = (want);                                                    \
        if (rc_ != want_)                                                      \
            fail_msg("%s:%d: %s returned %d (%s), want %d (%s); message "      \
                     "\"%s\"",                                                 \
                     __FILE__, __LINE__, #expr, rc_, mv_err_name(rc_), want_,  \
                     mv_err_name(want_), mv_errmsg());                         \
    } while (0)

#define CHECK_OK(expr) CHECK_STATUS(expr, MV_OK)

/* expr must fail with status want and exactly the message msg. */
#define CHECK_ERR(expr, want, msg)                                             \
    do {                                                                       \
        CHECK_STATUS(expr, want);                                              \
        if (strcmp(mv_errmsg(), (msg)) != 0)                                   \
            fail_msg("%s:%d: %s: message \"%s\", want \"%s\"", __FILE__,       \
                     __LINE__, #expr, mv_errmsg(), (msg));                     \
    } while (0)

/* expr must fail with some negative status and a non-empty message. */
#define CHECK_FAILS(expr)                                                      \
    do {                                                                       \
        int rc_ = (expr);                                                      \
        if (rc_ >= 0)                                                          \
            fail_msg("%s:%d: %s returned %d, want a failure", __FILE__,        \
                     __LINE__, #expr, rc_);                                    \
        if (mv_errmsg()[0] == '\0')                                            \
            fail_msg("%s:%d: %s failed with an empty message", __FILE__,       \
                     __LINE__, #expr);                                         \
    } while (0)

#define CHECK_TRUE(cond)                                                       \
    do {                                                                       \
        if (!(cond))                                                           \
            fail_msg("%s:%d: expected %s", __FILE__, __LINE__, #cond);         \
    } while (0)

#define CHECK_EQ(a, b)                                                         \
    do {                                                                       \
        long long a_ = (long long)(a), b_ = (long long)(b);                    \
        if (a_ != b_)                                                          \
            fail_msg("%s:%d: %s == %lld, want %s == %lld", __FILE__, __LINE__, \
                     #a, a_, #b, b_);                                          \
    } while (0)

/* Sizes that overflow mv_ssize on every target: 2^62 on 64-bit ones, 2^30
 * on 32-bit ones (a product of two is far past MV_SSIZE_MAX), and
 * 2^32 / 2^16 (a product of two just past it). */
#define TU_HUGE ((mv_ssize)(MV_SSIZE_MAX / 2 + 1))
#define TU_HALF_WIDTH ((mv_ssize)1 << (4 * sizeof(mv_ssize)))

/* ---- byte order: tests compute the bytes they expect from a format's
 * byte order, never from the host's ---- */

/* 1 on a big-endian host. */
static inline int tu_host_big(void) {
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 0;
}
/* The struct prefix of the host's order, and of the other one. */
static inline char tu_host_order(void) { return tu_host_big() ? '>' : '<'; }
static inline char tu_other_order(void) { return tu_host_big() ? '<' : '>'; }
/* Store the low size bytes of x at p in byte order o ('<', '>', or '@'
 * and '=' for the host's), and read them back. */
static inline void tu_put(void *p, uint64_t x, int size, char o) {
    int big = o == '>' || o == '!' || ((o == '@' || o == '=') && tu_host_big());
    unsigned char *b = p;
    for (int i = 0; i < size; i++)
        b[big ? size - 1 - i : i] = (unsigned char)(x >> (8 * i));
}
static inline uint64_t tu_get(const void *p, int size, char o) {
    int big = o == '>' || o == '!' || ((o == '@' || o == '=') && tu_host_big());
    const unsigned char *b = p;
    uint64_t x = 0;
    for (int i = 0; i < size; i++)
        x |= (uint64_t)b[big ? size - 1 - i : i] << (8 * i);
    return x;
}

/* ---- a small deterministic random generator (xorshift64*) ---- */

static inline uint64_t tu_rand(uint64_t *s) {
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 2685821657736338717ull;
}

/* A value in [lo, hi] (hi - lo must fit in uint64_t - 1). */
static inline mv_ssize tu_range(uint64_t *s, mv_ssize lo, mv_ssize hi) {
    uint64_t span = (uint64_t)hi - (uint64_t)lo + 1u;
    uint64_t r = span ? tu_rand(s) % span : tu_rand(s);
    return (mv_ssize)((uint64_t)lo + r);
}

/* ---- views over caller memory ---- */

/* Fill n bytes with a recognisable pattern. */
static inline void tu_pattern(void *p, size_t n, unsigned seed) {
    unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        c[i] = (unsigned char)(i * 7u + seed * 13u + 3u);
}

/* A writable wrapped owner of n bytes at data (no release callback). */
static inline mv_owner *tu_wrap(void *data, mv_ssize n) {
    mv_owner *o = NULL;
    CHECK_OK(mv_owner_wrap(&o, data, n, 0, NULL, NULL));
    return o;
}

/* A view with the given layout; fails the test on error. */
static inline void tu_layout_view(mv_view *v, mv_owner *o, void *buf,
                                  mv_ssize len, const char *format,
                                  mv_ssize itemsize, int ndim,
                                  const mv_ssize *shape,
                                  const mv_ssize *strides,
                                  const mv_ssize *suboffsets, int readonly) {
    mv_layout l;
    memset(&l, 0, sizeof l);
    l.buf = buf;
    l.nbytes = len;
    l.itemsize = itemsize;
    l.format = format;
    l.ndim = ndim;
    l.shape = shape;
    l.strides = strides;
    l.suboffsets = suboffsets;
    l.readonly = readonly;
    CHECK_OK(mv_view_from_layout(v, o, &l));
}

/* Address of the item at idx computed independently of the core, from
 * the view's public geometry (strides and suboffsets as PEP 3118 says). */
static inline char *tu_item_addr(const mv_view *v, const mv_ssize *idx) {
    char *p = v->buf;
    for (int d = 0; d < v->ndim; d++) {
        p += v->strides[d] * idx[d];
        if (v->suboffsets && v->suboffsets[d] >= 0) {
            char *q;
            memcpy(&q, p, sizeof q);
            p = q + v->suboffsets[d];
        }
    }
    return p;
}

/* Advance idx over shape in C order (last index fastest) or Fortran order
 * (first index fastest). Returns 0 after the last index. */
static inline int tu_next_index(mv_ssize *idx, const mv_ssize *shape, int ndim,
                                int fortran) {
    for (int k = 0; k < ndim; k++) {
        int d = fortran ? k : ndim - 1 - k;
        if (++idx[d] < shape[d])
            return 1;
        idx[d] = 0;
    }
    return 0;
}

/* Number of items of a view (product of its shape). */
static inline mv_ssize tu_nitems(const mv_view *v) {
    mv_ssize n = 1;
    for (int d = 0; d < v->ndim; d++)
        n *= v->shape[d];
    return n;
}

/* Reference copy of v's items in C ('C') or Fortran ('F') order. */
static inline void tu_ref_copy(const mv_view *v, char *out, int fortran) {
    mv_ssize idx[MV_MAXDIM] = {0};
    if (tu_nitems(v) == 0)
        return;
    do {
        memcpy(out, tu_item_addr(v, idx), (size_t)v->itemsize);
        out += v->itemsize;
    } while (tu_next_index(idx, v->shape, v->ndim, fortran));
}

/* Reference contiguity, as CPython's memoryview computes its flags. */
static inline int tu_ref_contig(const mv_view *v, int fortran) {
    if (v->suboffsets)
        return 0;
    if (v->ndim == 0)
        return 1;
    if (v->ndim == 1)
        return v->shape[0] == 1 || v->strides[0] == v->itemsize;
    if (tu_nitems(v) == 0)
        return 1;
    mv_ssize sd = v->itemsize;
    for (int k = 0; k < v->ndim; k++) {
        int d = fortran ? k : v->ndim - 1 - k;
        if (v->shape[d] > 1 && v->strides[d] != sd)
            return 0;
        sd *= v->shape[d];
    }
    return 1;
}

/* Whether p lies inside the object at base of size n. */
static inline int tu_inside(const void *p, const void *base, size_t n) {
    uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;
    return a >= b && a < b + n;
}

/* Values offered to mv_format_pack/mv_view_set, one constructor a value type.
 */
static inline mv_value vint(int64_t i) {
    return (mv_value){.type = MV_VAL_INT, .i = i};
}
static inline mv_value vuint(uint64_t u) {
    return (mv_value){.type = MV_VAL_UINT, .u = u};
}
static inline mv_value vbig(int sign) {
    return (mv_value){.type = MV_VAL_BIGINT, .i = sign};
}
static inline mv_value vfloat(double f) {
    return (mv_value){.type = MV_VAL_FLOAT, .f = f};
}
static inline mv_value vbool(int b) {
    return (mv_value){.type = MV_VAL_BOOL, .i = b};
}
static inline mv_value vbytes(const char *p, mv_ssize n) {
    return (mv_value){.type = MV_VAL_BYTES, .s = {p, n}};
}
static inline mv_value vother(void) { return (mv_value){.type = MV_VAL_OTHER}; }

#endif
