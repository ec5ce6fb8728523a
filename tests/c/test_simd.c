/*
 * test_simd.c -- every SIMD loop of reduce.c that this build and CPU have
 * (SSE2, AVX and AVX2 on x86-64, NEON on aarch64) against its scalar twin,
 * result for result and bit for bit:
 *   - byte count at every length 0..300 and alignment 0..63, and across
 *     the points where the byte lanes are flushed;
 *   - float blocks (floats and doubles) at every alignment 0..63, with
 *     NaNs, infinities, signed zeros, subnormals, extremes and random bit
 *     patterns, from an empty and from a running state;
 *   - the public calls take the choice the platform promises (NEON on
 *     aarch64; AVX2/AVX or SSE2 on x86-64), seen through the per-thread
 *     run counters.
 */
#include "test_util.h"

#include <float.h>
#include <math.h>

#include "internal.h"

static const char *const isa_names[MV__SIMD_N] = {"scalar", "sse2", "avx",
                                                  "avx2", "neon"};

/* The choice the library should take here: the platform's promise. */
static int promised_count_choice(void) {
#if defined(__x86_64__) && defined(__GNUC__)
    return !mv__simd_baseline && __builtin_cpu_supports("avx2") ? MV__SIMD_AVX2
                                                                : MV__SIMD_SSE2;
#elif defined(__aarch64__) && defined(__ARM_NEON) && !defined(__ARM_BIG_ENDIAN)
    return MV__SIMD_NEON;
#else
    return MV__SIMD_SCALAR;
#endif
}

static int promised_float_choice(void) {
#if defined(__x86_64__) && defined(__GNUC__)
    return !mv__simd_baseline && __builtin_cpu_supports("avx") ? MV__SIMD_AVX
                                                               : MV__SIMD_SSE2;
#elif defined(__aarch64__) && defined(__ARM_NEON) && !defined(__ARM_BIG_ENDIAN)
    return MV__SIMD_NEON;
#else
    return MV__SIMD_SCALAR;
#endif
}

/* ---- byte count ---------------------------------------------------------- */

/* The choices with a byte count loop here, scalar first; their number. */
static int count_choices(int *out) {
    static const unsigned char none[1];
    int n = 0;
    for (int isa = 0; isa < MV__SIMD_N; isa++) {
        uint64_t r = 7;
        int rc = mv__count_byte_with(isa, none, 0, 0, &r);
        if (rc >= 0) {
            CHECK_EQ(rc, isa);
            CHECK_EQ(r, 0);
            out[n++] = isa;
        } else {
            CHECK_EQ(r, 7);
        }
    }
    CHECK_EQ(out[0], MV__SIMD_SCALAR);
    return n;
}

static uint64_t count_here(const unsigned char *p, size_t n, unsigned char b) {
    uint64_t r = 0;
    for (size_t i = 0; i < n; i++)
        r += p[i] == b;
    return r;
}

/* p[0:n] counted through every choice: all agree with the scalar twin,
 * and the twin with a plain loop here. */
static void check_count(const int *isa, int nisa, const unsigned char *p,
                        size_t n, unsigned char b) {
    uint64_t want = count_here(p, n, b), twin = ~(uint64_t)0;
    CHECK_EQ(mv__count_byte_with(MV__SIMD_SCALAR, p, n, b, &twin),
             MV__SIMD_SCALAR);
    if (twin != want)
        fail_msg("scalar count of %llu bytes: %llu, want %llu",
                 (unsigned long long)n, (unsigned long long)twin,
                 (unsigned long long)want);
    for (int k = 1; k < nisa; k++) {
        uint64_t got = ~(uint64_t)0;
        CHECK_EQ(mv__count_byte_with(isa[k], p, n, b, &got), isa[k]);
        if (got != twin)
            fail_msg("%s count of %llu bytes at alignment %u, byte 0x%02x: "
                     "%llu, scalar %llu",
                     isa_names[isa[k]], (unsigned long long)n,
                     (unsigned)((uintptr_t)p % 64), b, (unsigned long long)got,
                     (unsigned long long)twin);
    }
}

static void test_count_every_length_and_alignment(void **state) {
    (void)state;
    int isa[MV__SIMD_N];
    int nisa = count_choices(isa);
    static _Alignas(64) unsigned char buf[64 + 300 + 64];
    static const unsigned char alphabet[] = {0x00, 0x5a, 0xff, 0x80, 0x01};
    static const unsigned char keys[] = {0x00, 0x5a, 0xff, 0x80};
    uint64_t seed = 11;
    for (unsigned align = 0; align < 64; align++) {
        for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = alphabet[tu_rand(&seed) % sizeof alphabet];
        for (size_t n = 0; n <= 300; n++)
            for (size_t k = 0; k < sizeof keys; k++)
                check_count(isa, nisa, buf + align, n, keys[k]);
    }
}

/* Runs long enough for the byte lanes to be flushed (255 rounds of 16
 * or 64 bytes), made of nothing but the byte (every lane at its fullest),
 * of none of it, and of a pattern. */
static void test_count_lane_flushes(void **state) {
    (void)state;
    int isa[MV__SIMD_N];
    int nisa = count_choices(isa);
    enum { MAXN = 3 * 255 * 64 + 200 };
    static _Alignas(64) unsigned char buf[64 + MAXN];
    static const size_t lens[] = {
        255 * 16 - 1,  255 * 16,      255 * 16 + 1,      256 * 16 + 15,
        255 * 64 - 1,  255 * 64,      255 * 64 + 1,      255 * 64 + 16,
        255 * 64 + 63, 255 * 64 + 64, 2 * 255 * 64 + 47, MAXN,
    };
    static const unsigned aligns[] = {0, 1, 15, 16, 33, 63};
    for (int fill = 0; fill < 3; fill++) {
        for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = fill == 0   ? 0xab
                     : fill == 1 ? 0x00
                                 : (unsigned char)(i % 3 ? 0xab : 0x17);
        for (size_t a = 0; a < sizeof aligns / sizeof aligns[0]; a++)
            for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++)
                check_count(isa, nisa, buf + aligns[a], lens[l], 0xab);
    }
}

/* ---- float blocks -------------------------------------------------------- */

enum { FB = MV__FLOAT_BLOCK };

static double from_bits(uint64_t u) {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* Value i of content pattern kind (seed: its randomness). */
static double pattern(int kind, int i, uint64_t *seed) {
    uint64_t r = tu_rand(seed);
    double sign = r & 1 ? -1.0 : 1.0;
    double frac = (double)(r >> 11) / 9007199254740992.0; /* [0, 1) */
    switch (kind) {
    case 0: /* magnitudes from 2^-30 to 2^30 */
        return sign * ldexp(1.0 + frac, (int)((r >> 3) % 61) - 30);
    case 1: /* NaNs of either sign here and there */
        return r % 7 == 0 ? (r & 2 ? -NAN : NAN) : sign * frac * 1000;
    case 2: /* nothing but NaN */ return NAN;
    case 3: /* one lane of eight has numbers */
        return i % 8 == 5 ? sign * frac : NAN;
    case 4: /* infinities of both signs among numbers: a NaN sum */
        return r % 5 == 0 ? sign * INFINITY : sign * frac;
    case 5: /* signed zeros only: which one min and max keep */
        return r & 2 ? -0.0 : 0.0;
    case 6: /* subnormals and zeros */
        return r % 3 ? sign * DBL_TRUE_MIN * (double)(r >> 40) : sign * 0.0;
    case 7: /* extremes: the sum overflows to an infinity */
        return r % 3 ? DBL_MAX : -frac;
    case 8: /* +infinity only, in some lanes; NaN in the rest */
        return i % 3 ? INFINITY : NAN;
    default: /* any bits: NaN payloads, infinities, subnormals */
        return from_bits(r);
    }
}
enum { NPATTERNS = 10 };

/* Fill FB values at p (floats or doubles, any alignment). */
static void fill(char *p, int is_float, int kind, uint64_t seed) {
    for (int i = 0; i < FB; i++) {
        double d = pattern(kind, i, &seed);
        if (is_float) {
            /* the float of each pattern, never converted from a double
             * out of float's range */
            float f;
            if (kind == NPATTERNS - 1) { /* any float bits */
                uint32_t u = (uint32_t)(tu_rand(&seed) >> 32);
                memcpy(&f, &u, sizeof f);
            } else if (kind == 7 && d == DBL_MAX) {
                f = FLT_MAX;
            } else if (kind == 6 && d != 0) {
                f = (float)(d / DBL_TRUE_MIN) * FLT_TRUE_MIN;
            } else {
                f = (float)d;
            }
            memcpy(p + (size_t)i * 4, &f, 4);
        } else {
            memcpy(p + (size_t)i * 8, &d, 8);
        }
    }
}

/* Equal bit for bit, or both NaN (the NaN an infinite sum makes is the
 * CPU's). */
static bool same(double a, double b) {
    uint64_t x, y;
    memcpy(&x, &a, 8);
    memcpy(&y, &b, 8);
    return x == y || (isnan(a) && isnan(b));
}

static void check_fstate(const mv__fstate *got, const mv__fstate *want, int isa,
                         int is_float, int kind, unsigned align) {
    if (got->nans != want->nans || got->seen != want->seen ||
        !same(got->sum, want->sum) ||
        (want->seen &&
         (!same(got->min, want->min) || !same(got->max, want->max))))
        fail_msg("%s block of %s, pattern %d, alignment %u: sum %.17g min "
                 "%.17g max %.17g nans %lld seen %d; scalar: %.17g %.17g "
                 "%.17g %lld %d",
                 isa_names[isa], is_float ? "floats" : "doubles", kind, align,
                 got->sum, got->min, got->max, (long long)got->nans, got->seen,
                 want->sum, want->min, want->max, (long long)want->nans,
                 want->seen);
}

/* The choices with a float block loop here, scalar first. */
static int float_choices(int *out) {
    static double zeros[FB];
    int n = 0;
    for (int isa = 0; isa < MV__SIMD_N; isa++) {
        mv__fstate st = {0};
        int rc = mv__float_block_with(isa, zeros, 0, &st);
        if (rc >= 0) {
            CHECK_EQ(rc, isa);
            CHECK_TRUE(st.seen && st.sum == 0 && st.nans == 0);
            out[n++] = isa;
        } else {
            CHECK_TRUE(!st.seen && st.nans == 0);
        }
    }
    CHECK_EQ(out[0], MV__SIMD_SCALAR);
    return n;
}

static void test_float_blocks_every_alignment(void **state) {
    (void)state;
    int isa[MV__SIMD_N];
    int nisa = float_choices(isa);
    static _Alignas(64) char buf[64 + FB * 8];
    /* an empty state, and one that has seen numbers and NaNs already */
    const mv__fstate starts[] = {
        {0},
        {.sum = 1.5, .min = -3.0, .max = 7.0, .nans = 2, .seen = true},
        {.sum = -0.0, .min = 0.0, .max = -0.0, .nans = 0, .seen = true},
    };
    for (int is_float = 0; is_float < 2; is_float++)
        for (int kind = 0; kind < NPATTERNS; kind++)
            for (unsigned align = 0; align < 64; align++) {
                fill(buf + align, is_float, kind,
                     1000u * (unsigned)kind + align);
                for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++) {
                    mv__fstate want = starts[s];
                    CHECK_EQ(mv__float_block_with(MV__SIMD_SCALAR, buf + align,
                                                  is_float, &want),
                             MV__SIMD_SCALAR);
                    for (int k = 1; k < nisa; k++) {
                        mv__fstate got = starts[s];
                        CHECK_EQ(mv__float_block_with(isa[k], buf + align,
                                                      is_float, &got),
                                 isa[k]);
                        check_fstate(&got, &want, isa[k], is_float, kind,
                                     align);
                    }
                }
            }
}

/* The scalar twin itself against sums, minima and maxima computed here
 * value by value, where its lanes cannot change the answer (integers:
 * exact sums in any order; no signed zeros). */
static void test_scalar_twin(void **state) {
    (void)state;
    static double d[FB];
    uint64_t seed = 5;
    double sum = 0, mn = INFINITY, mx = -INFINITY;
    mv_ssize nans = 0;
    for (int i = 0; i < FB; i++) {
        uint64_t r = tu_rand(&seed);
        d[i] = r % 9 == 0 ? NAN : (double)(int64_t)(r >> 44) - 500000;
        if (isnan(d[i])) {
            nans++;
            continue;
        }
        sum += d[i];
        mn = d[i] < mn ? d[i] : mn;
        mx = d[i] > mx ? d[i] : mx;
    }
    mv__fstate st = {0};
    CHECK_EQ(mv__float_block_with(MV__SIMD_SCALAR, d, 0, &st), 0);
    CHECK_TRUE(st.seen && st.sum == sum && st.min == mn && st.max == mx);
    CHECK_EQ(st.nans, nans);
}

/* ---- the public calls take the promised choice --------------------------- */

static void check_public_paths(void) {
    CHECK_EQ(mv__simd_count_choice(), promised_count_choice());
    CHECK_EQ(mv__simd_float_choice(), promised_float_choice());
    /* byte count: one run of the choice per call */
    static unsigned char bytes[777];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)(i * 31 % 13);
    mv_owner *o = tu_wrap(bytes, sizeof bytes);
    mv_view v;
    mv_ssize got = -1;
    CHECK_OK(mv_view_from_owner(&v, o));
    int isa = promised_count_choice();
    unsigned long before = mv__simd_runs(isa);
    CHECK_OK(mv_view_count(&v, &(mv_value){.type = MV_VAL_INT, .i = 4}, &got));
    CHECK_EQ(mv__simd_runs(isa), before + 1);
    CHECK_EQ(got, (mv_ssize)count_here(bytes, sizeof bytes, 4));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
    /* stats: one run per block of floats and of doubles */
    static float f[3 * FB + 5];
    static double d[3 * FB + 5];
    for (int i = 0; i < 3 * FB + 5; i++)
        f[i] = (float)(d[i] = (double)(i % 101) - 50);
    for (int k = 0; k < 2; k++) {
        mv_ssize n = 3 * FB + 5, size = k ? 4 : 8;
        void *mem = k ? (void *)f : (void *)d;
        o = tu_wrap(mem, n * size);
        tu_layout_view(&v, o, mem, n * size, k ? "f" : "d", size, 1, &n, NULL,
                       NULL, 1);
        mv_stats s;
        isa = promised_float_choice();
        before = mv__simd_runs(isa);
        CHECK_OK(mv_view_stats(&v, &s));
        CHECK_EQ(mv__simd_runs(isa), before + 3);
        CHECK_TRUE(s.min == -50 && s.max == 50 && s.count == n);
        CHECK_OK(mv_view_release(&v));
        mv_owner_release(o);
    }
}

static void test_public_calls_take_the_promised_choice(void **state) {
    (void)state;
    check_public_paths();
    mv__simd_baseline = 1; /* x86-64: the SSE2 loops; elsewhere no change */
    check_public_paths();
    /* ... and the AVX loops count as missing, whatever the CPU */
    static const char zeros[MV__FLOAT_BLOCK * 8];
    uint64_t r = 7;
    mv__fstate st = {0};
    CHECK_EQ(mv__count_byte_with(MV__SIMD_AVX2, zeros, 1, 0, &r), -1);
    CHECK_EQ(mv__float_block_with(MV__SIMD_AVX, zeros, 0, &st), -1);
    CHECK_EQ(r, 7);
    mv__simd_baseline = 0;
#if defined(__aarch64__) && defined(__ARM_NEON) && !defined(__ARM_BIG_ENDIAN)
    CHECK_EQ(mv__simd_count_choice(), MV__SIMD_NEON);
    CHECK_EQ(mv__simd_float_choice(), MV__SIMD_NEON);
#endif
    CHECK_EQ(mv__simd_runs(-1), 0);
    CHECK_EQ(mv__simd_runs(MV__SIMD_N), 0);
}

/* Views of n values at every alignment, through the public call (blocks
 * and tails), against counts, sums, minima and maxima computed here. */
static void test_stats_lengths_and_alignments(void **state) {
    (void)state;
    static _Alignas(64) char buf[64 + (FB + 300) * 8];
    static const mv_ssize lens[] = {
        0, 1, 7, 8, 9, 300, FB - 1, FB, FB + 1, FB + 7, FB + 8, FB + 299};
    for (int k = 0; k < 2; k++) {
        mv_ssize size = k ? 4 : 8;
        for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
            mv_ssize n = lens[l];
            for (unsigned align = 0; align < 64; align++) {
                uint64_t seed = 99 + (uint64_t)n;
                double sum = 0, mn = INFINITY, mx = -INFINITY;
                mv_ssize nans = 0;
                for (mv_ssize i = 0; i < n; i++) {
                    /* integers: the sum is exact in any order */
                    double x =
                        tu_rand(&seed) % 11 == 0
                            ? NAN
                            : (double)(int)(tu_rand(&seed) % 2001) - 1000;
                    if (isnan(x)) {
                        nans++;
                    } else {
                        sum += x;
                        mn = x < mn ? x : mn;
                        mx = x > mx ? x : mx;
                    }
                    if (k) {
                        float fx = (float)x;
                        memcpy(buf + align + i * 4, &fx, 4);
                    } else {
                        memcpy(buf + align + i * 8, &x, 8);
                    }
                }
                mv_owner *o = tu_wrap(buf + align, n * size);
                mv_view v;
                mv_stats s;
                tu_layout_view(&v, o, buf + align, n * size, k ? "f" : "d",
                               size, 1, &n, NULL, NULL, 1);
                CHECK_OK(mv_view_stats(&v, &s));
                CHECK_OK(mv_view_release(&v));
                mv_owner_release(o);
                CHECK_EQ(s.count, n);
                CHECK_EQ(s.nans, nans);
                CHECK_TRUE(s.nansum == sum);
                if (nans < n)
                    CHECK_TRUE(s.nanmin == mn && s.nanmax == mx);
                else
                    CHECK_TRUE(isnan(s.nanmin) && isnan(s.nanmax));
            }
        }
    }
}

/* The same doubles and floats in either byte order: the same sums bit for
 * bit (a float sum's order does not depend on whether the values are in
 * the host's order), at lengths around the block. */
static void test_either_byte_order_sums_alike(void **state) {
    (void)state;
    enum { M = 3 * FB + 100 };
    static unsigned char le[M * 8], be[M * 8];
    static const mv_ssize lens[] = {FB - 1, FB, FB + 5, 2 * FB + 17, M};
    for (int k = 0; k < 2; k++) {
        mv_ssize size = k ? 4 : 8;
        uint64_t seed = 3;
        for (int i = 0; i < M; i++) {
            double d = pattern(i % 50 == 0 ? 1 : 0, i, &seed);
            float f = (float)d;
            unsigned char b[8];
            if (k)
                memcpy(b, &f, 4);
            else
                memcpy(b, &d, 8);
            /* b is in host order: le and be say it in theirs */
            const uint16_t one = 1;
            bool host_le = *(const unsigned char *)&one == 1;
            for (mv_ssize j = 0; j < size; j++) {
                unsigned char x = b[host_le ? j : size - 1 - j];
                le[i * size + j] = x;
                be[i * size + size - 1 - j] = x;
            }
        }
        for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
            mv_ssize n = lens[l];
            mv_stats s[2];
            for (int order = 0; order < 2; order++) {
                void *mem = order ? (void *)be : (void *)le;
                const char *fmt = order ? (k ? ">f" : ">d") : (k ? "<f" : "<d");
                mv_owner *o = tu_wrap(mem, n * size);
                mv_view v;
                tu_layout_view(&v, o, mem, n * size, fmt, size, 1, &n, NULL,
                               NULL, 1);
                CHECK_OK(mv_view_stats(&v, &s[order]));
                CHECK_OK(mv_view_release(&v));
                mv_owner_release(o);
            }
            CHECK_EQ(s[0].nans, s[1].nans);
            if (!same(s[0].nansum, s[1].nansum) ||
                !same(s[0].nanmin, s[1].nanmin) ||
                !same(s[0].nanmax, s[1].nanmax))
                fail_msg("%s, %lld values: '<' sum %.17g min %.17g max "
                         "%.17g, '>' sum %.17g min %.17g max %.17g",
                         k ? "floats" : "doubles", (long long)n, s[0].nansum,
                         s[0].nanmin, s[0].nanmax, s[1].nansum, s[1].nanmin,
                         s[1].nanmax);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count_every_length_and_alignment),
        cmocka_unit_test(test_count_lane_flushes),
        cmocka_unit_test(test_float_blocks_every_alignment),
        cmocka_unit_test(test_scalar_twin),
        cmocka_unit_test(test_public_calls_take_the_promised_choice),
        cmocka_unit_test(test_stats_lengths_and_alignments),
        cmocka_unit_test(test_either_byte_order_sums_alike),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
