/*
 * test_abi.c -- libmemview.so.1's ABI, pinned.
 *
 * A program built against memview.h bakes into itself the size of every
 * struct it allocates (mv_view, mv_value, mv_stats...), the offset of every
 * member it reads or fills, the value of every constant, and, through the
 * inline calls (mv_view_get, mv_view_narrow, mv_view_get_field...), where
 * the private members fmtchar_, dims_ and flatlen_ of mv_view lie. The tables
 * below are those numbers as the compiler laid them out for libmemview 1.0.0 on
 * LP64 targets (x86-64, AArch64, ...). Each is a _Static_assert: a change
 * that moves any of them fails the build, because it breaks every program
 * built against libmemview.so.1. Such a change needs a new major version,
 * and with it a new soname (docs/abi.md), and then tables of its own here.
 * Adding to the ABI (a call, a constant, a member in reserved_ space that
 * keeps every size) changes none of these numbers.
 *
 * The tests at run time check the same tables (and list each difference),
 * and that the compiled library writes a view's and a reduction's members
 * where a program reads them.
 *
 * The tables for another version are printed by this same file:
 *     cc -std=c11 -Iinclude -DMV_ABI_PRINT tests/c/test_abi.c && ./a.out
 */
#ifdef MV_ABI_PRINT
#include <memview.h>

#include <stddef.h>
#include <stdio.h>
#else
#include "test_util.h"
#endif

/* sizeof of each type a program allocates or indexes arrays of. */
#define MV_ABI_SIZES(X)                                                        \
    X(mv_view, 216)                                                            \
    X(mv_layout, 72)                                                           \
    X(mv_value, 24)                                                            \
    X(mv_field, 80)                                                            \
    X(mv_fieldref, 24)                                                         \
    X(mv_keyitem, 40)                                                          \
    X(mv_walker, 32)                                                           \
    X(mv_source, 24)                                                           \
    X(mv_stats, 136)                                                           \
    X(mv_dl_version, 8)                                                        \
    X(mv_dl_device, 8)                                                         \
    X(mv_dl_dtype, 4)                                                          \
    X(mv_dl_tensor, 48)                                                        \
    X(mv_dl_managed_tensor, 64)                                                \
    X(mv_dl_managed_tensor_versioned, 80)                                      \
    X(mv_ssize, 8)                                                             \
    X(mv_status, 4)                                                            \
    X(mv_advice, 4)                                                            \
    X(mv_kind, 4)                                                              \
    X(mv_vtype, 4)                                                             \
    X(mv_load, 4)                                                              \
    X(mv_order, 4)                                                             \
    X(mv_dl_copy, 4)

/* offsetof of each member a program reads or fills (mv_format: those a
 * program reads; the library allocates formats, so its size is free). */
#define MV_ABI_OFFSETS(X)                                                      \
    X(mv_view, buf, 0)                                                         \
    X(mv_view, owner, 8)                                                       \
    X(mv_view, nbytes, 16)                                                     \
    X(mv_view, itemsize, 24)                                                   \
    X(mv_view, format, 32)                                                     \
    X(mv_view, fmtdesc, 40)                                                    \
    X(mv_view, ndim, 48)                                                       \
    X(mv_view, flags, 52)                                                      \
    X(mv_view, shape, 56)                                                      \
    X(mv_view, strides, 64)                                                    \
    X(mv_view, suboffsets, 72)                                                 \
    X(mv_view, fmtchar_, 80)                                                   \
    X(mv_view, dims_, 104)                                                     \
    X(mv_view, flatlen_, 184)                                                  \
    X(mv_layout, buf, 0)                                                       \
    X(mv_layout, nbytes, 8)                                                    \
    X(mv_layout, itemsize, 16)                                                 \
    X(mv_layout, format, 24)                                                   \
    X(mv_layout, ndim, 32)                                                     \
    X(mv_layout, shape, 40)                                                    \
    X(mv_layout, strides, 48)                                                  \
    X(mv_layout, suboffsets, 56)                                               \
    X(mv_layout, readonly, 64)                                                 \
    X(mv_value, type, 0)                                                       \
    X(mv_value, i, 8)                                                          \
    X(mv_value, u, 8)                                                          \
    X(mv_value, f, 8)                                                          \
    X(mv_value, s.ptr, 8)                                                      \
    X(mv_value, s.len, 16)                                                     \
    X(mv_value, z.re, 8)                                                       \
    X(mv_value, z.im, 16)                                                      \
    X(mv_format, text, 0)                                                      \
    X(mv_format, fields, 8)                                                    \
    X(mv_format, itemsize, 16)                                                 \
    X(mv_format, units, 24)                                                    \
    X(mv_format, nvalues, 32)                                                  \
    X(mv_format, nfields, 40)                                                  \
    X(mv_format, depth, 44)                                                    \
    X(mv_format, tuple_depth, 48)                                              \
    X(mv_format, native, 52)                                                   \
    X(mv_field, name, 0)                                                       \
    X(mv_field, sub, 8)                                                        \
    X(mv_field, shape, 16)                                                     \
    X(mv_field, offset, 24)                                                    \
    X(mv_field, size, 32)                                                      \
    X(mv_field, count, 40)                                                     \
    X(mv_field, repeat, 48)                                                    \
    X(mv_field, units, 56)                                                     \
    X(mv_field, ndim, 64)                                                      \
    X(mv_field, kind, 68)                                                      \
    X(mv_field, code, 72)                                                      \
    X(mv_field, ncode, 73)                                                     \
    X(mv_field, order, 74)                                                     \
    X(mv_field, swap, 75)                                                      \
    X(mv_field, std, 76)                                                       \
    X(mv_fieldref, field, 0)                                                   \
    X(mv_fieldref, offset, 8)                                                  \
    X(mv_fieldref, load, 16)                                                   \
    X(mv_keyitem, is_slice, 0)                                                 \
    X(mv_keyitem, index, 8)                                                    \
    X(mv_keyitem, start, 16)                                                   \
    X(mv_keyitem, stop, 24)                                                    \
    X(mv_keyitem, step, 32)                                                    \
    X(mv_walker, begin, 0)                                                     \
    X(mv_walker, item, 8)                                                      \
    X(mv_walker, end, 16)                                                      \
    X(mv_walker, items, 24)                                                    \
    X(mv_source, begin, 0)                                                     \
    X(mv_source, value, 8)                                                     \
    X(mv_source, end, 16)                                                      \
    X(mv_stats, count, 0)                                                      \
    X(mv_stats, nans, 8)                                                       \
    X(mv_stats, kind, 16)                                                      \
    X(mv_stats, sum_hi, 24)                                                    \
    X(mv_stats, sum_lo, 32)                                                    \
    X(mv_stats, min_i, 40)                                                     \
    X(mv_stats, max_i, 48)                                                     \
    X(mv_stats, min_u, 56)                                                     \
    X(mv_stats, max_u, 64)                                                     \
    X(mv_stats, sum, 72)                                                       \
    X(mv_stats, min, 80)                                                       \
    X(mv_stats, max, 88)                                                       \
    X(mv_stats, mean, 96)                                                      \
    X(mv_stats, nansum, 104)                                                   \
    X(mv_stats, nanmin, 112)                                                   \
    X(mv_stats, nanmax, 120)                                                   \
    X(mv_stats, nanmean, 128)                                                  \
    X(mv_dl_version, major, 0)                                                 \
    X(mv_dl_version, minor, 4)                                                 \
    X(mv_dl_device, device_type, 0)                                            \
    X(mv_dl_device, device_id, 4)                                              \
    X(mv_dl_dtype, code, 0)                                                    \
    X(mv_dl_dtype, bits, 1)                                                    \
    X(mv_dl_dtype, lanes, 2)                                                   \
    X(mv_dl_tensor, data, 0)                                                   \
    X(mv_dl_tensor, device, 8)                                                 \
    X(mv_dl_tensor, ndim, 16)                                                  \
    X(mv_dl_tensor, dtype, 20)                                                 \
    X(mv_dl_tensor, shape, 24)                                                 \
    X(mv_dl_tensor, strides, 32)                                               \
    X(mv_dl_tensor, byte_offset, 40)                                           \
    X(mv_dl_managed_tensor, dl_tensor, 0)                                      \
    X(mv_dl_managed_tensor, manager_ctx, 48)                                   \
    X(mv_dl_managed_tensor, deleter, 56)                                       \
    X(mv_dl_managed_tensor_versioned, version, 0)                              \
    X(mv_dl_managed_tensor_versioned, manager_ctx, 8)                          \
    X(mv_dl_managed_tensor_versioned, deleter, 16)                             \
    X(mv_dl_managed_tensor_versioned, flags, 24)                               \
    X(mv_dl_managed_tensor_versioned, dl_tensor, 32)

/* The value of each constant (of the private flag bits, only MV_FLAT1D_,
 * which the inline calls test). */
#define MV_ABI_CONSTANTS(X)                                                    \
    X(MV_OK, 0)                                                                \
    X(MV_EINDEX, -1)                                                           \
    X(MV_ETYPE, -2)                                                            \
    X(MV_EVALUE, -3)                                                           \
    X(MV_ENOTIMPL, -4)                                                         \
    X(MV_EBUFFER, -5)                                                          \
    X(MV_ENOMEM, -6)                                                           \
    X(MV_EOVERFLOW, -7)                                                        \
    X(MV_EOS, -8)                                                              \
    X(MV_READONLY, 1)                                                          \
    X(MV_C_CONTIGUOUS, 2)                                                      \
    X(MV_F_CONTIGUOUS, 4)                                                      \
    X(MV_RELEASED, 8)                                                          \
    X(MV_FLAT1D_, 32)                                                          \
    X(MV_MAP_WRITE, 1)                                                         \
    X(MV_ADVISE_NORMAL, 0)                                                     \
    X(MV_ADVISE_SEQUENTIAL, 1)                                                 \
    X(MV_ADVISE_RANDOM, 2)                                                     \
    X(MV_ADVISE_WILLNEED, 3)                                                   \
    X(MV_ADVISE_DONTNEED, 4)                                                   \
    X(MV_KIND_NONE, 0)                                                         \
    X(MV_KIND_INT, 1)                                                          \
    X(MV_KIND_UINT, 2)                                                         \
    X(MV_KIND_FLOAT, 3)                                                        \
    X(MV_KIND_BOOL, 4)                                                         \
    X(MV_KIND_CHAR, 5)                                                         \
    X(MV_KIND_PTR, 6)                                                          \
    X(MV_KIND_BYTES, 7)                                                        \
    X(MV_KIND_COMPLEX, 8)                                                      \
    X(MV_KIND_RECORD, 9)                                                       \
    X(MV_VAL_INT, 0)                                                           \
    X(MV_VAL_UINT, 1)                                                          \
    X(MV_VAL_BIGINT, 2)                                                        \
    X(MV_VAL_FLOAT, 3)                                                         \
    X(MV_VAL_BOOL, 4)                                                          \
    X(MV_VAL_BYTES, 5)                                                         \
    X(MV_VAL_OTHER, 6)                                                         \
    X(MV_VAL_COMPLEX, 7)                                                       \
    X(MV_LOAD_CALL, 0)                                                         \
    X(MV_LOAD_I8, 1)                                                           \
    X(MV_LOAD_U8, 2)                                                           \
    X(MV_LOAD_I16, 3)                                                          \
    X(MV_LOAD_U16, 4)                                                          \
    X(MV_LOAD_I32, 5)                                                          \
    X(MV_LOAD_U32, 6)                                                          \
    X(MV_LOAD_I64, 7)                                                          \
    X(MV_LOAD_U64, 8)                                                          \
    X(MV_LOAD_F32, 9)                                                          \
    X(MV_LOAD_F64, 10)                                                         \
    X(MV_LOAD_SWAPPED, 16)                                                     \
    X(MV_ORDER_C, 67)                                                          \
    X(MV_ORDER_F, 70)                                                          \
    X(MV_ORDER_A, 65)                                                          \
    X(MV_DL_CPU, 1)                                                            \
    X(MV_DL_INT, 0)                                                            \
    X(MV_DL_UINT, 1)                                                           \
    X(MV_DL_FLOAT, 2)                                                          \
    X(MV_DL_COMPLEX, 5)                                                        \
    X(MV_DL_BOOL, 6)                                                           \
    X(MV_DL_COPY_NEVER, 0)                                                     \
    X(MV_DL_COPY_ALWAYS, 1)                                                    \
    X(MV_DL_COPY_IF_NEEDED, 2)                                                 \
    X(MV_DLPACK_MAJOR, 1)                                                      \
    X(MV_DLPACK_MINOR, 0)                                                      \
    X(MV_DLPACK_READ_ONLY, 1)                                                  \
    X(MV_DLPACK_IS_COPIED, 2)                                                  \
    X(MV_MAXDIM, 64)                                                           \
    X(MV_INLINE_NDIM, 3)                                                       \
    X(MV_FORMAT_MAXDEPTH, 64)                                                  \
    X(MV_HEX_NOSEP, -1)

#ifdef MV_ABI_PRINT

#define PRINT_SIZE(T, n) printf("    X(%s, %zu)\n", #T, sizeof(T));
#define PRINT_OFFSET(T, m, n)                                                  \
    printf("    X(%s, %s, %zu)\n", #T, #m, offsetof(T, m));
#define PRINT_CONSTANT(c, n) printf("    X(%s, %lld)\n", #c, (long long)(c));

int main(void) {
    printf("MV_ABI_SIZES\n");
    MV_ABI_SIZES(PRINT_SIZE)
    printf("MV_ABI_OFFSETS\n");
    MV_ABI_OFFSETS(PRINT_OFFSET)
    printf("MV_ABI_CONSTANTS\n");
    MV_ABI_CONSTANTS(PRINT_CONSTANT)
    return 0;
}

#else

_Static_assert(MEMVIEW_VERSION_MAJOR == 1,
               "these tables are libmemview.so.1's: a new major version "
               "writes its own");
/* Constants, on every target. */
#define PIN_CONSTANT(c, n)                                                     \
    _Static_assert((long long)(c) == (n), #c " changed value: ABI break");
MV_ABI_CONSTANTS(PIN_CONSTANT)
_Static_assert(MV_END == MV_SSIZE_MAX && MV_BEGIN == MV_SSIZE_MIN,
               "MV_END, MV_BEGIN changed value: ABI break");

/* Sizes and offsets, on the LP64 targets they were taken on, and on 64-bit
 * Windows (LLP64), where no public struct has a long and they are the
 * same. */
#if defined(__LP64__) || defined(_WIN64)
#define MV_ABI_PINNED 1
#define PIN_SIZE(T, n)                                                         \
    _Static_assert(sizeof(T) == (n), "sizeof(" #T ") changed: ABI break");
#define PIN_OFFSET(T, m, n)                                                    \
    _Static_assert(offsetof(T, m) == (n), #T "." #m " moved: ABI break");
MV_ABI_SIZES(PIN_SIZE)
MV_ABI_OFFSETS(PIN_OFFSET)
#else
#define MV_ABI_PINNED 0
#endif

/* The tables again at run time, every difference listed (a build for a
 * target other than LP64 reports them here instead of failing to build). */
static void test_tables(void **state) {
    (void)state;
    int wrong = 0;
#define CHECK_SIZE(T, n)                                                       \
    if (sizeof(T) != (n)) {                                                    \
        print_error("sizeof(%s) is %d, was %d at 1.0\n", #T, (int)sizeof(T),   \
                    n);                                                        \
        wrong++;                                                               \
    }
#define CHECK_OFFSET(T, m, n)                                                  \
    if (offsetof(T, m) != (n)) {                                               \
        print_error("offsetof(%s, %s) is %d, was %d at 1.0\n", #T, #m,         \
                    (int)offsetof(T, m), n);                                   \
        wrong++;                                                               \
    }
    MV_ABI_SIZES(CHECK_SIZE)
    MV_ABI_OFFSETS(CHECK_OFFSET)
    if (!MV_ABI_PINNED) {
        print_message("layouts were pinned on LP64 targets; %d differ on "
                      "this one\n",
                      wrong);
        skip();
    }
    CHECK_EQ(wrong, 0);
}

/* Read a member of the given size at a pinned offset, as a program compiled
 * against 1.0 would, whatever the header now says. */
static inline long long at(const void *base, size_t offset, size_t size) {
    const unsigned char *p = (const unsigned char *)base + offset;
    if (size == 1)
        return (signed char)*p;
    if (size == 4) {
        int32_t x;
        memcpy(&x, p, 4);
        return x;
    }
    int64_t x;
    memcpy(&x, p, 8);
    return x;
}

/* The library fills a view where the pinned offsets say: the members a
 * program reads, and the private ones the inline calls read (fmtchar_ is
 * the format's character, flatlen_ the length of a flat 1-D view, where its
 * shape points, and 0 on others). */
static void test_library_fills_view_as_pinned(void **state) {
    (void)state;
#if !MV_ABI_PINNED
    skip(); /* the offsets below are LP64's */
#else
    /* items in the host's byte order, as the format 'i' reads them */
    static const int32_t items[6] = {1, 2, 3};
    mv_owner *o;
    mv_view all, v;
    CHECK_OK(mv_owner_copy(&o, items, sizeof items));
    const char *data = mv_owner_data(o);
    CHECK_OK(mv_view_from_owner(&all, o));
    mv_owner_release(o);
    CHECK_OK(mv_view_cast(&v, &all, "i", NULL, -1));
    CHECK_OK(mv_view_release(&all));
    CHECK_OK(mv_view_narrow(&v, 1, MV_END, 1));

    CHECK_EQ(at(&v, 0, 8), (intptr_t)(data + 4)); /* buf */
    CHECK_EQ(at(&v, 8, 8), (intptr_t)v.owner);    /* owner */
    CHECK_EQ(at(&v, 16, 8), 20);                  /* nbytes */
    CHECK_EQ(at(&v, 24, 8), 4);                   /* itemsize */
    CHECK_EQ(at(&v, 48, 4), 1);                   /* ndim */
    CHECK_EQ(at(&v, 52, 4) & (MV_READONLY | MV_RELEASED), MV_READONLY);
    mv_ssize *shape = (mv_ssize *)(intptr_t)at(&v, 56, 8);
    CHECK_EQ(shape[0], 5);
    CHECK_EQ(at(&v, 80, 1), 'i');                            /* fmtchar_ */
    CHECK_EQ((intptr_t)shape, (intptr_t)((char *)&v + 184)); /* flatlen_ */
    CHECK_EQ(at(&v, 72, 8), 0);                              /* suboffsets */
    CHECK_EQ(at(&v, 184, 8), 5);                             /* flatlen_ */

    mv_value x;
    CHECK_OK(mv_view_get(&v, 0, &x));
    CHECK_EQ(at(&x, 0, 4), MV_VAL_INT);
    CHECK_EQ(at(&x, 8, 8), 2);
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(at(&v, 52, 4) & MV_RELEASED, MV_RELEASED);
    CHECK_EQ(at(&v, 184, 8), 0); /* flatlen_: no inline read of it */
#endif
}

/* The library fills mv_stats, a struct the program allocates, where the
 * pinned offsets say. */
static void test_library_fills_stats_as_pinned(void **state) {
    (void)state;
#if !MV_ABI_PINNED
    skip(); /* the offsets below are LP64's */
#else
    static const int16_t items[4] = {-3, 7, 5, -1};
    mv_owner *o;
    mv_view all, v;
    mv_stats s;
    CHECK_OK(mv_owner_copy(&o, items, sizeof items));
    CHECK_OK(mv_view_from_owner(&all, o));
    mv_owner_release(o);
    CHECK_OK(mv_view_cast(&v, &all, "h", NULL, -1));
    CHECK_OK(mv_view_release(&all));
    memset(&s, 0xa5, sizeof s);
    CHECK_OK(mv_view_stats(&v, &s));
    CHECK_EQ(at(&s, 0, 8), 4);            /* count */
    CHECK_EQ(at(&s, 8, 8), 0);            /* nans */
    CHECK_EQ(at(&s, 16, 4), MV_KIND_INT); /* kind */
    CHECK_EQ(at(&s, 24, 8), 0);           /* sum_hi */
    CHECK_EQ(at(&s, 32, 8), 8);           /* sum_lo */
    CHECK_EQ(at(&s, 40, 8), -3);          /* min_i */
    CHECK_EQ(at(&s, 48, 8), 7);           /* max_i */
    double mean;
    memcpy(&mean, (const char *)&s + 96, sizeof mean);
    CHECK_TRUE(mean == 2.0);
    CHECK_OK(mv_view_release(&v));
#endif
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_library_fills_view_as_pinned),
        cmocka_unit_test(test_library_fills_stats_as_pinned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
