/*
 * test_reduce.c -- mv_view_stats against sums, minima and maxima computed
 * here item by item: every native numeric format, contiguous (the block
 * loops) and strided or N-D (the generic path), the other byte order,
 * exact 128-bit sums, NaN rules, empty views and errors.
 */
#include "test_util.h"

#include <math.h>

#include "internal.h"
#include "int128.h"

#define N 5000

static const char codes[] = "bBhHiIlLqQnNfd?";

/* Fill the items of an owner of n items of format c with random values;
 * give the reference results, computed one item at a time. */
static void reference(const char *fmt, const char *buf, mv_ssize n,
                      mv_ssize stride, mv__i128p *isum, double *fsum,
                      mv_value *mn, mv_value *mx) {
    *isum = mv__i128p_make(0, 0);
    *fsum = 0;
    for (mv_ssize i = 0; i < n; i++) {
        mv_value x;
        CHECK_OK(mv_format_unpack(fmt, buf + i * stride, &x));
        bool less, more;
        if (x.type == MV_VAL_FLOAT) {
            *fsum += x.f;
            less = i == 0 || x.f < mn->f;
            more = i == 0 || x.f > mx->f;
        } else if (x.type == MV_VAL_INT || x.type == MV_VAL_BOOL) {
            *isum = mv__i128p_add_i64(*isum, x.i);
            less = i == 0 || x.i < mn->i;
            more = i == 0 || x.i > mx->i;
        } else {
            *isum = mv__i128p_add_u64(*isum, x.u);
            less = i == 0 || x.u < mn->u;
            more = i == 0 || x.u > mx->u;
        }
        if (less)
            *mn = x;
        if (more)
            *mx = x;
    }
}

static void check_stats(const mv_view *v, const char *fmt, const char *buf,
                        mv_ssize n, mv_ssize stride) {
    mv_stats s;
    mv__i128p isum;
    double fsum;
    mv_value mn = {.type = MV_VAL_OTHER}, mx = {.type = MV_VAL_OTHER};
    CHECK_OK(mv_view_stats(v, &s));
    CHECK_EQ(s.count, n);
    reference(fmt, buf, n, stride, &isum, &fsum, &mn, &mx);
    if (s.kind == MV_KIND_FLOAT) {
        CHECK_TRUE(fabs(s.sum - fsum) <= 1e-9 * (fabs(fsum) + 1));
        CHECK_TRUE(s.min == mn.f && s.max == mx.f);
        CHECK_TRUE(fabs(s.mean - fsum / (double)n) <= 1e-9 * (fabs(fsum) + 1));
        return;
    }
    CHECK_TRUE(s.sum_hi == mv__i128p_hi(isum) &&
               s.sum_lo == mv__i128p_lo(isum));
    if (s.kind == MV_KIND_INT) {
        CHECK_EQ(s.min_i, mn.i);
        CHECK_EQ(s.max_i, mx.i);
    } else {
        CHECK_TRUE(s.min_u == (mn.type == MV_VAL_BOOL ? (uint64_t)mn.i : mn.u));
        CHECK_TRUE(s.max_u == (mx.type == MV_VAL_BOOL ? (uint64_t)mx.i : mx.u));
    }
}

static void test_every_format_contiguous_and_strided(void **state) {
    (void)state;
    uint64_t seed = 42;
    for (const char *c = codes; *c; c++) {
        char fmt[2] = {*c, 0};
        mv_ssize size = mv_format_itemsize(fmt);
        mv_owner *o;
        CHECK_OK(mv_owner_new_bytes(&o, N * size));
        unsigned char *p = mv_owner_data(o);
        for (mv_ssize i = 0; i < N * size; i++)
            p[i] = (unsigned char)(tu_rand(&seed) >> 56);
        if (*c == 'f' || *c == 'd') /* finite values only here */
            for (mv_ssize i = 0; i < N; i++) {
                double d = (double)(int64_t)tu_rand(&seed) / 1e12;
                if (*c == 'f') {
                    float f = (float)d;
                    memcpy(p + i * 4, &f, 4);
                } else {
                    memcpy(p + i * 8, &d, 8);
                }
            }
        mv_view bytes, v, part;
        CHECK_OK(mv_view_from_owner(&bytes, o));
        mv_owner_release(o);
        CHECK_OK(mv_view_cast(&v, &bytes, fmt, NULL, -1));
        check_stats(&v, fmt, v.buf, N, size);
        CHECK_OK(mv_view_slice(&part, &v, N - 1, MV_BEGIN, -3));
        check_stats(&part, fmt, part.buf, part.shape[0], -3 * size);
        CHECK_OK(mv_view_release(&part));
        /* 2-D, a column of every other row */
        mv_ssize shape[2] = {N / 10, 10};
        mv_view m, col;
        CHECK_OK(mv_view_cast(&m, &bytes, fmt, shape, 2));
        mv_keyitem key[2] = {
            {.is_slice = 1, .start = MV_BEGIN, .stop = MV_END, .step = 2},
            {.index = 3}};
        CHECK_OK(mv_view_select(&col, &m, key, 2));
        check_stats(&col, fmt, col.buf, N / 20, 20 * size);
        CHECK_OK(mv_view_release(&col));
        CHECK_OK(mv_view_release(&m));
        CHECK_OK(mv_view_release(&v));
        CHECK_OK(mv_view_release(&bytes));
    }
}

static void test_exact_sums(void **state) {
    (void)state;
    int64_t big[3000];
    for (int i = 0; i < 3000; i++)
        big[i] = i % 2 ? INT64_MAX : INT64_MIN;
    big[2999] = INT64_MAX;
    mv_owner *o;
    mv_view b, v;
    mv_stats s;
    CHECK_OK(mv_owner_copy(&o, big, sizeof big));
    CHECK_OK(mv_view_from_owner(&b, o));
    mv_owner_release(o);
    CHECK_OK(mv_view_cast(&v, &b, "q", NULL, -1));
    CHECK_OK(mv_view_stats(&v, &s));
    /* 1500 pairs of INT64_MIN + INT64_MAX = -1 */
    CHECK_TRUE(s.sum_hi == -1 && s.sum_lo == (uint64_t)0 - 1500);
    mv__i128p want = mv__i128p_make(0, 0);
    for (int i = 0; i < 3000; i++)
        want = mv__i128p_add_i64(want, big[i]);
    CHECK_TRUE(s.sum_hi == mv__i128p_hi(want) &&
               s.sum_lo == mv__i128p_lo(want));
    CHECK_EQ(s.min_i, INT64_MIN);
    CHECK_EQ(s.max_i, INT64_MAX);
    CHECK_OK(mv_view_release(&v));
    /* all INT64_MAX: far past 64 bits */
    for (int i = 0; i < 3000; i++)
        big[i] = INT64_MAX;
    CHECK_OK(mv_owner_copy(&o, big, sizeof big));
    mv_view_release(&b);
    CHECK_OK(mv_view_from_owner(&b, o));
    mv_owner_release(o);
    CHECK_OK(mv_view_cast(&v, &b, "q", NULL, -1));
    CHECK_OK(mv_view_stats(&v, &s));
    /* 3000 * (2^63 - 1) = 1500 * 2^64 - 3000 */
    CHECK_TRUE(s.sum_hi == 1499 && s.sum_lo == (uint64_t)0 - 3000);
    CHECK_OK(mv_view_release(&v));
    CHECK_OK(mv_view_release(&b));
}

static void test_nan_rules(void **state) {
    (void)state;
    double d[2100];
    for (int i = 0; i < 2100; i++)
        d[i] = i;
    d[1500] = NAN;
    mv_owner *o;
    mv_view b, v;
    mv_stats s;
    CHECK_OK(mv_owner_copy(&o, d, sizeof d));
    CHECK_OK(mv_view_from_owner(&b, o));
    mv_owner_release(o);
    CHECK_OK(mv_view_cast(&v, &b, "d", NULL, -1));
    CHECK_OK(mv_view_stats(&v, &s));
    CHECK_EQ(s.nans, 1);
    CHECK_TRUE(isnan(s.sum) && isnan(s.min) && isnan(s.max) && isnan(s.mean));
    CHECK_TRUE(s.nansum == 2099.0 * 2100 / 2 - 1500);
    CHECK_TRUE(s.nanmin == 0 && s.nanmax == 2099);
    CHECK_TRUE(s.nanmean == (double)(s.nansum / 2099)); /* x87: a double */
    /* empty */
    mv_view e;
    CHECK_OK(mv_view_slice(&e, &v, 5, 5, 1));
    CHECK_OK(mv_view_stats(&e, &s));
    CHECK_EQ(s.count, 0);
    CHECK_TRUE(isnan(s.min) && isnan(s.mean) && s.nansum == 0);
    CHECK_OK(mv_view_release(&e));
    CHECK_OK(mv_view_release(&v));
    CHECK_OK(mv_view_release(&b));
}

/* Two doubles equal, NaN equal to NaN. */
static bool same_double(double a, double b) {
    return (isnan(a) && isnan(b)) || a == b;
}

/* Stats of parts merged with mv_stats_merge equal the stats of the whole,
 * for every split point, with NaNs, negative and unsigned values, and
 * empty parts. */
static void test_merge_parts(void **state) {
    (void)state;
    static const char *fmts[] = {"d", "q", "Q", "b"};
    unsigned char raw[8 * 40];
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (unsigned char)(i * 37 + 11);
    double d[40];
    for (int i = 0; i < 40; i++)
        d[i] = i % 7 == 3 || i == 0 ? NAN : (double)(i * 3) - 50;
    for (size_t k = 0; k < sizeof fmts / sizeof fmts[0]; k++) {
        mv_owner *o;
        mv_view b, v, p1, p2;
        CHECK_OK(mv_owner_copy(&o, k == 0 ? (const void *)d : raw, sizeof d));
        CHECK_OK(mv_view_from_owner(&b, o));
        mv_owner_release(o);
        CHECK_OK(mv_view_cast(&v, &b, fmts[k], NULL, -1));
        mv_ssize n = v.shape[0];
        mv_stats whole, s1, s2;
        CHECK_OK(mv_view_stats(&v, &whole));
        for (mv_ssize at = 0; at <= n; at++) {
            CHECK_OK(mv_view_slice(&p1, &v, 0, at, 1));
            CHECK_OK(mv_view_slice(&p2, &v, at, n, 1));
            CHECK_OK(mv_view_stats(&p1, &s1));
            CHECK_OK(mv_view_stats(&p2, &s2));
            mv_stats_merge(&s1, &s2);
            CHECK_EQ(s1.count, whole.count);
            CHECK_EQ(s1.nans, whole.nans);
            CHECK_TRUE(s1.sum_hi == whole.sum_hi && s1.sum_lo == whole.sum_lo);
            CHECK_TRUE(s1.min_i == whole.min_i && s1.max_i == whole.max_i);
            CHECK_TRUE(s1.min_u == whole.min_u && s1.max_u == whole.max_u);
            CHECK_TRUE(same_double(s1.min, whole.min));
            CHECK_TRUE(same_double(s1.max, whole.max));
            CHECK_TRUE(same_double(s1.nanmin, whole.nanmin));
            CHECK_TRUE(same_double(s1.nanmax, whole.nanmax));
            CHECK_TRUE(same_double(s1.sum, whole.sum) ||
                       fabs(s1.sum - whole.sum) <= 1e-9 * fabs(whole.sum));
            CHECK_TRUE(fabs(s1.nansum - whole.nansum) <=
                       1e-9 * (fabs(whole.nansum) + 1));
            CHECK_TRUE(same_double(s1.mean, whole.mean) ||
                       fabs(s1.mean - whole.mean) <= 1e-9 * fabs(whole.mean));
            CHECK_OK(mv_view_release(&p1));
            CHECK_OK(mv_view_release(&p2));
        }
        CHECK_OK(mv_view_release(&v));
        CHECK_OK(mv_view_release(&b));
    }
}

/* The other byte order, and a field inside a record, through the element
 * description compiled formats feed. */
static void test_swapped_and_offset_elements(void **state) {
    (void)state;
    unsigned char rec[1200 * 6];
    uint64_t seed = 7;
    int64_t want = 0;
    int32_t mn = INT32_MAX, mx = INT32_MIN;
    for (int i = 0; i < 1200; i++) {
        int32_t x = (int32_t)(tu_rand(&seed) >> 32);
        uint32_t u = (uint32_t)x;
        rec[i * 6] = 0xEE;
        rec[i * 6 + 1] = 0xEE;
        for (int k = 0; k < 4; k++) /* big-endian at offset 2 */
            rec[i * 6 + 2 + k] = (unsigned char)(u >> (24 - 8 * k));
        want += x;
        mn = x < mn ? x : mn;
        mx = x > mx ? x : mx;
    }
    mv_owner *o;
    mv_view b, v;
    mv_stats s;
    CHECK_OK(mv_owner_copy(&o, rec, sizeof rec));
    CHECK_OK(mv_view_from_owner(&b, o));
    mv_owner_release(o);
    mv_ssize shape[1] = {1200}, strides[1] = {6};
    mv_layout l = {.buf = b.buf,
                   .nbytes = sizeof rec,
                   .itemsize = 6,
                   .format = "6s",
                   .ndim = 1,
                   .shape = shape,
                   .strides = strides,
                   .readonly = 1};
    CHECK_OK(mv_view_from_layout(&v, b.owner, &l));
    mv__elem e = {.code = 'i', .swap = 1, .size = 4, .offset = 2, .count = 1};
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    e.swap = 0;
#endif
    CHECK_OK(mv__view_stats_elem(&v, &e, &s));
    CHECK_EQ(s.count, 1200);
    CHECK_TRUE(s.sum_lo == (uint64_t)want && s.sum_hi == (want < 0 ? -1 : 0));
    CHECK_EQ(s.min_i, mn);
    CHECK_EQ(s.max_i, mx);
    e.offset = 3;
    CHECK_STATUS(mv__view_stats_elem(&v, &e, &s), MV_EVALUE);
    CHECK_ERR(mv_view_stats(&v, &s), MV_ETYPE,
              "cannot reduce items of format 's'");
    CHECK_OK(mv_view_release(&v));
    CHECK_OK(mv_view_cast(&v, &b, "c", NULL, -1));
    CHECK_ERR(mv_view_stats(&v, &s), MV_ETYPE,
              "cannot reduce items of format 'c'");
    CHECK_OK(mv_view_release(&v));
    /* pointers are addresses, not numbers */
    CHECK_OK(mv_view_cast(&v, &b, "P", NULL, -1));
    CHECK_ERR(mv_view_stats(&v, &s), MV_ETYPE,
              "cannot reduce items of format 'P'");
    CHECK_OK(mv_view_release(&v));
    CHECK_OK(mv_view_release(&b));
    CHECK_ERR(mv_view_stats(&b, &s), MV_EVALUE,
              "operation forbidden on released memoryview object");
}

/* Formats the engine compiles: the other byte order, records, arrays. */
static void view_of(mv_view *v, const void *data, mv_ssize len, const char *fmt,
                    mv_ssize itemsize) {
    mv_owner *o;
    mv_ssize shape[1] = {len / itemsize};
    CHECK_OK(mv_owner_copy(&o, data, len));
    mv_layout l = {.buf = mv_owner_data(o),
                   .nbytes = len,
                   .itemsize = itemsize,
                   .format = fmt,
                   .ndim = 1,
                   .shape = shape,
                   .readonly = 1};
    CHECK_OK(mv_view_from_layout(v, o, &l));
    mv_owner_release(o);
}

static void test_engine_formats(void **state) {
    (void)state;
    /* ">i": big-endian ints */
    unsigned char be[4 * 3000];
    int64_t want = 0;
    for (int i = 0; i < 3000; i++) {
        int32_t x = (i * 7919) % 20011 - 10000;
        uint32_t u = (uint32_t)x;
        for (int k = 0; k < 4; k++)
            be[4 * i + k] = (unsigned char)(u >> (24 - 8 * k));
        want += x;
    }
    mv_view v;
    mv_stats s;
    view_of(&v, be, sizeof be, ">i", 4);
    CHECK_OK(mv_view_stats(&v, &s));
    CHECK_EQ(s.count, 3000);
    CHECK_TRUE(s.sum_lo == (uint64_t)want && s.sum_hi == (want < 0 ? -1 : 0));
    CHECK_EQ(s.min_i, -10000);
    CHECK_OK(mv_view_release(&v));

    /* a record: field by index and by name */
    struct __attribute__((packed)) rec {
        uint16_t a;
        double b;
    } r[1500];
    double bsum = 0;
    for (int i = 0; i < 1500; i++) {
        double d = i * 0.25 - 100;
        uint64_t bits;
        memcpy(&bits, &d, 8);
        /* little-endian fields, as the format says */
        tu_put(&r[i].a, (uint64_t)(i * 31), 2, '<');
        tu_put(&r[i].b, bits, 8, '<');
        bsum += d;
    }
    view_of(&v, r, sizeof r, "T{<H:a:<d:b:}", 10);
    CHECK_ERR(mv_view_stats(&v, &s), MV_ETYPE,
              "cannot reduce items of format T{<H:a:<d:b:}: they are records "
              "of fields 'a', 'b'; reduce a field (m['name'])");
    CHECK_EQ(mv_view_field_index(&v, "nope"), -1);
    int b = mv_view_field_index(&v, "b");
    CHECK_EQ(b, 1);
    CHECK_OK(mv_view_stats_field(&v, b, &s));
    CHECK_EQ(s.count, 1500);
    CHECK_TRUE(s.kind == MV_KIND_FLOAT && s.sum == bsum);
    CHECK_TRUE(s.min == -100 && s.max == 1499 * 0.25 - 100);
    CHECK_OK(mv_view_stats_field(&v, 0, &s));
    CHECK_EQ(s.max_u,
             1499 * 31 % 65536 > 1400 * 31 ? 1499 * 31 % 65536 : s.max_u);
    CHECK_ERR(mv_view_stats_field(&v, 2, &s), MV_EINDEX,
              "format T{<H:a:<d:b:} has no field 2");
    CHECK_OK(mv_view_release(&v));

    /* "3h": every element of an array field, items one run */
    int16_t h[3 * 1000];
    int64_t hs = 0;
    for (int i = 0; i < 3000; i++)
        hs += h[i] = (int16_t)(i * 37 - 20000);
    view_of(&v, h, sizeof h, "3h", 6);
    CHECK_OK(mv_view_stats(&v, &s));
    CHECK_EQ(s.count, 3000);
    CHECK_TRUE(s.sum_lo == (uint64_t)hs);
    CHECK_OK(mv_view_release(&v));
}

/* Every layout path: byte counts of every length (the SIMD loops and
 * their tails), NaN on the strided path, 0-D, indirect (suboffsets),
 * array fields that are not the whole item, empty integer views, and
 * refusals. */
static void test_layouts_and_refusals(void **state) {
    (void)state;
    unsigned char bytes[700];
    for (int i = 0; i < 700; i++)
        bytes[i] = (unsigned char)(i * 7 % 5);
    mv_owner *o;
    mv_view v, part;
    mv_stats s;
    CHECK_OK(mv_owner_copy(&o, bytes, sizeof bytes));
    CHECK_OK(mv_view_from_owner(&v, o));
    mv_owner_release(o);
    for (mv_ssize n = 0; n <= 700; n += 13) {
        mv_ssize want = 0, got;
        for (mv_ssize i = 0; i < n; i++)
            want += bytes[i] == 3;
        mv_value x = {.type = MV_VAL_INT, .i = 3};
        CHECK_OK(mv_view_slice(&part, &v, 0, n, 1));
        CHECK_OK(mv_view_count(&part, &x, &got));
        CHECK_EQ(got, want);
        CHECK_OK(mv_view_release(&part));
    }
    CHECK_OK(mv_view_release(&v));

    /* NaN on the strided (item by item) path */
    double d[40];
    for (int i = 0; i < 40; i++)
        d[i] = i % 9 == 4 ? NAN : i;
    CHECK_OK(mv_owner_copy(&o, d, sizeof d));
    mv_view b;
    CHECK_OK(mv_view_from_owner(&b, o));
    mv_owner_release(o);
    CHECK_OK(mv_view_cast(&v, &b, "d", NULL, -1));
    CHECK_OK(mv_view_slice(&part, &v, 0, MV_END, 2));
    CHECK_OK(mv_view_stats(&part, &s));
    CHECK_EQ(s.count, 20);
    CHECK_TRUE(s.nans == 2 && isnan(s.sum) && s.nanmax == 38);
    CHECK_OK(mv_view_release(&part));
    CHECK_OK(mv_view_release(&v));
    /* 0-D */
    mv_view z;
    mv_ssize none[1] = {0};
    CHECK_OK(mv_view_slice(&part, &b, 0, 8, 1));
    CHECK_OK(mv_view_cast(&z, &part, "d", none, 0));
    CHECK_OK(mv_view_stats(&z, &s));
    CHECK_TRUE(s.count == 1 && s.sum == 0 && s.min == 0);
    CHECK_OK(mv_view_release(&z));
    CHECK_OK(mv_view_release(&part));
    /* empty integers */
    CHECK_OK(mv_view_slice(&part, &b, 0, 0, 1));
    CHECK_OK(mv_view_stats(&part, &s));
    CHECK_TRUE(s.count == 0 && isnan(s.min) && isnan(s.max));
    CHECK_OK(mv_view_release(&part));

    /* indirect: rows reached through pointers (PIL style) */
    int32_t rows[3][4] = {{1, 2, 3, 4}, {-5, 6, 7, 8}, {9, 10, 11, 12}};
    int32_t *ptrs[3] = {rows[0], rows[1], rows[2]};
    mv_ssize shape[2] = {3, 4}, strides[2] = {sizeof(void *), 4},
             subs[2] = {0, -1};
    mv_layout l = {.buf = ptrs,
                   .nbytes = 48,
                   .itemsize = 4,
                   .format = "i",
                   .ndim = 2,
                   .shape = shape,
                   .strides = strides,
                   .suboffsets = subs,
                   .readonly = 1};
    CHECK_OK(mv_owner_wrap(&o, ptrs, sizeof ptrs, 1, NULL, NULL));
    CHECK_OK(mv_view_from_layout(&v, o, &l));
    mv_owner_release(o);
    CHECK_OK(mv_view_stats(&v, &s));
    CHECK_TRUE(s.count == 12 && s.sum_lo == 68 && s.min_i == -5 &&
               s.max_i == 12);
    CHECK_OK(mv_view_release(&v));
    /* ... and through the last dimension's pointers */
    int32_t cells[4] = {4, -3, 2, 1};
    int32_t *cellp[4] = {&cells[0], &cells[1], &cells[2], &cells[3]};
    mv_ssize shape1[1] = {4}, strides1[1] = {sizeof(void *)}, subs1[1] = {0};
    mv_layout l1 = {.buf = cellp,
                    .nbytes = 16,
                    .itemsize = 4,
                    .format = "i",
                    .ndim = 1,
                    .shape = shape1,
                    .strides = strides1,
                    .suboffsets = subs1,
                    .readonly = 1};
    CHECK_OK(mv_owner_wrap(&o, cellp, sizeof cellp, 1, NULL, NULL));
    CHECK_OK(mv_view_from_layout(&v, o, &l1));
    mv_owner_release(o);
    CHECK_OK(mv_view_stats(&v, &s));
    CHECK_TRUE(s.count == 4 && s.sum_lo == 4 && s.min_i == -3);
    CHECK_OK(mv_view_release(&v));

    /* an array field that is not the whole item: "<I3h", field 1 */
    unsigned char rec[10 * 5];
    int64_t hsum = 0;
    for (int i = 0; i < 5; i++) {
        uint32_t id = (uint32_t)i;
        tu_put(rec + 10 * i, id, 4, '<');
        for (int k = 0; k < 3; k++) {
            int16_t h = (int16_t)(i * 3 + k - 7);
            tu_put(rec + 10 * i + 4 + 2 * k, (uint64_t)h, 2, '<');
            hsum += h;
        }
    }
    mv_ssize shape5[1] = {5};
    mv_layout lr = {.nbytes = sizeof rec,
                    .itemsize = 10,
                    .format = "<I3h",
                    .ndim = 1,
                    .shape = shape5,
                    .readonly = 1};
    CHECK_OK(mv_owner_copy(&o, rec, sizeof rec));
    lr.buf = mv_owner_data(o);
    CHECK_OK(mv_view_from_layout(&v, o, &lr));
    mv_owner_release(o);
    CHECK_OK(mv_view_stats_field(&v, 1, &s));
    CHECK_TRUE(s.count == 15 && (int64_t)s.sum_lo == hsum);
    CHECK_OK(mv_view_release(&v));

    /* refusals */
    mv_view r;
    mv_ssize shape2[1] = {2};
    mv_layout lt = {.nbytes = 16,
                    .itemsize = 8,
                    .format = "T{T{<i:a:}:r:<i:b:}",
                    .ndim = 1,
                    .shape = shape2,
                    .readonly = 1};
    CHECK_OK(mv_owner_new_bytes(&o, 16));
    lt.buf = mv_owner_data(o);
    CHECK_OK(mv_view_from_layout(&r, o, &lt));
    CHECK_ERR(mv_view_stats_field(&r, 0, &s), MV_ETYPE,
              "cannot reduce a record field: name one of its fields");
    CHECK_OK(mv_view_stats_field(&r, 1, &s));
    CHECK_OK(mv_view_release(&r));
    lt.format = "<i";
    CHECK_OK(mv_view_from_layout(&r, o, &lt));
    CHECK_ERR(mv_view_stats(&r, &s), MV_EVALUE,
              "format <i has items of 4 bytes, the view 8");
    CHECK_OK(mv_view_release(&r));
    lt.format = "#";
    CHECK_OK(mv_view_from_layout(&r, o, &lt));
    CHECK_STATUS(mv_view_stats(&r, &s), MV_ENOTIMPL);
    CHECK_EQ(mv_view_field_index(&r, "a"), -1);
    CHECK_OK(mv_view_release(&r));
    CHECK_EQ(mv_view_field_index(&r, "a"), -1);
    mv_owner_release(o);
    mv__elem bad = {.code = 'x', .size = 1, .count = 1};
    CHECK_ERR(mv__view_stats_elem(&b, &bad, &s), MV_ETYPE,
              "cannot reduce items of format 'x'");
    CHECK_OK(mv_view_release(&b));
}

static void test_nan_block(void **state);

/* The same checks through the baseline (SSE2) loops. */
static void test_baseline_simd(void **state) {
    mv__simd_baseline = 1;
    test_every_format_contiguous_and_strided(state);
    test_layouts_and_refusals(state);
    test_nan_rules(state);
    test_nan_block(state);
    /* count: runs of more than 255 16-byte blocks */
    static unsigned char b[5000];
    mv_ssize want = 0, got = -1;
    for (int i = 0; i < 5000; i++) {
        b[i] = (unsigned char)(i * 7 % 11);
        want += b[i] == 3;
    }
    mv_owner *o = tu_wrap(b, sizeof b);
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_OK(mv_view_count(&v, &(mv_value){.type = MV_VAL_INT, .i = 3}, &got));
    CHECK_EQ(got, want);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
    mv__simd_baseline = 0;
}

/* A block of nothing but NaNs: its lanes see no number (both the AVX and
 * the baseline loops run it, test_baseline_simd calling this again). */
static void test_nan_block(void **state) {
    (void)state;
    enum { M = 3000 };
    static double d[M];
    static float f[M];
    double sum = 0;
    for (int i = 0; i < M; i++) {
        d[i] = i < 1024 ? NAN : (double)(i % 97) - 40;
        f[i] = (float)d[i];
        if (i >= 1024)
            sum += d[i];
    }
    for (int k = 0; k < 2; k++) {
        mv_owner *o = tu_wrap(k ? (void *)f : (void *)d,
                              k ? (mv_ssize)sizeof f : (mv_ssize)sizeof d);
        mv_view v;
        mv_ssize shape[1] = {M};
        tu_layout_view(&v, o, k ? (void *)f : (void *)d,
                       k ? (mv_ssize)sizeof f : (mv_ssize)sizeof d,
                       k ? "f" : "d", k ? 4 : 8, 1, shape, NULL, NULL, 1);
        mv_stats s;
        CHECK_OK(mv_view_stats(&v, &s));
        CHECK_EQ(s.nans, 1024);
        CHECK_TRUE(s.nanmin == -40 && s.nanmax == 56);
        CHECK_TRUE(s.nansum == sum);
        CHECK_OK(mv_view_release(&v));
        mv_owner_release(o);
    }
}

/* Element descriptions the format engine never makes are refused by the
 * internal entry point too; fields of several elements inside larger
 * items; complex fields; a format of two records is not one record. */
static void test_elements_and_records(void **state) {
    (void)state;
    int32_t mem[12];
    for (int i = 0; i < 12; i++)
        tu_put(&mem[i], (uint64_t)(i * i - 5), 4, '<'); /* as "<i" says */
    mv_owner *o = tu_wrap(mem, sizeof mem);
    mv_view v;
    mv_ssize shape[1] = {4};
    tu_layout_view(&v, o, mem, 48, "<2ii", 12, 1, shape, NULL, NULL, 0);
    mv_stats s;
    CHECK_OK(mv_view_stats_field(&v, 0, &s)); /* 2 of every 3 ints */
    int64_t sum = 0, mn = INT64_MAX, mx = INT64_MIN;
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < 2; j++) {
            int64_t x = (3 * k + j) * (3 * k + j) - 5;
            sum += x;
            mn = x < mn ? x : mn;
            mx = x > mx ? x : mx;
        }
    CHECK_EQ(s.count, 8);
    CHECK_TRUE(s.sum_lo == (uint64_t)sum && s.sum_hi == 0);
    CHECK_EQ(s.min_i, mn);
    CHECK_EQ(s.max_i, mx);
    const mv__elem bad[] = {
        {.code = 'i', .size = 0, .count = 1},
        {.code = 'i', .size = 9, .count = 1},
        {.code = 'i', .size = 4, .offset = -1, .count = 1},
        {.code = 'i', .size = 4, .count = 0},
        {.code = 'i', .size = 4, .offset = 4, .count = 3},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[120];
        snprintf(want, sizeof want,
                 "element of %td bytes at offset %td does not fit an item of "
                 "12 bytes",
                 bad[i].size, bad[i].offset);
        CHECK_ERR(mv__view_stats_elem(&v, &bad[i], &s), MV_EVALUE, want);
    }
    CHECK_OK(mv_view_release(&v));
    tu_layout_view(&v, o, mem, 48, "Zd", 16, 1, (mv_ssize[]){3}, NULL, NULL, 0);
    CHECK_ERR(mv_view_stats(&v, &s), MV_ETYPE,
              "cannot reduce items of format 'Z'");
    CHECK_OK(mv_view_release(&v));
    /* "T{<i:a:}" is the record; "2T{<i:a:}" two of them */
    tu_layout_view(&v, o, mem, 48, "T{<i:a:}", 4, 1, (mv_ssize[]){12}, NULL,
                   NULL, 0);
    CHECK_EQ(mv_view_field_index(&v, "a"), 0);
    CHECK_OK(mv_view_release(&v));
    tu_layout_view(&v, o, mem, 48, "2T{<i:a:}", 8, 1, (mv_ssize[]){6}, NULL,
                   NULL, 0);
    CHECK_EQ(mv_view_field_index(&v, "a"), -1);
    CHECK_ERR(mv_view_stats(&v, &s), MV_ETYPE,
              "cannot reduce a record field: name one of its fields");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_format_contiguous_and_strided),
        cmocka_unit_test(test_exact_sums),
        cmocka_unit_test(test_nan_rules),
        cmocka_unit_test(test_merge_parts),
        cmocka_unit_test(test_swapped_and_offset_elements),
        cmocka_unit_test(test_engine_formats),
        cmocka_unit_test(test_layouts_and_refusals),
        cmocka_unit_test(test_baseline_simd),
        cmocka_unit_test(test_nan_block),
        cmocka_unit_test(test_elements_and_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
