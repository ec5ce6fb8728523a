/*
 * test_view.c -- view construction from owners and layouts, contiguity
 * flags, hostile layouts, copies, moves, release and exports.
 *
 * Oracle for the flags: the rules of CPython's memoryview (init_flags),
 * written out independently in test_util.h.
 */
#include "test_util.h"

#define MSG_RELEASED "operation forbidden on released memoryview object"

static void check_flags(const mv_view *v) {
    int c = tu_ref_contig(v, 0), f = tu_ref_contig(v, 1);
    if (!!mv_view_is_c_contiguous(v) != c || !!mv_view_is_f_contiguous(v) != f)
        fail_msg("ndim %d: flags C=%d F=%d, want C=%d F=%d", v->ndim,
                 mv_view_is_c_contiguous(v) != 0,
                 mv_view_is_f_contiguous(v) != 0, c, f);
    CHECK_EQ(!!mv_view_is_contiguous(v), c || f);
}

/* ---- from_owner ---- */

static void test_from_owner(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_new_bytes(&o, 10));
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_TRUE(v.buf == (char *)mv_owner_data(o));
    CHECK_TRUE(v.owner == o);
    CHECK_EQ(v.nbytes, 10);
    CHECK_EQ(v.itemsize, 1);
    assert_string_equal(v.format, "B");
    CHECK_EQ(mv_view_format_char(&v), 'B');
    CHECK_EQ(v.ndim, 1);
    CHECK_EQ(v.shape[0], 10);
    CHECK_EQ(v.strides[0], 1);
    CHECK_TRUE(v.suboffsets == NULL);
    CHECK_EQ(mv_view_exports(&v), 0);
    CHECK_TRUE(mv_view_is_c_contiguous(&v));
    CHECK_TRUE(mv_view_is_f_contiguous(&v));
    CHECK_TRUE(!(v.flags & MV_READONLY));
    CHECK_TRUE(!mv_view_is_released(&v));
    CHECK_OK(mv_view_check_released(&v));
    mv_ssize n = -1;
    CHECK_OK(mv_view_length(&v, &n));
    CHECK_EQ(n, 10);
    n = -1;
    CHECK_OK(mv_view_length_nd(&v, &n));
    CHECK_EQ(n, 10);
    /* shape and strides live in the view itself. */
    CHECK_TRUE(tu_inside(v.shape, &v, sizeof v));
    CHECK_TRUE(tu_inside(v.strides, &v, sizeof v));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_readonly_owners_give_readonly_views(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_copy(&o, "abcdefgh", 8));
    mv_view v;
    mv_ssize shape[1] = {2};
    /* The layout asks for a writable view: the owner wins. */
    tu_layout_view(&v, o, mv_owner_data(o), 8, "i", 4, 1, shape, NULL, NULL, 0);
    CHECK_TRUE(v.flags & MV_READONLY);
    mv_view w;
    CHECK_OK(mv_view_new(&w, &v));
    CHECK_TRUE(w.flags & MV_READONLY);
    CHECK_OK(mv_view_release(&w));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);

    /* A writable owner and a read-only layout give a read-only view. */
    char buf[8] = {0};
    o = tu_wrap(buf, 8);
    tu_layout_view(&v, o, buf, 8, "B", 1, 1, NULL, NULL, NULL, 1);
    CHECK_TRUE(v.flags & MV_READONLY);
    mv_value x = {.type = MV_VAL_INT, .i = 1};
    CHECK_ERR(mv_view_set(&v, 0, &x), MV_ETYPE,
              "cannot modify read-only memory");
    CHECK_EQ(buf[0], 0);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* ---- from_layout ---- */

static void test_layout_defaults(void **state) {
    (void)state;
    int data[6] = {1, 2, 3, 4, 5, 6};
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_view v;
    /* No shape: 1-D of len / itemsize items; no strides: contiguous. */
    tu_layout_view(&v, o, data, 24, "i", 4, 1, NULL, NULL, NULL, 0);
    CHECK_EQ(v.ndim, 1);
    CHECK_EQ(v.shape[0], 6);
    CHECK_EQ(v.strides[0], 4);
    CHECK_EQ(v.nbytes, 24);
    CHECK_EQ(mv_view_format_char(&v), 'i');
    check_flags(&v);
    mv_value x;
    CHECK_OK(mv_view_get(&v, 5, &x));
    CHECK_EQ(x.type, MV_VAL_INT);
    CHECK_EQ(x.i, 6);
    CHECK_OK(mv_view_release(&v));
    /* No format: "B". */
    tu_layout_view(&v, o, data, 24, NULL, 1, 1, NULL, NULL, NULL, 0);
    assert_string_equal(v.format, "B");
    CHECK_EQ(mv_view_format_char(&v), 'B');
    CHECK_EQ(v.shape[0], 24);
    CHECK_OK(mv_view_release(&v));
    /* A format the core cannot read is kept as given. */
    tu_layout_view(&v, o, data, 24, "<i", 4, 1, NULL, NULL, NULL, 0);
    assert_string_equal(v.format, "<i");
    CHECK_EQ(mv_view_format_char(&v), 0);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_layout_2d_c_and_fortran(void **state) {
    (void)state;
    int data[12];
    for (int i = 0; i < 12; i++)
        data[i] = i;
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_view v;
    mv_ssize shape[2] = {3, 4};
    tu_layout_view(&v, o, data, 48, "i", 4, 2, shape, NULL, NULL, 0);
    CHECK_EQ(v.strides[0], 16);
    CHECK_EQ(v.strides[1], 4);
    CHECK_TRUE(mv_view_is_c_contiguous(&v) && !mv_view_is_f_contiguous(&v));
    check_flags(&v);
    CHECK_EQ(v.nbytes, 48);
    mv_ssize n;
    CHECK_OK(mv_view_length(&v, &n));
    CHECK_EQ(n, 3);
    CHECK_OK(mv_view_length_nd(&v, &n));
    CHECK_EQ(n, 3);
    CHECK_OK(mv_view_release(&v));

    mv_ssize fstrides[2] = {4, 12};
    tu_layout_view(&v, o, data, 48, "i", 4, 2, shape, fstrides, NULL, 0);
    CHECK_TRUE(!mv_view_is_c_contiguous(&v) && mv_view_is_f_contiguous(&v));
    check_flags(&v);
    mv_value x;
    mv_ssize idx[2] = {2, 1};
    CHECK_OK(mv_view_getn(&v, idx, 2, &x));
    CHECK_EQ(x.i, 2 + 1 * 3);
    CHECK_OK(mv_view_release(&v));

    /* A dimension of 1 makes both orders agree. */
    mv_ssize shape1[2] = {1, 12};
    tu_layout_view(&v, o, data, 48, "i", 4, 2, shape1, NULL, NULL, 0);
    CHECK_TRUE(mv_view_is_c_contiguous(&v) && mv_view_is_f_contiguous(&v));
    check_flags(&v);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_layout_negative_and_zero_strides(void **state) {
    (void)state;
    unsigned char data[8] = {10, 11, 12, 13, 14, 15, 16, 17};
    mv_owner *o = tu_wrap(data, 8);
    mv_view v;
    mv_ssize shape[1] = {8}, neg[1] = {-1};
    tu_layout_view(&v, o, data + 7, 8, "B", 1, 1, shape, neg, NULL, 0);
    check_flags(&v);
    CHECK_TRUE(!mv_view_is_contiguous(&v));
    mv_value x;
    CHECK_OK(mv_view_get(&v, 0, &x));
    CHECK_EQ(x.u, 17);
    CHECK_OK(mv_view_get(&v, -1, &x));
    CHECK_EQ(x.u, 10);
    CHECK_OK(mv_view_release(&v));

    mv_ssize shape3[1] = {3}, zero[1] = {0};
    tu_layout_view(&v, o, data + 2, 3, "B", 1, 1, shape3, zero, NULL, 0);
    check_flags(&v);
    CHECK_TRUE(!mv_view_is_contiguous(&v));
    for (int i = 0; i < 3; i++) {
        CHECK_OK(mv_view_get(&v, i, &x));
        CHECK_EQ(x.u, 12);
    }
    CHECK_OK(mv_view_release(&v));

    /* One item with any stride is contiguous. */
    mv_ssize one[1] = {1}, big[1] = {1000};
    tu_layout_view(&v, o, data, 1, "B", 1, 1, one, big, NULL, 0);
    CHECK_TRUE(mv_view_is_c_contiguous(&v) && mv_view_is_f_contiguous(&v));
    CHECK_OK(mv_view_release(&v));

    /* 2-D: rows reversed. */
    mv_ssize shape2[2] = {2, 4}, rs[2] = {-4, 1};
    tu_layout_view(&v, o, data + 4, 8, "B", 1, 2, shape2, rs, NULL, 0);
    check_flags(&v);
    CHECK_TRUE(!mv_view_is_contiguous(&v));
    mv_ssize idx[2] = {1, 3};
    CHECK_OK(mv_view_getn(&v, idx, 2, &x));
    CHECK_EQ(x.u, 13);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_layout_zero_size(void **state) {
    (void)state;
    char data[4];
    mv_owner *o = tu_wrap(data, 4);
    mv_view v;
    mv_ssize shape[2] = {0, 3}, strides[2] = {5, 7};
    tu_layout_view(&v, o, data, 0, "B", 1, 2, shape, strides, NULL, 0);
    CHECK_EQ(v.nbytes, 0);
    /* No items: contiguous in both orders whatever the strides. */
    CHECK_TRUE(mv_view_is_c_contiguous(&v) && mv_view_is_f_contiguous(&v));
    check_flags(&v);
    CHECK_OK(mv_view_release(&v));

    /* 1-D of no items with a stride other than the item size: the builtin
     * calls it non-contiguous (memoryview(b"ab")[0:0:2].contiguous). */
    mv_ssize s0[1] = {0}, st[1] = {2};
    tu_layout_view(&v, o, data, 0, "B", 1, 1, s0, st, NULL, 0);
    CHECK_TRUE(!mv_view_is_contiguous(&v));
    check_flags(&v);
    mv_value x;
    CHECK_ERR(mv_view_get(&v, 0, &x), MV_EINDEX,
              "index out of bounds on dimension 1");
    CHECK_OK(mv_view_release(&v));

    /* Default strides of an empty view whose other dimensions multiply
     * past MV_SSIZE_MAX: no overflow, and still an empty view. */
    mv_ssize huge[3] = {0, TU_HUGE / 8, 29};
    tu_layout_view(&v, o, data, 0, "i", 4, 3, huge, NULL, NULL, 0);
    CHECK_EQ(v.nbytes, 0);
    CHECK_EQ(v.strides[2], 4);
    CHECK_EQ(v.strides[1], 4 * 29);
    CHECK_EQ(v.strides[0], 0);
    void *bytes = NULL;
    CHECK_OK(mv_view_tobytes(&v, &bytes, MV_ORDER_C));
    mv_free(bytes);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_layout_0d(void **state) {
    (void)state;
    double d = 2.25;
    mv_owner *o = tu_wrap(&d, sizeof d);
    mv_view v;
    mv_ssize dummy = 99;
    tu_layout_view(&v, o, &d, 8, "d", 8, 0, &dummy, NULL, NULL, 0);
    CHECK_EQ(v.ndim, 0);
    CHECK_EQ(v.nbytes, 8);
    CHECK_TRUE(v.buf == (char *)&d);
    CHECK_TRUE(mv_view_is_c_contiguous(&v) && mv_view_is_f_contiguous(&v));
    mv_value x;
    CHECK_OK(mv_view_getn(&v, NULL, 0, &x));
    CHECK_EQ(x.type, MV_VAL_FLOAT);
    CHECK_TRUE(x.f == 2.25);
    /* As the header says and Python 3.11's builtin does (len() of a 0-D
     * memoryview is 1; later versions raise TypeError). */
    mv_ssize n = -1;
    CHECK_OK(mv_view_length(&v, &n));
    CHECK_EQ(n, 1);
    n = -1;
    CHECK_ERR(mv_view_length_nd(&v, &n), MV_ETYPE,
              "0-dim memory has no length");
    CHECK_EQ(n, -1);
    mv_view w;
    CHECK_OK(mv_view_new(&w, &v));
    CHECK_EQ(w.ndim, 0);
    CHECK_OK(mv_view_release(&w));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* A PIL-style 2-D array: an array of row pointers, suboffsets {0, -1}. */
static void test_layout_suboffsets(void **state) {
    (void)state;
    unsigned char row0[3] = {1, 2, 3}, row1[3] = {4, 5, 6};
    unsigned char *rows[2] = {row0, row1};
    mv_owner *o = tu_wrap(rows, sizeof rows);
    mv_view v;
    mv_ssize shape[2] = {2, 3}, strides[2] = {sizeof(char *), 1},
             sub[2] = {0, -1};
    tu_layout_view(&v, o, rows, 6, "B", 1, 2, shape, strides, sub, 0);
    CHECK_TRUE(v.suboffsets != NULL);
    CHECK_EQ(v.suboffsets[0], 0);
    CHECK_EQ(v.suboffsets[1], -1);
    CHECK_TRUE(!mv_view_is_contiguous(&v));
    check_flags(&v);
    for (mv_ssize i = 0; i < 2; i++)
        for (mv_ssize j = 0; j < 3; j++) {
            mv_ssize idx[2] = {i, j};
            mv_value x;
            CHECK_OK(mv_view_getn(&v, idx, 2, &x));
            CHECK_EQ(x.u, 1 + 3 * i + j);
            char *p;
            CHECK_OK(mv_view_item_ptrn(&v, idx, 2, &p));
            CHECK_TRUE(p == tu_item_addr(&v, idx));
        }
    mv_view w;
    CHECK_OK(mv_view_new(&w, &v));
    CHECK_TRUE(w.suboffsets != NULL && w.suboffsets != v.suboffsets);
    CHECK_EQ(w.suboffsets[0], 0);
    CHECK_OK(mv_view_release(&v));
    CHECK_OK(mv_view_release(&w));
    mv_owner_release(o);
}

static void test_layout_random_flags(void **state) {
    (void)state;
    static char data[4096];
    mv_owner *o = tu_wrap(data, sizeof data);
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (int round = 0; round < 3000; round++) {
        int ndim = (int)tu_range(&seed, 1, 4);
        mv_ssize itemsize = (mv_ssize[]){1, 2, 4, 8}[tu_range(&seed, 0, 3)];
        const char *fmt = itemsize == 1   ? "B"
                          : itemsize == 2 ? "h"
                          : itemsize == 4 ? "i"
                                          : "q";
        mv_ssize shape[4], strides[4], n = 1;
        for (int d = 0; d < ndim; d++) {
            shape[d] = tu_range(&seed, 0, 3);
            n *= shape[d];
        }
        /* Mostly contiguous strides in a random order, sometimes altered. */
        int fortran = (int)tu_range(&seed, 0, 1);
        mv_ssize sd = itemsize;
        for (int k = 0; k < ndim; k++) {
            int d = fortran ? k : ndim - 1 - k;
            strides[d] = sd;
            sd *= shape[d] ? shape[d] : 1;
        }
        if (tu_range(&seed, 0, 2) == 0) {
            int d = (int)tu_range(&seed, 0, ndim - 1);
            strides[d] = itemsize * tu_range(&seed, -3, 3);
        }
        /* Start in the middle so that negative strides stay inside. */
        char *buf = data + 2048;
        mv_view v;
        tu_layout_view(&v, o, buf, n * itemsize, fmt, itemsize, ndim, shape,
                       strides, NULL, 0);
        CHECK_EQ(v.nbytes, n * itemsize);
        for (int d = 0; d < ndim; d++) {
            CHECK_EQ(v.shape[d], shape[d]);
            CHECK_EQ(v.strides[d], strides[d]);
        }
        check_flags(&v);
        CHECK_OK(mv_view_release(&v));
    }
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

/* ---- hostile layouts ---- */

/* A refused layout leaves its output untouched, or leaves it a released
 * view (which a caller may release again without harm). */
static void hostile(mv_owner *o, const mv_layout *l, int line) {
    mv_view v;
    memset(&v, 0x5a, sizeof v);
    unsigned char ref[sizeof v];
    memcpy(ref, &v, sizeof v);
    mv_ssize before = mv_owner_exports(o);
    int rc = mv_view_from_layout(&v, o, l);
    if (rc >= 0)
        fail_msg("line %d: hostile layout accepted", line);
    if (rc != MV_EVALUE && rc != MV_EOVERFLOW && rc != MV_ETYPE)
        fail_msg("line %d: hostile layout: status %d (%s)", line, rc,
                 mv_err_name(rc));
    if (mv_errmsg()[0] == '\0')
        fail_msg("line %d: no message", line);
    if (mv_owner_exports(o) != before)
        fail_msg("line %d: exports %td -> %td after a refused layout", line,
                 before, mv_owner_exports(o));
    if (memcmp(&v, ref, sizeof v) != 0) {
        if (!mv_view_is_released(&v) || v.owner != NULL)
            fail_msg("line %d: refused layout left a half-made view", line);
        if (mv_view_release(&v) != MV_OK)
            fail_msg("line %d: releasing a refused view failed", line);
        if (mv_owner_exports(o) != before)
            fail_msg("line %d: releasing a refused view changed exports", line);
    }
}

static void test_hostile_layouts(void **state) {
    (void)state;
    static char data[256];
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_layout l;
    mv_ssize shape[MV_MAXDIM + 2], strides[MV_MAXDIM + 2];
    for (int i = 0; i < MV_MAXDIM + 2; i++) {
        shape[i] = 1;
        strides[i] = 1;
    }
    memset(&l, 0, sizeof l);
    l.buf = data;
    l.format = "B";
    l.itemsize = 1;
    l.nbytes = 1;
    l.shape = shape;
    l.strides = strides;

    l.ndim = MV_MAXDIM + 1;
    hostile(o, &l, __LINE__);
    CHECK_STATUS(mv_view_from_layout(&(mv_view){0}, o, &l), MV_EVALUE);
    assert_string_equal(mv_errmsg(),
                        "memoryview: number of dimensions must not exceed 64");
    l.ndim = 1000000;
    hostile(o, &l, __LINE__);
    l.ndim = -1;
    hostile(o, &l, __LINE__);
    l.ndim = -2147483647 - 1;
    hostile(o, &l, __LINE__);

    /* Negative shape. */
    l.ndim = 2;
    shape[0] = 2;
    shape[1] = -1;
    l.nbytes = 2;
    hostile(o, &l, __LINE__);
    shape[1] = MV_SSIZE_MIN;
    hostile(o, &l, __LINE__);
    shape[0] = shape[1] = 1;

    /* Shape products that overflow, even when len wraps to a plausible
     * value. */
    shape[0] = MV_SSIZE_MAX;
    shape[1] = 2;
    l.nbytes = (mv_ssize)((uint64_t)MV_SSIZE_MAX * 2u); /* -2 */
    hostile(o, &l, __LINE__);
    shape[0] = TU_HALF_WIDTH;
    shape[1] = TU_HALF_WIDTH;
    l.nbytes = 0; /* 2^64 (2^32) wraps to 0 */
    hostile(o, &l, __LINE__);
    shape[0] = TU_HALF_WIDTH / 2;
    shape[1] = TU_HALF_WIDTH / 2;
    l.itemsize = 4; /* 2^62 * 4 wraps to 0 */
    l.format = "i";
    hostile(o, &l, __LINE__);
    l.itemsize = 1;
    l.format = "B";
    shape[0] = shape[1] = 1;

    /* Item size 0 or negative. */
    l.ndim = 1;
    l.nbytes = 0;
    shape[0] = 4;
    l.itemsize = 0;
    hostile(o, &l, __LINE__);
    l.itemsize = -1;
    l.nbytes = -4;
    hostile(o, &l, __LINE__);
    l.itemsize = MV_SSIZE_MIN;
    l.nbytes = 0;
    hostile(o, &l, __LINE__);

    /* len that does not match product(shape) * itemsize. */
    l.itemsize = 1;
    l.nbytes = 5;
    hostile(o, &l, __LINE__);
    l.nbytes = 3;
    hostile(o, &l, __LINE__);
    l.nbytes = -1;
    hostile(o, &l, __LINE__);

    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

static void test_hostile_layouts_strides_and_formats(void **state) {
    (void)state;
    static char data[256];
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_layout l;
    mv_ssize shape[1] = {4}, strides[1] = {1};
    memset(&l, 0, sizeof l);
    l.buf = data;
    l.ndim = 1;
    l.shape = shape;
    l.strides = strides;
    /* A native format with the wrong item size. */
    l.nbytes = 4;
    l.format = "i";
    l.itemsize = 1;
    hostile(o, &l, __LINE__);

    /* No shape and a len that is not a multiple of the item size. */
    l.format = "i";
    l.itemsize = 4;
    l.shape = NULL;
    l.strides = NULL;
    l.nbytes = 6;
    hostile(o, &l, __LINE__);
    l.nbytes = -4;
    hostile(o, &l, __LINE__);

    /* Stride products that overflow an address offset. */
    l.format = "B";
    l.itemsize = 1;
    l.shape = shape;
    l.strides = strides;
    l.ndim = 1;
    shape[0] = 3;
    l.nbytes = 3;
    strides[0] = MV_SSIZE_MAX / 2 + 1;
    hostile(o, &l, __LINE__);
    strides[0] = MV_SSIZE_MIN;
    hostile(o, &l, __LINE__);

    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

static void test_layout_outside_owner(void **state) {
    (void)state;
    static char data[64];
    mv_owner *o = tu_wrap(data + 16, 32);
    mv_layout l;
    mv_ssize shape[2] = {4, 4}, strides[2] = {8, 1};
    memset(&l, 0, sizeof l);
    l.format = "B";
    l.itemsize = 1;
    l.ndim = 2;
    l.nbytes = 16;
    l.shape = shape;
    l.strides = strides;
    /* Exactly the owner's last byte is fine... */
    l.buf = data + 16 + 32 - 28;
    mv_view v;
    CHECK_OK(mv_view_from_layout(&v, o, &l));
    CHECK_OK(mv_view_release(&v));
    /* ...one more is not, nor anything before the first byte. */
    l.buf = data + 16 + 32 - 27;
    hostile(o, &l, __LINE__);
    l.buf = data + 15;
    hostile(o, &l, __LINE__);
    strides[0] = -8;
    l.buf = data + 16 + 24;
    CHECK_OK(mv_view_from_layout(&v, o, &l));
    CHECK_OK(mv_view_release(&v));
    l.buf = data + 16 + 24;
    strides[0] = -9;
    hostile(o, &l, __LINE__);
    /* A buffer pointer into other memory. */
    static char elsewhere[64];
    strides[0] = 8;
    l.buf = elsewhere;
    hostile(o, &l, __LINE__);
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

static void test_released_view_cannot_make_views(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_new_bytes(&o, 4));
    mv_view v, w;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_OK(mv_view_release(&v));
    CHECK_ERR(mv_view_new(&w, &v), MV_EVALUE, MSG_RELEASED);
    CHECK_ERR(mv_view_readonly(&w, &v), MV_EVALUE, MSG_RELEASED);
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

/* ---- new, readonly, move ---- */

static void test_view_new_is_independent(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_new_bytes(&o, 24));
    mv_view v, w;
    mv_ssize shape[2] = {2, 3};
    tu_layout_view(&v, o, mv_owner_data(o), 24, "i", 4, 2, shape, NULL, NULL,
                   0);
    CHECK_OK(mv_view_new(&w, &v));
    CHECK_EQ(mv_owner_exports(o), 2);
    CHECK_TRUE(w.buf == v.buf && w.owner == o);
    CHECK_EQ(w.nbytes, v.nbytes);
    CHECK_EQ(w.itemsize, 4);
    assert_string_equal(w.format, "i");
    CHECK_EQ(w.ndim, 2);
    CHECK_EQ(w.flags, v.flags);
    CHECK_EQ(mv_view_exports(&w), 0);
    /* Its geometry is its own copy. */
    CHECK_TRUE(tu_inside(w.shape, &w, sizeof w));
    CHECK_TRUE(tu_inside(w.strides, &w, sizeof w));
    CHECK_EQ(w.shape[0], 2);
    CHECK_EQ(w.shape[1], 3);
    CHECK_EQ(w.strides[0], 12);
    CHECK_EQ(w.strides[1], 4);
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(mv_owner_exports(o), 1);
    mv_value x = {.type = MV_VAL_INT, .i = -9};
    mv_ssize idx[2] = {1, 2};
    CHECK_OK(mv_view_setn(&w, idx, 2, &x));
    CHECK_OK(mv_view_getn(&w, idx, 2, &x));
    CHECK_EQ(x.i, -9);
    CHECK_OK(mv_view_release(&w));
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

static void test_view_readonly(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_new_bytes(&o, 4));
    mv_view v, r;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_OK(mv_view_readonly(&r, &v));
    CHECK_TRUE(r.flags & MV_READONLY);
    CHECK_TRUE(!(v.flags & MV_READONLY));
    CHECK_EQ(mv_owner_exports(o), 2);
    mv_value x = {.type = MV_VAL_INT, .i = 3};
    CHECK_ERR(mv_view_set(&r, 0, &x), MV_ETYPE,
              "cannot modify read-only memory");
    CHECK_OK(mv_view_set(&v, 0, &x));
    CHECK_OK(mv_view_get(&r, 0, &x));
    CHECK_EQ(x.u, 3);
    /* Views of a read-only view stay read-only. */
    mv_view s;
    CHECK_OK(mv_view_slice(&s, &r, 1, MV_END, 1));
    CHECK_TRUE(s.flags & MV_READONLY);
    CHECK_OK(mv_view_release(&s));
    CHECK_OK(mv_view_new(&s, &r));
    CHECK_TRUE(s.flags & MV_READONLY);
    CHECK_OK(mv_view_release(&s));
    CHECK_OK(mv_view_release(&r));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_view_move(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_new_bytes(&o, 64));
    for (int ndim = 1; ndim <= 6; ndim++) {
        mv_ssize shape[6] = {2, 2, 2, 2, 2, 2};
        mv_ssize len = (mv_ssize)1 << ndim;
        mv_view a, b;
        tu_layout_view(&a, o, mv_owner_data(o), len, "B", 1, ndim, shape, NULL,
                       NULL, 0);
        mv_ssize want_strides[6];
        for (int d = 0; d < ndim; d++)
            want_strides[d] = a.strides[d];
        mv_view_move(&b, &a);
        CHECK_EQ(mv_owner_exports(o), 1);
        CHECK_TRUE(mv_view_is_released(&a));
        CHECK_TRUE(a.owner == NULL);
        CHECK_ERR(mv_view_check_released(&a), MV_EVALUE, MSG_RELEASED);
        CHECK_OK(mv_view_release(&a));
        CHECK_EQ(mv_owner_exports(o), 1);
        /* Scribble over the source: the moved view must not point into it. */
        memset(&a, 0xee, sizeof a);
        CHECK_EQ(b.ndim, ndim);
        CHECK_EQ(b.nbytes, len);
        for (int d = 0; d < ndim; d++) {
            CHECK_EQ(b.shape[d], 2);
            CHECK_EQ(b.strides[d], want_strides[d]);
        }
        if (ndim <= MV_INLINE_NDIM)
            CHECK_TRUE(tu_inside(b.shape, &b, sizeof b));
        check_flags(&b);
        mv_view c;
        CHECK_OK(mv_view_new(&c, &b));
        CHECK_OK(mv_view_release(&b));
        CHECK_OK(mv_view_release(&c));
        CHECK_EQ(mv_owner_exports(o), 0);
    }
    mv_owner_release(o);
}

/* ---- many dimensions ---- */

static void test_many_dimensions(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_new_bytes(&o, 1 << 10));
    mv_ssize shape[MV_MAXDIM];
    for (int ndim = 0; ndim <= MV_MAXDIM; ndim++) {
        mv_ssize len = 1;
        for (int d = 0; d < ndim; d++) {
            shape[d] = (d % 7 == 3) ? 2 : 1;
            len *= shape[d];
        }
        mv_view v, w, s;
        tu_layout_view(&v, o, mv_owner_data(o), len * 2, "h", 2, ndim, shape,
                       NULL, NULL, 0);
        CHECK_EQ(v.ndim, ndim);
        CHECK_EQ(v.nbytes, len * 2);
        for (int d = 0; d < ndim; d++)
            CHECK_EQ(v.shape[d], shape[d]);
        CHECK_TRUE(mv_view_is_c_contiguous(&v));
        check_flags(&v);
        CHECK_OK(mv_view_new(&w, &v));
        if (ndim > 0) {
            CHECK_TRUE(w.shape != v.shape);
            CHECK_OK(mv_view_slice(&s, &w, 0, 1, 1));
            CHECK_EQ(s.ndim, ndim);
            CHECK_OK(mv_view_release(&s));
        }
        mv_ssize idx[MV_MAXDIM];
        for (int d = 0; d < ndim; d++)
            idx[d] = shape[d] - 1;
        mv_value x = {.type = MV_VAL_INT, .i = -ndim};
        CHECK_OK(mv_view_setn(&w, idx, ndim, &x));
        CHECK_OK(mv_view_getn(&v, idx, ndim, &x));
        CHECK_EQ(x.i, -ndim);
        CHECK_OK(mv_view_release(&v));
        CHECK_OK(mv_view_release(&w));
    }
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

/* ---- release and exports ---- */

static void test_release_idempotent_and_final(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_new_bytes(&o, 8));
    mv_view v, w;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_OK(mv_view_release(&v));
    CHECK_OK(mv_view_release(&v));
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(mv_owner_exports(o), 0);
    CHECK_TRUE(mv_view_is_released(&v));
    CHECK_TRUE(v.owner == NULL);
    CHECK_TRUE(!mv_view_is_c_contiguous(&v) && !mv_view_is_f_contiguous(&v));
    CHECK_TRUE(!mv_view_is_contiguous(&v));

    mv_value x = {.type = MV_VAL_INT, .i = 1};
    char *p;
    void *out = NULL;
    char bytes[8];
    mv_ssize n, idx[1] = {0};
    CHECK_ERR(mv_view_check_released(&v), MV_EVALUE, MSG_RELEASED);
    CHECK_ERR(mv_view_length(&v, &n), MV_EVALUE, MSG_RELEASED);
    CHECK_ERR(mv_view_length_nd(&v, &n), MV_EVALUE, MSG_RELEASED);
    CHECK_ERR(mv_view_get(&v, 0, &x), MV_EVALUE, MSG_RELEASED);
    CHECK_ERR(mv_view_set(&v, 0, &x), MV_EVALUE, MSG_RELEASED);
    CHECK_ERR(mv_view_getn(&v, idx, 1, &x), MV_EVALUE, MSG_RELEASED);
    CHECK_ERR(mv_view_setn(&v, idx, 1, &x), MV_EVALUE, MSG_RELEASED);
    CHECK_ERR(mv_view_item_ptr(&v, 0, &p), MV_EVALUE, MSG_RELEASED);
    CHECK_ERR(mv_view_item_ptrn(&v, idx, 1, &p), MV_EVALUE, MSG_RELEASED);
    CHECK_ERR(mv_view_slice(&w, &v, 0, 1, 1), MV_EVALUE, MSG_RELEASED);
    CHECK_ERR(mv_view_narrow(&v, 0, 1, 1), MV_EVALUE, MSG_RELEASED);
    CHECK_ERR(mv_view_tobytes(&v, &out, MV_ORDER_C), MV_EVALUE, MSG_RELEASED);
    CHECK_TRUE(out == NULL);
    CHECK_ERR(mv_view_tobytes_into(&v, bytes, 8, MV_ORDER_C), MV_EVALUE,
              MSG_RELEASED);
    CHECK_ERR(mv_view_export(&v), MV_EVALUE, MSG_RELEASED);
    CHECK_ERR(mv_view_new(&w, &v), MV_EVALUE, MSG_RELEASED);
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

static void test_release_refused_while_exported(void **state) {
    (void)state;
    mv_owner *o;
    CHECK_OK(mv_owner_new_bytes(&o, 8));
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    CHECK_OK(mv_view_export(&v));
    CHECK_EQ(mv_view_exports(&v), 1);
    CHECK_ERR(mv_view_release(&v), MV_EBUFFER,
              "memoryview has 1 exported buffer");
    CHECK_TRUE(!mv_view_is_released(&v));
    CHECK_EQ(mv_owner_exports(o), 1);
    CHECK_OK(mv_view_export(&v));
    CHECK_EQ(mv_view_exports(&v), 2);
    CHECK_ERR(mv_view_release(&v), MV_EBUFFER,
              "memoryview has 2 exported buffers");
    /* Still fully usable. */
    mv_value x;
    CHECK_OK(mv_view_get(&v, 7, &x));
    mv_view_unexport(&v);
    CHECK_ERR(mv_view_release(&v), MV_EBUFFER,
              "memoryview has 1 exported buffer");
    mv_view_unexport(&v);
    CHECK_EQ(mv_view_exports(&v), 0);
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(mv_owner_exports(o), 0);
    /* Exports of one view do not block another. */
    mv_view a, b;
    CHECK_OK(mv_view_from_owner(&a, o));
    CHECK_OK(mv_view_new(&b, &a));
    CHECK_OK(mv_view_export(&a));
    CHECK_EQ(mv_view_exports(&b), 0);
    CHECK_OK(mv_view_release(&b));
    mv_view_unexport(&a);
    CHECK_OK(mv_view_release(&a));
    mv_owner_release(o);
}

static void test_release_order_with_owner(void **state) {
    (void)state;
    /* The view keeps the bytes alive after the creator's handle is gone
     * (ASan reports any use after free). */
    mv_owner *o;
    CHECK_OK(mv_owner_copy(&o, "hello world", 11));
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    mv_owner_release(o);
    mv_value x;
    CHECK_OK(mv_view_get(&v, 10, &x));
    CHECK_EQ(x.u, 'd');
    mv_ssize steps = 0;
    while (v.nbytes) {
        CHECK_OK(mv_view_narrow(&v, 1, MV_END, 1));
        steps++;
    }
    CHECK_EQ(steps, 11);
    CHECK_EQ(v.shape[0], 0);
    CHECK_OK(mv_view_release(&v));
}

/* mv_layout_extent: the bytes a layout reaches, and the layouts whose
 * reach leaves the address space. */
static void test_layout_extent(void **state) {
    (void)state;
    mv_ssize lo = -1, hi = -1;
    mv_ssize strides[2] = {-8, 1}, shape[2] = {3, 4};
    mv_layout l = {.nbytes = 12, .itemsize = 1, .ndim = 2};
    /* strides without a shape: the bytes as given */
    l.strides = strides;
    CHECK_OK(mv_layout_extent(&l, &lo, &hi));
    CHECK_EQ(lo, 0);
    CHECK_EQ(hi, 12);
    l.shape = shape;
    CHECK_OK(mv_layout_extent(&l, &lo, &hi));
    CHECK_EQ(lo, -16); /* two rows back */
    CHECK_EQ(hi, 4);
    /* the last item's end one past the largest address */
    mv_ssize two[2] = {2, 1}, up[2] = {MV_SSIZE_MAX, 1};
    l.shape = two;
    l.strides = up;
    CHECK_ERR(mv_layout_extent(&l, &lo, &hi), MV_EOVERFLOW,
              "memoryview: strides overflow the address space");
    mv_ssize twos[2] = {2, 2}, down[2] = {MV_SSIZE_MIN, -1};
    l.shape = twos;
    l.strides = down;
    CHECK_ERR(mv_layout_extent(&l, &lo, &hi), MV_EOVERFLOW,
              "memoryview: strides overflow the address space");
    CHECK_EQ(lo, -16); /* untouched */
    CHECK_EQ(hi, 4);
}

/* Suboffsets kept with the dimensions, inline or on the heap, through
 * borrow, move and unexport; a released view lends nothing. */
static void test_suboffsets_travel(void **state) {
    (void)state;
    static unsigned char data[32];
    static char *ptrs[2] = {(char *)data, (char *)data + 16};
    mv_owner *o = tu_wrap(ptrs, sizeof ptrs);
    for (int ndim = 2; ndim <= 5; ndim += 3) {
        mv_ssize shape[5] = {2, 1, 1, 1, 1}, strides[5] = {sizeof(char *)};
        mv_ssize sub[5] = {3, -1, -1, -1, -1};
        mv_view v, b, m;
        tu_layout_view(&v, o, ptrs, 2, "B", 1, ndim, shape, strides, sub, 0);
        CHECK_TRUE(v.suboffsets != NULL && v.suboffsets[0] == 3);
        CHECK_OK(mv_view_borrow(&b, &v));
        CHECK_TRUE(b.suboffsets != NULL && b.suboffsets[0] == 3);
        mv_ssize idx[5] = {1, 0, 0, 0, 0};
        char *p = NULL;
        CHECK_OK(mv_view_item_ptrn(&b, idx, ndim, &p));
        CHECK_TRUE(p == (char *)data + 19);
        mv_view_move(&m, &b);
        CHECK_TRUE(mv_view_is_released(&b));
        CHECK_TRUE(m.suboffsets != NULL && m.suboffsets[ndim - 1] == -1);
        p = NULL;
        CHECK_OK(mv_view_item_ptrn(&m, idx, ndim, &p));
        CHECK_TRUE(p == (char *)data + 19);
        CHECK_OK(mv_view_release(&m));
        /* unexport with nothing exported changes nothing: one export
         * after it is one export still */
        mv_view_unexport(&v);
        CHECK_OK(mv_view_export(&v));
        CHECK_ERR(mv_view_release(&v), MV_EBUFFER,
                  "memoryview has 1 exported buffer");
        mv_view_unexport(&v);
        CHECK_OK(mv_view_release(&v));
        CHECK_ERR(mv_view_borrow(&b, &v), MV_EVALUE,
                  "operation forbidden on released memoryview object");
        CHECK_TRUE(mv_view_is_released(&b));
    }
    /* ndim > 0 needs a shape */
    mv_layout l = {.buf = ptrs, .nbytes = 2, .itemsize = 1, .ndim = 2};
    mv_view v;
    CHECK_ERR(mv_view_from_layout(&v, o, &l), MV_EVALUE,
              "memoryview: shape is required for ndim 2");
    mv_owner_release(o);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_owner),
        cmocka_unit_test(test_readonly_owners_give_readonly_views),
        cmocka_unit_test(test_layout_defaults),
        cmocka_unit_test(test_layout_2d_c_and_fortran),
        cmocka_unit_test(test_layout_negative_and_zero_strides),
        cmocka_unit_test(test_layout_zero_size),
        cmocka_unit_test(test_layout_0d),
        cmocka_unit_test(test_layout_suboffsets),
        cmocka_unit_test(test_layout_random_flags),
        cmocka_unit_test(test_hostile_layouts),
        cmocka_unit_test(test_hostile_layouts_strides_and_formats),
        cmocka_unit_test(test_layout_outside_owner),
        cmocka_unit_test(test_released_view_cannot_make_views),
        cmocka_unit_test(test_view_new_is_independent),
        cmocka_unit_test(test_view_readonly),
        cmocka_unit_test(test_view_move),
        cmocka_unit_test(test_many_dimensions),
        cmocka_unit_test(test_release_idempotent_and_final),
        cmocka_unit_test(test_release_refused_while_exported),
        cmocka_unit_test(test_release_order_with_owner),
        cmocka_unit_test(test_layout_extent),
        cmocka_unit_test(test_suboffsets_travel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
