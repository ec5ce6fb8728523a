/*
 * test_int128.c -- the exact 128-bit sums of src/int128.h: the portable
 * twin against values worked out by hand (on every platform), and against
 * the compiler's 128-bit integer where it has one; the byte swaps of
 * memview.h's portable C against the builtins.
 */
#include "test_util.h"

#include <math.h>

#include "host.h"
#include "int128.h"

static mv__i128p P(int64_t hi, uint64_t lo) { return mv__i128p_make(hi, lo); }

static void check_dec(mv__i128p a, const char *want) {
    char buf[41];
    int n = mv__i128p_to_dec(a, buf);
    if (strcmp(buf, want) != 0 || n != (int)strlen(want))
        fail_msg("to_dec: \"%s\" (%d), want \"%s\"", buf, n, want);
}

/* Known values: carries across the halves, the extremes, decimal. */
static void test_portable_known(void **state) {
    (void)state;
    mv__i128p a = mv__i128p_add_u64(P(0, UINT64_MAX), 1);
    CHECK_EQ(mv__i128p_hi(a), 1);
    CHECK_TRUE(mv__i128p_lo(a) == 0);
    a = mv__i128p_add_i64(P(0, 0), -1);
    CHECK_EQ(mv__i128p_hi(a), -1);
    CHECK_TRUE(mv__i128p_lo(a) == UINT64_MAX);
    a = mv__i128p_add_i64(a, 1); /* -1 + 1: the carry clears the high half */
    CHECK_EQ(mv__i128p_hi(a), 0);
    CHECK_TRUE(mv__i128p_lo(a) == 0);
    a = mv__i128p_add_shl32(P(0, 0), -1); /* -2^32 */
    CHECK_EQ(mv__i128p_hi(a), -1);
    CHECK_TRUE(mv__i128p_lo(a) == (uint64_t)0xffffffff00000000u);
    a = mv__i128p_add_shl32(P(0, 0), INT64_MAX); /* (2^63 - 1) * 2^32 */
    CHECK_EQ(mv__i128p_hi(a), 0x7fffffff);
    CHECK_TRUE(mv__i128p_lo(a) == (uint64_t)0xffffffff00000000u);
    a = mv__i128p_add_shl32(P(0, 0), INT64_MIN); /* -2^95 */
    CHECK_TRUE(mv__i128p_hi(a) == -((int64_t)1 << 31));
    CHECK_TRUE(mv__i128p_lo(a) == 0);

    check_dec(P(0, 0), "0");
    check_dec(P(-1, UINT64_MAX), "-1");
    check_dec(P(0, UINT64_MAX), "18446744073709551615");
    check_dec(P(1, 0), "18446744073709551616");
    check_dec(P(-1, 0), "-18446744073709551616");
    check_dec(P(INT64_MAX, UINT64_MAX),
              "170141183460469231731687303715884105727");
    check_dec(P(INT64_MIN, 0), "-170141183460469231731687303715884105728");

    CHECK_TRUE(mv__i128p_to_double(P(0, 0)) == 0.0);
    CHECK_TRUE(mv__i128p_to_double(P(-1, UINT64_MAX)) == -1.0);
    CHECK_TRUE(mv__i128p_to_double(P(1, 0)) == 0x1p64);
    CHECK_TRUE(mv__i128p_to_double(P(INT64_MIN, 0)) == -0x1p127);
    CHECK_TRUE(mv__i128p_to_double(P(INT64_MAX, UINT64_MAX)) == 0x1p127);
    /* 2^64 + 2^11 + 1: above the halfway point between two doubles of
     * 2^64's binade only because of the last bit (the sticky bit) */
    CHECK_TRUE(mv__i128p_to_double(P(1, 2049)) == 0x1p64 + 0x1p12);
    /* 2^64 + 2^11: exactly halfway, ties to even */
    CHECK_TRUE(mv__i128p_to_double(P(1, 2048)) == 0x1p64);
    /* 2^65 + 3 * 2^12: halfway, rounds up to the even neighbour */
    CHECK_TRUE(mv__i128p_to_double(P(2, 3 * 4096)) == 0x1p65 + 0x1p14);
}

/* The twin against the compiler's type, on random operands. */
static void test_portable_matches_native(void **state) {
    (void)state;
#if MV__HAVE_INT128
    uint64_t seed = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 20000; i++) {
        uint64_t r = tu_rand(&seed);
        /* operands of every width: shift the random bits down */
        int64_t hi = (int64_t)tu_rand(&seed) >> (r % 64);
        uint64_t lo = tu_rand(&seed) >> (r / 64 % 64);
        int64_t x = (int64_t)tu_rand(&seed) >> (r / 4096 % 64);
        mv__i128p p = P(hi, lo);
        mv__i128 n = mv__i128_make(hi, lo);
        mv__i128p ps[4] = {mv__i128p_add_i64(p, x),
                           mv__i128p_add_u64(p, (uint64_t)x),
                           mv__i128p_add_shl32(p, x), P(0, 0)};
        ps[3] = mv__i128p_add(p, ps[0]);
        mv__i128 ns[4] = {mv__i128_add_i64(n, x),
                          mv__i128_add_u64(n, (uint64_t)x),
                          mv__i128_add_shl32(n, x), 0};
        ns[3] = mv__i128_add(n, ns[0]);
        for (int k = 0; k < 4; k++) {
            if (mv__i128p_hi(ps[k]) != mv__i128_hi(ns[k]) ||
                mv__i128p_lo(ps[k]) != mv__i128_lo(ns[k]))
                fail_msg("op %d on %lld:%llu, %lld differs", k, (long long)hi,
                         (unsigned long long)lo, (long long)x);
            double dp = mv__i128p_to_double(ps[k]);
            double dn = mv__i128_to_double(ns[k]);
            if (dp != dn)
                fail_msg("to_double %d: %a, want %a", k, dp, dn);
        }
    }
#else
    skip(); /* no 128-bit integer in this compiler: the known values stand */
#endif
}

/* memview.h's portable byte swaps against the compiler's. */
static void test_bswap(void **state) {
    (void)state;
    CHECK_EQ(mv__bswap16_c(0x1234), 0x3412);
    CHECK_TRUE(mv__bswap32_c(0x12345678u) == 0x78563412u);
    CHECK_TRUE(mv__bswap64_c(0x0102030405060708u) == 0x0807060504030201u);
    uint64_t seed = 42;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = tu_rand(&seed);
        CHECK_TRUE(mv__bswap16_c((uint16_t)x) == MV__BSWAP16((uint16_t)x));
        CHECK_TRUE(mv__bswap32_c((uint32_t)x) == MV__BSWAP32((uint32_t)x));
        CHECK_TRUE(mv__bswap64_c(x) == MV__BSWAP64(x));
    }
    /* the loads read bytes in the host's order, or reversed */
    unsigned char b[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint64_t be = 0x0102030405060708u, le = 0x0807060504030201u;
    uint64_t host = MV__HOST_BIG_ENDIAN ? be : le;
    uint64_t other = MV__HOST_BIG_ENDIAN ? le : be;
    CHECK_TRUE(mv__load64(b, 0) == host && mv__load64(b, 1) == other);
    CHECK_TRUE(
        mv__load32(b, 0) ==
        (uint32_t)(MV__HOST_BIG_ENDIAN ? host >> 32 : host & 0xffffffffu));
    CHECK_TRUE(mv__load32(b, 1) == MV__BSWAP32(mv__load32(b, 0)));
    CHECK_TRUE(mv__load16(b, 1) == MV__BSWAP16(mv__load16(b, 0)));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_portable_known),
        cmocka_unit_test(test_portable_matches_native),
        cmocka_unit_test(test_bswap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
