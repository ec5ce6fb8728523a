/*
 * test_cast.c -- mv_view_cast(): Python's memoryview.cast(format[, shape]).
 *
 * Oracle: CPython 3.11's memoryview, whose results and messages for these
 * very cases were checked with the system Python (e.g.
 * memoryview(bytearray(12)).cast('i', [2**62, 4]) raises ValueError
 * "memoryview.cast(): product(shape) > SSIZE_MAX").
 */
#include "test_util.h"

static unsigned char data[64];

/* A writable 1-D 'B' view of the first n bytes of data. */
static mv_owner *bytes_view(mv_view *v, mv_ssize n) {
    for (int i = 0; i < 64; i++)
        data[i] = (unsigned char)i;
    mv_owner *o = tu_wrap(data, n);
    CHECK_OK(mv_view_from_owner(v, o));
    return o;
}

static void check_c_layout(const mv_view *v, const char *fmt, mv_ssize itemsize,
                           int ndim, const mv_ssize *shape) {
    CHECK_TRUE(strcmp(v->format, fmt) == 0);
    CHECK_EQ(v->itemsize, itemsize);
    CHECK_EQ(v->ndim, ndim);
    CHECK_TRUE(v->suboffsets == NULL);
    mv_ssize sd = itemsize;
    for (int i = ndim - 1; i >= 0; i--) {
        CHECK_EQ(v->shape[i], shape[i]);
        CHECK_EQ(v->strides[i], sd);
        sd *= shape[i];
    }
    CHECK_EQ(v->nbytes, sd);
    CHECK_TRUE(mv_view_is_c_contiguous(v));
    CHECK_EQ(mv_view_format_char(v), mv_format_char(fmt));
}

static void test_cast_1d(void **state) {
    (void)state;
    mv_view v, c;
    mv_owner *o = bytes_view(&v, 12);
    CHECK_OK(mv_view_cast(&c, &v, "i", NULL, -1));
    mv_ssize shape[] = {3};
    check_c_layout(&c, "i", sizeof(int), 1, shape);
    CHECK_TRUE(c.buf == v.buf);
    CHECK_EQ(mv_owner_exports(o), 2);
    mv_value x;
    CHECK_OK(mv_view_get(&c, 1, &x));
    int want;
    memcpy(&want, data + 4, sizeof want);
    CHECK_EQ(x.i, want);
    /* '@' is kept, from a static table */
    mv_view d;
    CHECK_OK(mv_view_cast(&d, &c, "@B", NULL, -1));
    CHECK_TRUE(strcmp(d.format, "@B") == 0);
    CHECK_EQ(d.shape[0], 12);
    CHECK_OK(mv_view_release(&d));
    /* every native format from bytes */
    const char *fmts[] = {"c", "b", "B", "?", "h", "H", "i", "I", "l",
                          "L", "q", "Q", "n", "N", "e", "f", "d", "P"};
    mv_view e;
    mv_owner *o2 = bytes_view(&e, 48);
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        mv_view f;
        CHECK_OK(mv_view_cast(&f, &e, fmts[i], NULL, -1));
        mv_ssize s[] = {48 / mv_format_itemsize(fmts[i])};
        check_c_layout(&f, fmts[i], mv_format_itemsize(fmts[i]), 1, s);
        /* and back to bytes */
        mv_view g;
        CHECK_OK(mv_view_cast(&g, &f, "B", NULL, -1));
        CHECK_EQ(g.shape[0], 48);
        CHECK_OK(mv_view_release(&g));
        CHECK_OK(mv_view_release(&f));
    }
    CHECK_OK(mv_view_release(&e));
    mv_owner_release(o2);
    CHECK_OK(mv_view_release(&c));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_cast_nd(void **state) {
    (void)state;
    mv_view v, c, d, e;
    mv_owner *o = bytes_view(&v, 24);
    mv_ssize shape[] = {2, 3, 4};
    CHECK_OK(mv_view_cast(&c, &v, "B", shape, 3));
    check_c_layout(&c, "B", 1, 3, shape);
    mv_ssize idx[] = {1, 2, 3};
    mv_value x;
    CHECK_OK(mv_view_getn(&c, idx, 3, &x));
    CHECK_EQ(x.u, 23);
    /* N-D -> 1-D with another format */
    CHECK_OK(mv_view_cast(&d, &c, "h", NULL, -1));
    mv_ssize s1[] = {12};
    check_c_layout(&d, "h", 2, 1, s1);
    /* N-D -> 1-D with an explicit shape */
    mv_ssize s2[] = {6};
    CHECK_OK(mv_view_cast(&e, &c, "i", s2, 1));
    check_c_layout(&e, "i", 4, 1, s2);
    CHECK_OK(mv_view_release(&e));
    /* 1-D 'h' -> 'B' N-D is allowed (one byte format) */
    mv_ssize s3[] = {4, 6};
    CHECK_OK(mv_view_cast(&e, &d, "B", s3, 2));
    check_c_layout(&e, "B", 1, 2, s3);
    CHECK_OK(mv_view_release(&e));
    /* 1-D 'B' -> 'i' N-D */
    mv_ssize s4[] = {3, 2};
    CHECK_OK(mv_view_cast(&e, &v, "i", s4, 2));
    check_c_layout(&e, "i", 4, 2, s4);
    CHECK_OK(mv_view_release(&e));
    CHECK_OK(mv_view_release(&d));
    CHECK_OK(mv_view_release(&c));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_cast_zero_dim(void **state) {
    (void)state;
    mv_view v, c, d;
    mv_owner *o = bytes_view(&v, 4);
    CHECK_OK(mv_view_cast(&c, &v, "i", NULL, 0));
    CHECK_EQ(c.ndim, 0);
    CHECK_EQ(c.nbytes, 4);
    CHECK_EQ(c.itemsize, 4);
    CHECK_TRUE(mv_view_is_c_contiguous(&c) && mv_view_is_f_contiguous(&c));
    mv_value x;
    CHECK_OK(mv_view_getn(&c, NULL, 0, &x));
    int want;
    memcpy(&want, data, sizeof want);
    CHECK_EQ(x.i, want);
    /* 0-D -> 1-D */
    CHECK_OK(mv_view_cast(&d, &c, "B", NULL, -1));
    CHECK_EQ(d.ndim, 1);
    CHECK_EQ(d.shape[0], 4);
    CHECK_OK(mv_view_release(&d));
    /* 0-D -> 0-D needs a 1-D side */
    CHECK_ERR(mv_view_cast(&d, &c, "B", NULL, 0), MV_ETYPE,
              "memoryview: cast must be 1D -> ND or ND -> 1D");
    /* a 0-D cast of more than one item */
    CHECK_OK(mv_view_release(&c));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
    o = bytes_view(&v, 8);
    CHECK_ERR(mv_view_cast(&c, &v, "i", NULL, 0), MV_ETYPE,
              "memoryview: product(shape) * itemsize != buffer size");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_cast_empty(void **state) {
    (void)state;
    mv_view v, c;
    mv_owner *o = bytes_view(&v, 0);
    /* memoryview(b'').cast('i') works, with a shape it does not */
    CHECK_OK(mv_view_cast(&c, &v, "i", NULL, -1));
    CHECK_EQ(c.shape[0], 0);
    CHECK_EQ(c.nbytes, 0);
    CHECK_OK(mv_view_release(&c));
    mv_ssize s[] = {0};
    CHECK_ERR(mv_view_cast(&c, &v, "B", s, 1), MV_ETYPE,
              "memoryview: cannot cast view with zeros in shape or strides");
    CHECK_ERR(mv_view_cast(&c, &v, "B", NULL, 0), MV_ETYPE,
              "memoryview: cannot cast view with zeros in shape or strides");
    CHECK_OK(mv_view_release(&v));
    /* an N-D view with a zero in its shape, even without a shape */
    mv_ssize shape[] = {2, 0};
    tu_layout_view(&v, o, data, 0, "B", 1, 2, shape, NULL, NULL, 0);
    CHECK_ERR(mv_view_cast(&c, &v, "B", NULL, -1), MV_ETYPE,
              "memoryview: cannot cast view with zeros in shape or strides");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_cast_errors(void **state) {
    (void)state;
    mv_view v, c, s;
    mv_owner *o = bytes_view(&v, 12);
    /* a failing cast leaves dst untouched */
    memset(&c, 0x5a, sizeof c);
    mv_view sentinel;
    memset(&sentinel, 0x5a, sizeof sentinel);

    CHECK_OK(mv_view_slice(&s, &v, MV_BEGIN, MV_END, 2));
    CHECK_ERR(mv_view_cast(&c, &s, "B", NULL, -1), MV_ETYPE,
              "memoryview: casts are restricted to C-contiguous views");
    CHECK_OK(mv_view_release(&s));

    /* formats that do not compile, or have items of no bytes: the
     * builtin's words for one character, the struct rule for more */
    const char *bad[] = {"", "@", "3", "@3", "Z", "@Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_ERR(mv_view_cast(&c, &v, bad[i], NULL, -1), MV_EVALUE,
                  "memoryview: destination format must be a native single "
                  "character format prefixed with an optional '@'");
    CHECK_ERR(mv_view_cast(&c, &v, "T{", NULL, -1), MV_EVALUE,
              "memoryview: destination format 'T{': unmatched '{' in format");
    CHECK_ERR(mv_view_cast(&c, &v, "<f4", NULL, -1), MV_EVALUE,
              "memoryview: destination format '<f4': repeat count given "
              "without format specifier");
    CHECK_ERR(mv_view_cast(&c, &v, "0i", NULL, -1), MV_EVALUE,
              "memoryview: destination format '0i': its items have no bytes");
    CHECK_ERR(mv_view_cast(&c, &v, "@0s", NULL, -1), MV_EVALUE,
              "memoryview: destination format '@0s': its items have no "
              "bytes");
    const char *more[] = {"Zq", "<n", "i:a"};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        CHECK_STATUS(mv_view_cast(&c, &v, more[i], NULL, -1), MV_EVALUE);
    CHECK_ERR(mv_view_cast(&c, &v, NULL, NULL, -1), MV_EVALUE,
              "memoryview: destination format must be a native single "
              "character format prefixed with an optional '@'");

    CHECK_ERR(mv_view_cast(&c, &v, "d", NULL, -1), MV_ETYPE,
              "memoryview: length is not a multiple of itemsize");
    CHECK_ERR(mv_view_cast(&c, &v, "<5s", NULL, -1), MV_ETYPE,
              "memoryview: length is not a multiple of itemsize");

    /* beyond the builtin: any format that compiles */
    const char *good[] = {"<i", ">I", "hhh", "T{<H:a:<H:b:}",
                          "=B", "3B", "(2)h"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        mv_view g;
        CHECK_OK(mv_view_cast(&g, &v, good[i], NULL, -1));
        assert_string_equal(g.format, good[i]);
        CHECK_TRUE(g.fmtdesc != NULL);
        CHECK_EQ(g.itemsize, g.fmtdesc->itemsize);
        CHECK_EQ(g.nbytes, v.nbytes);
        mv_view b;
        CHECK_OK(mv_view_cast(&b, &g, "B", NULL, -1)); /* and back */
        CHECK_EQ(b.nbytes, v.nbytes);
        CHECK_OK(mv_view_release(&b));
        CHECK_OK(mv_view_release(&g));
    }

    mv_view i;
    CHECK_OK(mv_view_cast(&i, &v, "i", NULL, -1));
    CHECK_ERR(mv_view_cast(&c, &i, "h", NULL, -1), MV_ETYPE,
              "memoryview: cannot cast between two non-byte formats");
    CHECK_ERR(mv_view_cast(&c, &i, "?", NULL, -1), MV_ETYPE,
              "memoryview: cannot cast between two non-byte formats");

    mv_ssize two[] = {2, 6};
    mv_view nd;
    CHECK_OK(mv_view_cast(&nd, &v, "B", two, 2));
    CHECK_ERR(mv_view_cast(&c, &nd, "B", two, 2), MV_ETYPE,
              "memoryview: cast must be 1D -> ND or ND -> 1D");

    mv_ssize ones[65];
    for (int k = 0; k < 65; k++)
        ones[k] = 1;
    CHECK_ERR(mv_view_cast(&c, &v, "B", ones, 65), MV_EVALUE,
              "memoryview: number of dimensions must not exceed 64");
    CHECK_ERR(mv_view_cast(&c, &v, "B", NULL, 1000), MV_EVALUE,
              "memoryview: number of dimensions must not exceed 64");

    const char *gt0 = "memoryview.cast(): elements of shape must be integers "
                      "> 0";
    const char *big = "memoryview.cast(): product(shape) > SSIZE_MAX";
    const char *neq = "memoryview: product(shape) * itemsize != buffer size";
    mv_ssize z[] = {0};
    CHECK_ERR(mv_view_cast(&c, &v, "B", z, 1), MV_EVALUE, gt0);
    mv_ssize neg[] = {-1};
    CHECK_ERR(mv_view_cast(&c, &v, "i", neg, 1), MV_EVALUE, gt0);
    mv_ssize minv[] = {3, MV_SSIZE_MIN};
    CHECK_ERR(mv_view_cast(&c, &v, "i", minv, 2), MV_EVALUE, gt0);
    mv_ssize ovf[] = {TU_HUGE, 4};
    CHECK_ERR(mv_view_cast(&c, &v, "i", ovf, 2), MV_EVALUE, big);
    /* overflow at an earlier entry wins over a later zero... */
    mv_ssize ovf0[] = {TU_HUGE, 0};
    CHECK_ERR(mv_view_cast(&c, &v, "i", ovf0, 2), MV_EVALUE, big);
    /* ...and an earlier zero over a later overflow */
    mv_ssize zovf[] = {0, TU_HUGE};
    CHECK_ERR(mv_view_cast(&c, &v, "i", zovf, 2), MV_EVALUE, gt0);
    mv_ssize maxs[] = {MV_SSIZE_MAX, MV_SSIZE_MAX, MV_SSIZE_MAX};
    CHECK_ERR(mv_view_cast(&c, &v, "B", maxs, 3), MV_EVALUE, big);
    mv_ssize wrap[] = {TU_HALF_WIDTH, TU_HALF_WIDTH};
    CHECK_ERR(mv_view_cast(&c, &v, "B", wrap, 2), MV_EVALUE, big);
    mv_ssize small[] = {2, 2};
    CHECK_ERR(mv_view_cast(&c, &v, "B", small, 2), MV_ETYPE, neq);
    mv_ssize large[] = {4};
    CHECK_ERR(mv_view_cast(&c, &v, "i", large, 1), MV_ETYPE, neq);

    /* a shape pointer is needed for ndim > 0 */
    CHECK_FAILS(mv_view_cast(&c, &v, "B", NULL, 2));
    CHECK_FAILS(mv_view_cast(&c, &v, "B", NULL, -2));

    CHECK_TRUE(memcmp(&c, &sentinel, sizeof c) == 0);
    CHECK_EQ(mv_owner_exports(o), 3);

    CHECK_OK(mv_view_release(&nd));
    CHECK_OK(mv_view_release(&i));
    CHECK_OK(mv_view_release(&v));
    CHECK_ERR(mv_view_cast(&c, &v, "B", NULL, -1), MV_EVALUE,
              "operation forbidden on released memoryview object");
    mv_owner_release(o);
}

/* Rules are checked in CPython's order. */
static void test_cast_error_order(void **state) {
    (void)state;
    mv_view v, c, s;
    mv_owner *o = bytes_view(&v, 12);
    CHECK_OK(mv_view_slice(&s, &v, MV_BEGIN, MV_END, 2));
    /* contiguity before format */
    CHECK_ERR(mv_view_cast(&c, &s, "xx", NULL, -1), MV_ETYPE,
              "memoryview: casts are restricted to C-contiguous views");
    CHECK_OK(mv_view_release(&s));
    /* ndim before format */
    mv_ssize ones[65];
    for (int k = 0; k < 65; k++)
        ones[k] = 1;
    CHECK_ERR(mv_view_cast(&c, &v, "xx", ones, 65), MV_EVALUE,
              "memoryview: number of dimensions must not exceed 64");
    /* format before shape entries */
    mv_ssize z[] = {0};
    CHECK_ERR(mv_view_cast(&c, &v, "T{", z, 1), MV_EVALUE,
              "memoryview: destination format 'T{': unmatched '{' in format");
    /* length multiple before shape entries */
    CHECK_ERR(mv_view_cast(&c, &v, "d", z, 1), MV_ETYPE,
              "memoryview: length is not a multiple of itemsize");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_cast_readonly_and_ownership(void **state) {
    (void)state;
    mv_owner *o;
    const char text[] = "0123456789ab";
    CHECK_OK(mv_owner_copy(&o, text, 12));
    mv_view v, c;
    CHECK_OK(mv_view_from_owner(&v, o));
    mv_owner_release(o);
    CHECK_OK(mv_view_cast(&c, &v, "c", NULL, -1));
    CHECK_TRUE(c.flags & MV_READONLY);
    /* the cast holds its own reference: the bytes outlive v */
    CHECK_OK(mv_view_release(&v));
    mv_value x;
    CHECK_OK(mv_view_get(&c, 11, &x));
    CHECK_EQ(x.type, MV_VAL_BYTES);
    CHECK_EQ(x.s.ptr[0], 'b');
    CHECK_OK(mv_view_release(&c));

    /* a read-only view of writable memory stays read-only */
    mv_view w, r;
    o = bytes_view(&w, 8);
    CHECK_OK(mv_view_readonly(&r, &w));
    CHECK_OK(mv_view_cast(&c, &r, "q", NULL, -1));
    CHECK_TRUE(c.flags & MV_READONLY);
    CHECK_OK(mv_view_release(&c));
    CHECK_OK(mv_view_cast(&c, &w, "q", NULL, -1));
    CHECK_TRUE(!(c.flags & MV_READONLY));
    CHECK_TRUE(!(c.flags & MV_HASHED_));
    CHECK_OK(mv_view_release(&c));
    CHECK_OK(mv_view_release(&r));
    CHECK_OK(mv_view_release(&w));
    mv_owner_release(o);
}

static void test_cast_in_place(void **state) {
    (void)state;
    mv_view v;
    mv_owner *o = bytes_view(&v, 16);
    CHECK_OK(mv_view_cast(&v, &v, "i", NULL, -1));
    CHECK_EQ(v.shape[0], 4);
    CHECK_EQ(mv_owner_exports(o), 1);
    mv_ssize s[] = {2, 2};
    CHECK_ERR(mv_view_cast(&v, &v, "h", s, 2), MV_ETYPE,
              "memoryview: cannot cast between two non-byte formats");
    CHECK_EQ(v.shape[0], 4);
    /* an exported view cannot be replaced */
    CHECK_OK(mv_view_export(&v));
    CHECK_ERR(mv_view_cast(&v, &v, "B", NULL, -1), MV_EBUFFER,
              "memoryview has 1 exported buffer");
    CHECK_EQ(mv_owner_exports(o), 1);
    mv_view_unexport(&v);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_cast_many_dims(void **state) {
    (void)state;
    mv_view v, c, d;
    mv_owner *o = bytes_view(&v, 1);
    mv_ssize ones[64];
    for (int k = 0; k < 64; k++)
        ones[k] = 1;
    CHECK_OK(mv_view_cast(&c, &v, "B", ones, 64));
    check_c_layout(&c, "B", 1, 64, ones);
    mv_ssize idx[64] = {0};
    mv_value x;
    CHECK_OK(mv_view_getn(&c, idx, 64, &x));
    CHECK_EQ(x.u, 0);
    CHECK_OK(mv_view_cast(&d, &c, "c", NULL, -1));
    CHECK_EQ(d.ndim, 1);
    CHECK_EQ(d.shape[0], 1);
    CHECK_OK(mv_view_release(&d));
    mv_ssize four[] = {1, 1, 1, 1};
    CHECK_OK(mv_view_cast(&d, &v, "b", four, 4));
    check_c_layout(&d, "b", 1, 4, four);
    CHECK_OK(mv_view_release(&d));
    CHECK_OK(mv_view_release(&c));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* Column-major results (order F), and F-contiguous sources cast to 1-D
 * (their bytes in memory order), as CPython's newer cast. */
static void test_cast_fortran(void **state) {
    (void)state;
    mv_view v, f, c, b;
    mv_owner *o = bytes_view(&v, 6); /* bytes 0..5 */
    unsigned char *p = (unsigned char *)v.buf;
    for (int i = 0; i < 6; i++)
        p[i] = (unsigned char)i;
    mv_ssize shape[2] = {3, 2};
    CHECK_OK(mv_view_cast_order(&f, &v, "B", shape, 2, MV_ORDER_F));
    CHECK_EQ(f.strides[0], 1);
    CHECK_EQ(f.strides[1], 3);
    CHECK_TRUE(mv_view_is_f_contiguous(&f));
    CHECK_TRUE(!mv_view_is_c_contiguous(&f));
    mv_value x;
    mv_ssize at[2] = {0, 1};
    CHECK_OK(mv_view_getn(&f, at, 2, &x));
    CHECK_EQ(x.u, 3); /* [[0, 3], [1, 4], [2, 5]] */
    /* back to 1-D: memory order, any format */
    CHECK_OK(mv_view_cast(&b, &f, "B", NULL, -1));
    CHECK_EQ(b.shape[0], 6);
    CHECK_TRUE(b.buf == v.buf && b.strides[0] == 1);
    CHECK_OK(mv_view_release(&b));
    mv_ssize six[1] = {6};
    CHECK_OK(mv_view_cast(&b, &f, "B", six, 1));
    CHECK_OK(mv_view_release(&b));
    /* but not to another N-D shape, nor from a strided view */
    mv_ssize other[2] = {2, 3};
    CHECK_ERR(mv_view_cast(&b, &f, "B", other, 2), MV_ETYPE,
              "memoryview: casts are restricted to C-contiguous views");
    /* C order is the default; 1-D shapes are the same in both */
    CHECK_OK(mv_view_cast_order(&c, &v, "B", shape, 2, MV_ORDER_C));
    check_c_layout(&c, "B", 1, 2, shape);
    CHECK_OK(mv_view_release(&c));
    CHECK_OK(mv_view_cast_order(&c, &v, "B", six, 1, MV_ORDER_F));
    check_c_layout(&c, "B", 1, 1, six);
    CHECK_OK(mv_view_release(&c));
    CHECK_OK(mv_view_cast_order(&c, &v, "B", NULL, -1, MV_ORDER_F));
    CHECK_OK(mv_view_release(&c));
    CHECK_ERR(mv_view_cast_order(&c, &v, "B", shape, 2, MV_ORDER_A), MV_EVALUE,
              "memoryview: order must be 'C' or 'F'");
    CHECK_ERR(mv_view_cast_order(&c, &v, "B", shape, 2, (mv_order)'X'),
              MV_EVALUE, "memoryview: order must be 'C' or 'F'");
    CHECK_OK(mv_view_release(&f));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cast_1d),
        cmocka_unit_test(test_cast_nd),
        cmocka_unit_test(test_cast_zero_dim),
        cmocka_unit_test(test_cast_empty),
        cmocka_unit_test(test_cast_errors),
        cmocka_unit_test(test_cast_error_order),
        cmocka_unit_test(test_cast_readonly_and_ownership),
        cmocka_unit_test(test_cast_in_place),
        cmocka_unit_test(test_cast_many_dims),
        cmocka_unit_test(test_cast_fortran),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
