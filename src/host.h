/*
 * host.h -- what memview needs to know about the machine it runs on, each
 * rule once: the host's byte order, copies of values in either byte order,
 * and atomic reference counts. Not installed.
 *
 * The byte swaps themselves (MV__BSWAP16/32/64, mv__load16/32/64) live in
 * memview.h, because its inline fast paths need them too.
 */
#ifndef MEMVIEW_HOST_H
#define MEMVIEW_HOST_H

#include "memview.h"

#include <stdbool.h>
#include <string.h>

/* ---- byte order ---- */

/* MV__HOST_BIG_ENDIAN: 1 on a big-endian CPU (s390x, ppc64, ...), else 0.
 * GCC and Clang say which; MSVC, which does not, targets little-endian
 * CPUs only. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) &&                \
    defined(__ORDER_LITTLE_ENDIAN__)
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define MV__HOST_BIG_ENDIAN 1
#elif __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define MV__HOST_BIG_ENDIAN 0
#else
#error "memview: mixed-endian hosts are not supported"
#endif
#elif defined(_MSC_VER)
#define MV__HOST_BIG_ENDIAN 0
#else
#error "memview: cannot tell the host's byte order"
#endif

/* The struct module's prefix that names the host's order: '<' or '>'. */
#define MV__HOST_ORDER (MV__HOST_BIG_ENDIAN ? '>' : '<')

/* True when prefix c ('<', '>', '!') names the host's byte order. */
static inline bool mv__is_host_order(char c) {
    return MV__HOST_BIG_ENDIAN ? c == '>' || c == '!' : c == '<';
}

/* Copy the n-byte value at src to dst (not overlapping), with its bytes
 * reversed when swap: how a value moves between the host's byte order and
 * the other. Assumption: a swapped value has 2, 4 or 8 bytes (struct.c
 * swaps numbers of more than one byte; a complex number is swapped part
 * by part). */
static inline void mv__copy_ordered(void *dst, const void *src, size_t n,
                                    bool swap) {
    if (!swap) {
        memcpy(dst, src, n);
        return;
    }
    switch (n) {
    case 2: {
        uint16_t u = mv__load16(src, 1);
        memcpy(dst, &u, 2);
        return;
    }
    case 4: {
        uint32_t u = mv__load32(src, 1);
        memcpy(dst, &u, 4);
        return;
    }
    default: { /* 8 */
        uint64_t u = mv__load64(src, 1);
        memcpy(dst, &u, 8);
        return;
    }
    }
}

/* ---- atomic reference counts ---- */

/* Counts are plain longs (mv_format's refs_ is one, in the public struct),
 * changed only through these three. Taking a reference needs no ordering;
 * dropping one orders every earlier use before the free that follows the
 * last drop. */
#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
static inline void mv__ref_incr(long *n) { _InterlockedIncrement(n); }
static inline long mv__ref_decr(long *n) { return _InterlockedDecrement(n); }
static inline long mv__ref_load(const long *n) {
    return _InterlockedOr((long *)n, 0);
}
#else
static inline void mv__ref_incr(long *n) {
    __atomic_add_fetch(n, 1, __ATOMIC_RELAXED);
}
/* The count after the drop: 0 when it was the last reference. */
static inline long mv__ref_decr(long *n) {
    return __atomic_sub_fetch(n, 1, __ATOMIC_ACQ_REL);
}
static inline long mv__ref_load(const long *n) {
    return __atomic_load_n(n, __ATOMIC_ACQUIRE);
}
#endif

#endif
