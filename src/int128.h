/*
 * int128.h -- exact 128-bit two's complement integers, for sums of 64-bit
 * values: the reductions' running sum (reduce.c) and its decimal spelling
 * (the CLI). Not installed.
 *
 * Rules:
 *   1. Every platform gives the same results. Where the compiler has a
 *      128-bit integer (__SIZEOF_INT128__: GCC and Clang on 64-bit
 *      targets) mv__i128 is one, so the sum loops stay a pair of add and
 *      add-with-carry instructions; elsewhere (32-bit targets, MSVC) it is
 *      a pair of 64-bit halves with the carry computed in portable C.
 *   2. The portable twin (mv__i128p_*) is always compiled, so that tests
 *      compare it with the compiler's type wherever both exist
 *      (tests/c/test_int128.c). MV__NO_INT128 selects it everywhere.
 *   3. Arithmetic wraps modulo 2^128, as unsigned arithmetic does: no
 *      undefined behaviour. A sum of fewer than 2^63 values of 64 bits
 *      never wraps.
 */
#ifndef MEMVIEW_INT128_H
#define MEMVIEW_INT128_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- the portable twin ---- */

/* Two halves: the value is hi * 2^64 + lo, hi read as signed. */
typedef struct mv__i128p {
    uint64_t lo, hi;
} mv__i128p;

static inline mv__i128p mv__i128p_make(int64_t hi, uint64_t lo) {
    mv__i128p r = {lo, (uint64_t)hi};
    return r;
}
static inline mv__i128p mv__i128p_add(mv__i128p a, mv__i128p b) {
    mv__i128p r;
    r.lo = a.lo + b.lo;
    r.hi = a.hi + b.hi + (r.lo < a.lo);
    return r;
}
static inline mv__i128p mv__i128p_add_i64(mv__i128p a, int64_t x) {
    return mv__i128p_add(a, mv__i128p_make(x < 0 ? -1 : 0, (uint64_t)x));
}
static inline mv__i128p mv__i128p_add_u64(mv__i128p a, uint64_t x) {
    return mv__i128p_add(a, mv__i128p_make(0, x));
}
/* a + x * 2^32 */
static inline mv__i128p mv__i128p_add_shl32(mv__i128p a, int64_t x) {
    /* the high half is x >> 32 rounded towards minus infinity */
    uint64_t hi = (uint64_t)x >> 32 | (x < 0 ? (uint64_t)0xffffffff << 32 : 0);
    return mv__i128p_add(a, mv__i128p_make((int64_t)hi, (uint64_t)x << 32));
}
static inline int64_t mv__i128p_hi(mv__i128p a) {
    /* two's complement reading without implementation-defined conversion */
    return a.hi >> 63 ? -(int64_t)(~a.hi) - 1 : (int64_t)a.hi;
}
static inline uint64_t mv__i128p_lo(mv__i128p a) { return a.lo; }
static inline bool mv__i128p_negative(mv__i128p a) { return a.hi >> 63; }
/* |a| as an unsigned 128-bit value (2^127 for the smallest) */
static inline mv__i128p mv__i128p_abs(mv__i128p a) {
    if (!mv__i128p_negative(a))
        return a;
    mv__i128p r = {~a.lo + 1, ~a.hi};
    r.hi += r.lo == 0;
    return r;
}

/* a as the nearest double (ties to even), as a conversion of the
 * compiler's 128-bit integer gives it. */
static inline double mv__i128p_to_double(mv__i128p a) {
    mv__i128p m = mv__i128p_abs(a);
    double d;
    if (m.hi == 0) {
        d = (double)m.lo;
    } else {
        /* the top 64 bits, the bits below folded into the lowest one
         * (sticky): a 64-bit value rounds to 53 bits as the whole would */
        int n = 0;
        while (!((m.hi << n) >> 63)) /* m.hi != 0: n stops below 64 */
            n++;
        uint64_t top = m.hi << n | (n ? m.lo >> (64 - n) : 0);
        uint64_t rest = m.lo << n;
        d = ldexp((double)(top | (rest != 0)), 64 - n);
    }
    return mv__i128p_negative(a) ? -d : d;
}

/* a in decimal, with a '-' when negative, NUL-terminated, into buf (41
 * bytes: 39 digits, a sign and the NUL); returns the length. */
static inline int mv__i128p_to_dec(mv__i128p a, char buf[41]) {
    mv__i128p m = mv__i128p_abs(a);
    uint32_t limb[4] = {(uint32_t)(m.hi >> 32), (uint32_t)m.hi,
                        (uint32_t)(m.lo >> 32), (uint32_t)m.lo};
    char d[40];
    int n = 0, len = 0;
    do { /* divide the four 32-bit limbs by 10, remainder = next digit */
        uint64_t r = 0;
        for (int i = 0; i < 4; i++) {
            uint64_t cur = r << 32 | limb[i];
            limb[i] = (uint32_t)(cur / 10);
            r = cur % 10;
        }
        d[n++] = (char)('0' + (int)r);
    } while (limb[0] | limb[1] | limb[2] | limb[3]);
    if (mv__i128p_negative(a))
        buf[len++] = '-';
    while (n)
        buf[len++] = d[--n];
    buf[len] = '\0';
    return len;
}

/* ---- mv__i128: the compiler's type where it has one, else the twin ---- */

#if defined(__SIZEOF_INT128__) && !defined(MV__NO_INT128)
#define MV__HAVE_INT128 1
__extension__ typedef __int128 mv__i128;
__extension__ typedef unsigned __int128 mv__u128;

static inline mv__i128 mv__i128_make(int64_t hi, uint64_t lo) {
    return (mv__i128)((mv__u128)(uint64_t)hi << 64 | lo);
}
static inline mv__i128 mv__i128_add(mv__i128 a, mv__i128 b) {
    return (mv__i128)((mv__u128)a + (mv__u128)b);
}
static inline mv__i128 mv__i128_add_i64(mv__i128 a, int64_t x) {
    return mv__i128_add(a, x);
}
static inline mv__i128 mv__i128_add_u64(mv__i128 a, uint64_t x) {
    return mv__i128_add(a, x);
}
static inline mv__i128 mv__i128_add_shl32(mv__i128 a, int64_t x) {
    return mv__i128_add(a, (mv__i128)x * ((mv__i128)1 << 32));
}
static inline int64_t mv__i128_hi(mv__i128 a) { return (int64_t)(a >> 64); }
static inline uint64_t mv__i128_lo(mv__i128 a) { return (uint64_t)a; }
static inline double mv__i128_to_double(mv__i128 a) { return (double)a; }
static inline int mv__i128_to_dec(mv__i128 a, char buf[41]) {
    return mv__i128p_to_dec(mv__i128p_make(mv__i128_hi(a), mv__i128_lo(a)),
                            buf);
}
#else
#define MV__HAVE_INT128 0
typedef mv__i128p mv__i128;
#define mv__i128_make mv__i128p_make
#define mv__i128_add mv__i128p_add
#define mv__i128_add_i64 mv__i128p_add_i64
#define mv__i128_add_u64 mv__i128p_add_u64
#define mv__i128_add_shl32 mv__i128p_add_shl32
#define mv__i128_hi mv__i128p_hi
#define mv__i128_lo mv__i128p_lo
#define mv__i128_to_double mv__i128p_to_double
#define mv__i128_to_dec mv__i128p_to_dec
#endif

#endif
