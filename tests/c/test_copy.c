/*
 * test_copy.c -- tobytes in C, Fortran and any order, and assignment
 * between views (dst[...] = src).
 *
 * Oracle: an element-by-element reference copy that walks the indexes in
 * C or Fortran order and finds each item from the view's public strides
 * and suboffsets (test_util.h).
 */
#include "test_util.h"

#define MSG_RELEASED "operation forbidden on released memoryview object"
#define MSG_STRUCT                                                             \
    "memoryview assignment: lvalue and rvalue have different structures"

/* mv_view_tobytes_into and mv_view_tobytes against the reference, in all
 * orders. */
static void check_tobytes(const mv_view *v, int line) {
    size_t n = (size_t)v->nbytes;
    char *ref_c = malloc(n + 1), *ref_f = malloc(n + 1);
    char *out = malloc(n + 16);
    assert_non_null(ref_c);
    assert_non_null(ref_f);
    assert_non_null(out);
    tu_ref_copy(v, ref_c, 0);
    tu_ref_copy(v, ref_f, 1);
    /* 'A' is Fortran only for views Fortran- but not C-contiguous. */
    const char *ref_a =
        (mv_view_is_f_contiguous(v) && !mv_view_is_c_contiguous(v)) ? ref_f
                                                                    : ref_c;
    const struct {
        mv_order order;
        const char *ref;
    } cases[3] = {
        {MV_ORDER_C, ref_c}, {MV_ORDER_F, ref_f}, {MV_ORDER_A, ref_a}};
    for (int k = 0; k < 3; k++) {
        memset(out, 0xA5, n + 16);
        int rc = mv_view_tobytes_into(v, out, v->nbytes, cases[k].order);
        if (rc != MV_OK)
            fail_msg("line %d: tobytes_into %c failed: %s", line,
                     (char)cases[k].order, mv_errmsg());
        if (memcmp(out, cases[k].ref, n) != 0)
            fail_msg("line %d: tobytes_into order %c differs from the "
                     "reference",
                     line, (char)cases[k].order);
        for (size_t i = n; i < n + 16; i++)
            if ((unsigned char)out[i] != 0xA5)
                fail_msg("line %d: tobytes_into wrote past len", line);
        /* A larger output buffer is fine too. */
        CHECK_OK(mv_view_tobytes_into(v, out, v->nbytes + 16, cases[k].order));
        void *heap = NULL;
        CHECK_OK(mv_view_tobytes(v, &heap, cases[k].order));
        CHECK_TRUE(heap != NULL);
        if (memcmp(heap, cases[k].ref, n) != 0)
            fail_msg("line %d: tobytes order %c differs from the reference",
                     line, (char)cases[k].order);
        mv_free(heap);
    }
    /* Too small: refused, nothing written. */
    if (n > 0) {
        memset(out, 0x5A, n + 16);
        int rc = mv_view_tobytes_into(v, out, v->nbytes - 1, MV_ORDER_C);
        if (rc >= 0)
            fail_msg("line %d: tobytes_into a buffer one byte short "
                     "succeeded",
                     line);
        if (mv_errmsg()[0] == '\0')
            fail_msg("line %d: no message", line);
        for (size_t i = 0; i < n + 16; i++)
            if ((unsigned char)out[i] != 0x5A)
                fail_msg("line %d: a refused tobytes_into wrote", line);
        CHECK_FAILS(mv_view_tobytes_into(v, out, -1, MV_ORDER_C));
    }
    free(ref_c);
    free(ref_f);
    free(out);
}

static void test_tobytes_contiguous(void **state) {
    (void)state;
    int data[24];
    tu_pattern(data, sizeof data, 1);
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_view v;
    tu_layout_view(&v, o, data, 96, "i", 4, 1, NULL, NULL, NULL, 0);
    check_tobytes(&v, __LINE__);
    char out[96];
    CHECK_OK(mv_view_tobytes_into(&v, out, 96, MV_ORDER_C));
    assert_memory_equal(out, data, 96);
    CHECK_OK(mv_view_release(&v));

    mv_ssize shape[3] = {2, 3, 4};
    tu_layout_view(&v, o, data, 96, "i", 4, 3, shape, NULL, NULL, 0);
    check_tobytes(&v, __LINE__);
    CHECK_OK(mv_view_tobytes_into(&v, out, 96, MV_ORDER_A));
    assert_memory_equal(out, data, 96);
    CHECK_OK(mv_view_release(&v));

    /* Fortran-contiguous: 'A' and 'F' give the memory as it is. */
    mv_ssize fstrides[3] = {4, 8, 24};
    tu_layout_view(&v, o, data, 96, "i", 4, 3, shape, fstrides, NULL, 0);
    CHECK_TRUE(mv_view_is_f_contiguous(&v) && !mv_view_is_c_contiguous(&v));
    check_tobytes(&v, __LINE__);
    CHECK_OK(mv_view_tobytes_into(&v, out, 96, MV_ORDER_A));
    assert_memory_equal(out, data, 96);
    CHECK_OK(mv_view_tobytes_into(&v, out, 96, MV_ORDER_F));
    assert_memory_equal(out, data, 96);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_tobytes_strided(void **state) {
    (void)state;
    static unsigned char data[1024];
    tu_pattern(data, sizeof data, 2);
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_view v;
    unsigned char *mid = data + 512;

    /* 1-D every third short, forwards and backwards. */
    mv_ssize s1[1] = {10}, st1[1] = {6}, stn[1] = {-6};
    tu_layout_view(&v, o, mid, 20, "h", 2, 1, s1, st1, NULL, 0);
    check_tobytes(&v, __LINE__);
    CHECK_OK(mv_view_release(&v));
    tu_layout_view(&v, o, mid, 20, "h", 2, 1, s1, stn, NULL, 0);
    check_tobytes(&v, __LINE__);
    CHECK_OK(mv_view_release(&v));

    /* 2-D with a gap between rows, and transposed. */
    mv_ssize s2[2] = {4, 5}, st2[2] = {64, 8}, tr2[2] = {8, 64};
    tu_layout_view(&v, o, mid, 160, "q", 8, 2, s2, st2, NULL, 0);
    check_tobytes(&v, __LINE__);
    CHECK_OK(mv_view_release(&v));
    tu_layout_view(&v, o, mid, 160, "q", 8, 2, s2, tr2, NULL, 0);
    check_tobytes(&v, __LINE__);
    CHECK_OK(mv_view_release(&v));

    /* Negative strides in every dimension of a 3-D view. */
    mv_ssize s3[3] = {3, 4, 5}, st3[3] = {-60, -15, -3};
    tu_layout_view(&v, o, mid, 60, "B", 1, 3, s3, st3, NULL, 0);
    check_tobytes(&v, __LINE__);
    CHECK_OK(mv_view_release(&v));

    /* Zero strides: a broadcast row. */
    mv_ssize sz[2] = {3, 4}, stz[2] = {0, 2};
    tu_layout_view(&v, o, mid, 24, "H", 2, 2, sz, stz, NULL, 0);
    check_tobytes(&v, __LINE__);
    CHECK_OK(mv_view_release(&v));

    /* Last dimension contiguous, first strided. */
    mv_ssize sl[2] = {3, 4}, stl[2] = {-40, 4};
    tu_layout_view(&v, o, mid, 48, "f", 4, 2, sl, stl, NULL, 0);
    check_tobytes(&v, __LINE__);
    CHECK_OK(mv_view_release(&v));

    /* Random layouts. */
    uint64_t seed = 4242;
    for (int round = 0; round < 2000; round++) {
        int ndim = (int)tu_range(&seed, 1, 4);
        mv_ssize itemsize = (mv_ssize[]){1, 2, 4, 8}[tu_range(&seed, 0, 3)];
        const char *fmt = itemsize == 1   ? "B"
                          : itemsize == 2 ? "h"
                          : itemsize == 4 ? "i"
                                          : "d";
        mv_ssize shape[4], strides[4], n = 1;
        for (int d = 0; d < ndim; d++) {
            shape[d] = tu_range(&seed, 0, 4);
            strides[d] = itemsize * tu_range(&seed, -6, 6);
            n *= shape[d];
        }
        /* Keep the extent inside data. */
        mv_ssize lo = 0, hi = itemsize;
        for (int d = 0; d < ndim; d++) {
            mv_ssize span = strides[d] * (shape[d] ? shape[d] - 1 : 0);
            if (span < 0)
                lo += span;
            else
                hi += span;
        }
        if (n && (lo < -500 || hi > 500))
            continue;
        tu_layout_view(&v, o, mid, n * itemsize, fmt, itemsize, ndim, shape,
                       strides, NULL, 0);
        check_tobytes(&v, __LINE__);
        CHECK_OK(mv_view_release(&v));
    }
    mv_owner_release(o);
}

static void test_tobytes_suboffsets(void **state) {
    (void)state;
    unsigned char r0[4] = {1, 2, 3, 4}, r1[4] = {5, 6, 7, 8},
                  r2[4] = {9, 10, 11, 12};
    unsigned char *rows[3] = {r0, r1, r2};
    mv_owner *o = tu_wrap(rows, sizeof rows);
    mv_view v;
    mv_ssize shape[2] = {3, 4}, strides[2] = {sizeof(char *), 1},
             sub[2] = {0, -1};
    tu_layout_view(&v, o, rows, 12, "B", 1, 2, shape, strides, sub, 0);
    check_tobytes(&v, __LINE__);
    unsigned char out[12];
    CHECK_OK(mv_view_tobytes_into(&v, out, 12, MV_ORDER_C));
    for (int i = 0; i < 12; i++)
        CHECK_EQ(out[i], i + 1);
    CHECK_OK(mv_view_tobytes_into(&v, out, 12, MV_ORDER_F));
    CHECK_EQ(out[0], 1);
    CHECK_EQ(out[1], 5);
    CHECK_EQ(out[2], 9);
    CHECK_EQ(out[3], 2);
    /* Strided inner dimension under the indirection, rows reversed. */
    mv_view s;
    CHECK_OK(mv_view_slice(&s, &v, MV_END, MV_BEGIN, -1));
    check_tobytes(&s, __LINE__);
    CHECK_OK(mv_view_release(&s));
    mv_ssize sub1[2] = {1, -1}, shape1[2] = {3, 2},
             strides1[2] = {sizeof(char *), 2};
    tu_layout_view(&s, o, rows, 6, "B", 1, 2, shape1, strides1, sub1, 0);
    CHECK_OK(mv_view_tobytes_into(&s, out, 6, MV_ORDER_C));
    const unsigned char want[6] = {2, 4, 6, 8, 10, 12};
    assert_memory_equal(out, want, 6);
    check_tobytes(&s, __LINE__);
    CHECK_OK(mv_view_release(&s));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_tobytes_zero_length_and_0d(void **state) {
    (void)state;
    char data[8] = "abcdefg";
    mv_owner *o = tu_wrap(data, 8);
    mv_view v;
    mv_ssize shape[2] = {3, 0};
    tu_layout_view(&v, o, data, 0, "B", 1, 2, shape, NULL, NULL, 0);
    void *out = NULL;
    CHECK_OK(mv_view_tobytes(&v, &out, MV_ORDER_C));
    CHECK_TRUE(out != NULL);
    mv_free(out);
    out = NULL;
    CHECK_OK(mv_view_tobytes(&v, &out, MV_ORDER_F));
    CHECK_TRUE(out != NULL);
    mv_free(out);
    CHECK_OK(mv_view_tobytes_into(&v, NULL, 0, MV_ORDER_C));
    CHECK_OK(mv_view_release(&v));

    mv_ssize dummy = 1;
    tu_layout_view(&v, o, data + 2, 4, "i", 4, 0, &dummy, NULL, NULL, 0);
    char four[4];
    CHECK_OK(mv_view_tobytes_into(&v, four, 4, MV_ORDER_F));
    assert_memory_equal(four, "cdef", 4);
    out = NULL;
    CHECK_OK(mv_view_tobytes(&v, &out, MV_ORDER_A));
    assert_memory_equal(out, "cdef", 4);
    mv_free(out);
    CHECK_FAILS(mv_view_tobytes_into(&v, four, 3, MV_ORDER_C));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_tobytes_bad_order(void **state) {
    (void)state;
    char data[4] = "abc";
    mv_owner *o = tu_wrap(data, 4);
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    char out[4] = {0};
    CHECK_ERR(mv_view_tobytes_into(&v, out, 4, (mv_order)'X'), MV_EVALUE,
              "order must be 'C', 'F' or 'A'");
    CHECK_EQ(out[0], 0);
    void *heap = out;
    CHECK_ERR(mv_view_tobytes(&v, &heap, (mv_order)0), MV_EVALUE,
              "order must be 'C', 'F' or 'A'");
    CHECK_TRUE(heap == (void *)out);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* ---- assignment ---- */

/* Reference assignment: read every source item first, then write. */
static void ref_assign(const mv_view *dst, const mv_view *src) {
    size_t n = (size_t)src->nbytes;
    char *tmp = malloc(n + 1);
    assert_non_null(tmp);
    tu_ref_copy(src, tmp, 0);
    mv_ssize idx[MV_MAXDIM] = {0};
    char *p = tmp;
    if (tu_nitems(dst) > 0) {
        do {
            memcpy(tu_item_addr(dst, idx), p, (size_t)dst->itemsize);
            p += dst->itemsize;
        } while (tu_next_index(idx, dst->shape, dst->ndim, 0));
    }
    free(tmp);
}

/* Assign src to dst in the block data (size n) and compare with the
 * reference run on a copy of the same block. Both views must lie in
 * data. */
static void check_assign(unsigned char *data, size_t n, mv_view *dst,
                         const mv_view *src, int line) {
    unsigned char *before = malloc(n);
    unsigned char *want = malloc(n);
    assert_non_null(before);
    assert_non_null(want);
    memcpy(before, data, n);
    ref_assign(dst, src);
    memcpy(want, data, n);
    memcpy(data, before, n);
    int rc = mv_view_assign(dst, src);
    if (rc != MV_OK)
        fail_msg("line %d: assign failed: %s", line, mv_errmsg());
    if (memcmp(data, want, n) != 0)
        fail_msg("line %d: assign differs from the reference", line);
    free(before);
    free(want);
}

static void test_assign_same_structure(void **state) {
    (void)state;
    int a[12], b[12];
    tu_pattern(a, sizeof a, 3);
    tu_pattern(b, sizeof b, 4);
    mv_owner *oa = tu_wrap(a, sizeof a), *ob = tu_wrap(b, sizeof b);
    mv_view va, vb;
    mv_ssize shape[2] = {3, 4};
    tu_layout_view(&va, oa, a, 48, "i", 4, 2, shape, NULL, NULL, 0);
    tu_layout_view(&vb, ob, b, 48, "@i", 4, 2, shape, NULL, NULL, 0);
    CHECK_OK(mv_view_assign(&va, &vb));
    assert_memory_equal(a, b, 48);
    CHECK_OK(mv_view_release(&va));
    CHECK_OK(mv_view_release(&vb));

    /* Shapes equal up to a zero at the same place are equivalent. */
    mv_ssize z1[2] = {0, 3}, z2[2] = {0, 5};
    tu_layout_view(&va, oa, a, 0, "i", 4, 2, z1, NULL, NULL, 0);
    tu_layout_view(&vb, ob, b, 0, "i", 4, 2, z2, NULL, NULL, 0);
    CHECK_OK(mv_view_assign(&va, &vb));
    CHECK_OK(mv_view_release(&va));
    CHECK_OK(mv_view_release(&vb));

    /* Beyond the builtin: any compiled format copies; one that does not
     * compile is refused as the builtin refuses it. */
    tu_layout_view(&va, oa, a, 48, "<i", 4, 1, NULL, NULL, NULL, 0);
    tu_layout_view(&vb, ob, b, 48, "<i", 4, 1, NULL, NULL, NULL, 0);
    tu_pattern(b, sizeof b, 9);
    CHECK_OK(mv_view_assign(&va, &vb));
    assert_memory_equal(a, b, 48);
    CHECK_OK(mv_view_release(&va));
    CHECK_OK(mv_view_release(&vb));
    tu_layout_view(&va, oa, a, 48, "T{<i", 4, 1, NULL, NULL, NULL, 0);
    tu_layout_view(&vb, ob, b, 48, "T{<i", 4, 1, NULL, NULL, NULL, 0);
    tu_pattern(b, sizeof b, 10);
    int keep[12];
    memcpy(keep, a, 48);
    CHECK_ERR(mv_view_assign(&va, &vb), MV_ENOTIMPL,
              "memoryview: unsupported format T{<i");
    assert_memory_equal(a, keep, 48);
    CHECK_OK(mv_view_release(&va));
    CHECK_OK(mv_view_release(&vb));

    /* 0-D. */
    mv_ssize dummy = 1;
    a[0] = 1;
    b[0] = 2;
    tu_layout_view(&va, oa, a, 4, "i", 4, 0, &dummy, NULL, NULL, 0);
    tu_layout_view(&vb, ob, b, 4, "i", 4, 0, &dummy, NULL, NULL, 0);
    CHECK_OK(mv_view_assign(&va, &vb));
    CHECK_EQ(a[0], 2);
    CHECK_OK(mv_view_release(&va));
    CHECK_OK(mv_view_release(&vb));
    mv_owner_release(oa);
    mv_owner_release(ob);
}

static void test_assign_different_structures(void **state) {
    (void)state;
    unsigned char a[16], b[16], keep[16];
    tu_pattern(a, 16, 5);
    tu_pattern(b, 16, 6);
    memcpy(keep, a, 16);
    mv_owner *oa = tu_wrap(a, 16), *ob = tu_wrap(b, 16);
    mv_view va, vb;
    struct {
        const char *fa, *fb;
        mv_ssize isa, isb;
        int nda, ndb;
        mv_ssize sha[2], shb[2];
    } cases[] = {
        {"B", "b", 1, 1, 1, 1, {16, 0}, {16, 0}}, /* format */
        {"B", "c", 1, 1, 1, 1, {16, 0}, {16, 0}}, /* format */
        {"h", "H", 2, 2, 1, 1, {8, 0}, {8, 0}},   /* format */
        {"B", "B", 1, 1, 1, 1, {16, 0}, {15, 0}}, /* shape */
        {"B", "B", 1, 1, 1, 1, {0, 0}, {1, 0}},   /* shape */
        {"B", "B", 1, 1, 2, 2, {4, 4}, {2, 8}},   /* shape */
        {"B", "B", 1, 1, 2, 1, {4, 4}, {16, 0}},  /* ndim */
        {"B", "B", 1, 1, 2, 2, {2, 0}, {3, 0}},   /* zero, elsewhere */
        {"h", "<h", 2, 2, 1, 1, {8, 0}, {8, 0}},  /* non-native */
        {"H", "2B", 2, 2, 1, 1, {8, 0}, {8, 0}},  /* non-native */
        {"@h", "<h", 2, 2, 1, 1, {8, 0}, {8, 0}}, /* non-native */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        mv_ssize la = cases[c].isa, lb = cases[c].isb;
        for (int d = 0; d < cases[c].nda; d++)
            la *= cases[c].sha[d];
        for (int d = 0; d < cases[c].ndb; d++)
            lb *= cases[c].shb[d];
        tu_layout_view(&va, oa, a, la, cases[c].fa, cases[c].isa, cases[c].nda,
                       cases[c].sha, NULL, NULL, 0);
        tu_layout_view(&vb, ob, b, lb, cases[c].fb, cases[c].isb, cases[c].ndb,
                       cases[c].shb, NULL, NULL, 0);
        int rc = mv_view_assign(&va, &vb);
        if (rc != MV_EVALUE || strcmp(mv_errmsg(), MSG_STRUCT) != 0)
            fail_msg("case %zu: assign returned %d \"%s\"", c, rc, mv_errmsg());
        assert_memory_equal(a, keep, 16);
        CHECK_OK(mv_view_release(&va));
        CHECK_OK(mv_view_release(&vb));
    }
    mv_owner_release(oa);
    mv_owner_release(ob);
}

static void test_assign_readonly_and_released(void **state) {
    (void)state;
    unsigned char b[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    mv_owner *oa, *ob = tu_wrap(b, 8);
    CHECK_OK(mv_owner_copy(&oa, "abcdefgh", 8));
    mv_view va, vb;
    CHECK_OK(mv_view_from_owner(&va, oa));
    CHECK_OK(mv_view_from_owner(&vb, ob));
    CHECK_ERR(mv_view_assign(&va, &vb), MV_ETYPE,
              "cannot modify read-only memory");
    assert_memory_equal(mv_owner_data(oa), "abcdefgh", 8);
    /* Read-only source is fine. */
    CHECK_OK(mv_view_assign(&vb, &va));
    assert_memory_equal(b, "abcdefgh", 8);
    /* Released on either side. */
    mv_view r;
    CHECK_OK(mv_view_new(&r, &vb));
    CHECK_OK(mv_view_release(&r));
    CHECK_ERR(mv_view_assign(&r, &va), MV_EVALUE, MSG_RELEASED);
    CHECK_ERR(mv_view_assign(&vb, &r), MV_EVALUE, MSG_RELEASED);
    CHECK_OK(mv_view_release(&va));
    CHECK_OK(mv_view_release(&vb));
    mv_owner_release(oa);
    mv_owner_release(ob);
}

static void test_assign_overlapping(void **state) {
    (void)state;
    unsigned char data[64];
    tu_pattern(data, sizeof data, 7);
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_view all, d, s;
    CHECK_OK(mv_view_from_owner(&all, o));
    static const mv_ssize cases[][6] = {
        /* dst start, stop, step; src start, stop, step */
        {2, 12, 1, 0, 10, 1},             /* forward overlap */
        {0, 10, 1, 2, 12, 1},             /* backward overlap */
        {0, 20, 2, 2, 22, 2},             /* strided, forward */
        {4, 24, 2, 0, 20, 2},             /* strided, backward */
        {MV_END, MV_BEGIN, -1, 0, 64, 1}, /* reverse in place */
        {0, 32, 1, 32, 0, -1},            /* reversed source */
        {1, 64, 3, 0, 63, 3},             /* interleaved */
        {0, 21, 1, 0, 63, 3},             /* contiguous from strided */
        {0, 63, 3, 10, 31, 1},            /* strided from contiguous */
        {5, 5, 1, 7, 7, 1},               /* empty */
        {0, 64, 1, 0, 64, 1},             /* onto itself */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        tu_pattern(data, sizeof data, (unsigned)c);
        CHECK_OK(
            mv_view_slice(&d, &all, cases[c][0], cases[c][1], cases[c][2]));
        CHECK_OK(
            mv_view_slice(&s, &all, cases[c][3], cases[c][4], cases[c][5]));
        CHECK_EQ(d.shape[0], s.shape[0]);
        check_assign(data, sizeof data, &d, &s, (int)(__LINE__ * 100 + c));
        CHECK_OK(mv_view_release(&d));
        CHECK_OK(mv_view_release(&s));
    }
    /* Wider items overlapping at an odd offset. */
    mv_ssize sh[1] = {10};
    tu_pattern(data, sizeof data, 99);
    tu_layout_view(&d, o, data + 3, 40, "I", 4, 1, sh, NULL, NULL, 0);
    tu_layout_view(&s, o, data + 1, 40, "I", 4, 1, sh, NULL, NULL, 0);
    check_assign(data, sizeof data, &d, &s, __LINE__);
    CHECK_OK(mv_view_release(&d));
    CHECK_OK(mv_view_release(&s));
    CHECK_OK(mv_view_release(&all));
    mv_owner_release(o);
}

static void test_assign_strided_nd(void **state) {
    (void)state;
    static unsigned char a[2048], b[2048];
    mv_owner *oa = tu_wrap(a, sizeof a), *ob = tu_wrap(b, sizeof b);
    uint64_t seed = 99;
    for (int round = 0; round < 1000; round++) {
        tu_pattern(a, sizeof a, (unsigned)round);
        tu_pattern(b, sizeof b, (unsigned)round + 1000);
        int ndim = (int)tu_range(&seed, 1, 3);
        mv_ssize shape[3], sa[3], sb[3], n = 2;
        for (int d = 0; d < ndim; d++) {
            shape[d] = tu_range(&seed, 0, 4);
            n *= shape[d];
        }
        /* Distinct, non-overlapping strides on each side (C or F order,
         * spread out, sometimes reversed). */
        int fa = (int)tu_range(&seed, 0, 1), fb = (int)tu_range(&seed, 0, 1);
        mv_ssize ka = 2 * tu_range(&seed, 1, 2), kb = 2 * tu_range(&seed, 1, 2);
        for (int k = 0; k < ndim; k++) {
            int da = fa ? k : ndim - 1 - k, db = fb ? k : ndim - 1 - k;
            sa[da] = ka;
            ka *= shape[da] ? shape[da] + 1 : 1;
            sb[db] = kb;
            kb *= shape[db] ? shape[db] + 1 : 1;
        }
        if (tu_range(&seed, 0, 1))
            sa[0] = -sa[0];
        if (tu_range(&seed, 0, 1))
            sb[ndim - 1] = -sb[ndim - 1];
        mv_view va, vb;
        tu_layout_view(&va, oa, a + 1024, n, "h", 2, ndim, shape, sa, NULL, 0);
        tu_layout_view(&vb, ob, b + 1024, n, "h", 2, ndim, shape, sb, NULL, 0);
        check_assign(a, sizeof a, &va, &vb, __LINE__);
        /* The source is unchanged by the assignment. */
        static unsigned char ref[2048];
        tu_pattern(ref, sizeof ref, (unsigned)round + 1000);
        assert_memory_equal(b, ref, sizeof b);
        CHECK_OK(mv_view_release(&va));
        CHECK_OK(mv_view_release(&vb));
    }
    mv_owner_release(oa);
    mv_owner_release(ob);
}

static void test_assign_suboffsets(void **state) {
    (void)state;
    unsigned char r0[3] = {1, 2, 3}, r1[3] = {4, 5, 6};
    unsigned char *rows[2] = {r0, r1};
    unsigned char flat[6] = {10, 11, 12, 13, 14, 15};
    mv_owner *op = tu_wrap(rows, sizeof rows), *of = tu_wrap(flat, 6);
    mv_view vp, vf;
    mv_ssize shape[2] = {2, 3}, strides[2] = {sizeof(char *), 1},
             sub[2] = {0, -1};
    tu_layout_view(&vp, op, rows, 6, "B", 1, 2, shape, strides, sub, 0);
    tu_layout_view(&vf, of, flat, 6, "B", 1, 2, shape, NULL, NULL, 0);
    CHECK_OK(mv_view_assign(&vp, &vf));
    const unsigned char w0[3] = {10, 11, 12}, w1[3] = {13, 14, 15};
    assert_memory_equal(r0, w0, 3);
    assert_memory_equal(r1, w1, 3);
    r0[1] = 99;
    CHECK_OK(mv_view_assign(&vf, &vp));
    CHECK_EQ(flat[1], 99);
    CHECK_OK(mv_view_release(&vp));
    CHECK_OK(mv_view_release(&vf));
    mv_owner_release(op);
    mv_owner_release(of);
}

/* Assignment corners: suboffsets of -1 (not followed), rows of items of
 * 3 bytes, a 0-D item onto itself, views one after the other in memory,
 * and formats spelled alike whose items differ in size. */
static void test_assign_corners(void **state) {
    (void)state;
    unsigned char a[12], b[12], want[12];
    tu_pattern(a, sizeof a, 1);
    tu_pattern(b, sizeof b, 2);
    mv_owner *oa = tu_wrap(a, sizeof a), *ob = tu_wrap(b, sizeof b);
    mv_view d, s;
    mv_ssize n4[] = {4}, st3[] = {3}, st2[] = {2}, neg[] = {-1};
    /* source with suboffsets of -1: a plain strided read */
    tu_layout_view(&d, oa, a, 4, "B", 1, 1, n4, NULL, NULL, 0);
    tu_layout_view(&s, ob, b, 4, "B", 1, 1, n4, st2, neg, 0);
    memcpy(want, a, sizeof a);
    for (int i = 0; i < 4; i++)
        want[i] = b[2 * i];
    CHECK_OK(mv_view_assign(&d, &s));
    CHECK_TRUE(memcmp(a, want, sizeof a) == 0);
    CHECK_OK(mv_view_release(&d));
    CHECK_OK(mv_view_release(&s));
    /* destination with suboffsets of -1, contiguous */
    tu_pattern(b, sizeof b, 3);
    tu_layout_view(&d, oa, a + 4, 4, "B", 1, 1, n4, NULL, neg, 0);
    tu_layout_view(&s, ob, b, 4, "B", 1, 1, n4, NULL, NULL, 0);
    memcpy(want, a, sizeof a);
    memcpy(want + 4, b, 4);
    CHECK_OK(mv_view_assign(&d, &s));
    CHECK_TRUE(memcmp(a, want, sizeof a) == 0);
    CHECK_OK(mv_view_release(&d));
    CHECK_OK(mv_view_release(&s));
    /* destination with suboffsets of -1, every other byte */
    tu_pattern(b, sizeof b, 6);
    tu_layout_view(&d, oa, a, 4, "B", 1, 1, n4, st2, neg, 0);
    tu_layout_view(&s, ob, b, 4, "B", 1, 1, n4, NULL, NULL, 0);
    memcpy(want, a, sizeof a);
    for (int i = 0; i < 4; i++)
        want[2 * i] = b[i];
    CHECK_OK(mv_view_assign(&d, &s));
    CHECK_TRUE(memcmp(a, want, sizeof a) == 0);
    CHECK_OK(mv_view_release(&d));
    CHECK_OK(mv_view_release(&s));
    /* items of pointer size through pointers (stride == itemsize) */
    {
        uint64_t x[2] = {1, 2}, y[2] = {0, 0};
        uint64_t *px[2] = {&x[1], &x[0]}, *py[2] = {&y[0], &y[1]};
        mv_owner *opx = tu_wrap(px, sizeof px), *opy = tu_wrap(py, sizeof py);
        mv_ssize n2p[] = {2}, stp[] = {sizeof(void *)}, sub0[] = {0};
        tu_layout_view(&d, opy, py, 16, "Q", 8, 1, n2p, stp, sub0, 0);
        tu_layout_view(&s, opx, px, 16, "Q", 8, 1, n2p, stp, sub0, 0);
        CHECK_OK(mv_view_assign(&d, &s));
        CHECK_TRUE(y[0] == 2 && y[1] == 1);
        CHECK_OK(mv_view_release(&d));
        CHECK_OK(mv_view_release(&s));
        mv_owner_release(opx);
        mv_owner_release(opy);
    }
    /* items of 3 bytes, every 3 bytes into every other 3 */
    mv_ssize n2[] = {2}, st6[] = {6};
    tu_pattern(b, sizeof b, 4);
    tu_layout_view(&d, oa, a, 6, "3s", 3, 1, n2, st6, NULL, 0);
    tu_layout_view(&s, ob, b, 6, "3s", 3, 1, n2, st3, NULL, 0);
    memcpy(want, a, sizeof a);
    memcpy(want, b, 3);
    memcpy(want + 6, b + 3, 3);
    CHECK_OK(mv_view_assign(&d, &s));
    CHECK_TRUE(memcmp(a, want, sizeof a) == 0);
    void *out = NULL;
    CHECK_OK(mv_view_tobytes(&d, &out, MV_ORDER_C));
    CHECK_TRUE(memcmp(out, b, 6) == 0);
    mv_free(out);
    CHECK_OK(mv_view_release(&d));
    CHECK_OK(mv_view_release(&s));
    /* a 0-D view given (no) suboffsets: its one item */
    mv_ssize nosub[1] = {0};
    tu_layout_view(&d, oa, a + 3, 1, "B", 1, 0, NULL, NULL, nosub, 0);
    CHECK_OK(mv_view_tobytes(&d, &out, MV_ORDER_C));
    CHECK_EQ(((unsigned char *)out)[0], a[3]);
    mv_free(out);
    CHECK_OK(mv_view_release(&d));
    /* a 0-D item onto itself */
    memcpy(want, a, sizeof a);
    tu_layout_view(&d, oa, a + 5, 2, "h", 2, 0, NULL, NULL, NULL, 0);
    CHECK_OK(mv_view_assign(&d, &d));
    CHECK_TRUE(memcmp(a, want, sizeof a) == 0);
    CHECK_OK(mv_view_release(&d));
    /* the destination after the source, and before it, in one block */
    tu_layout_view(&d, oa, a + 6, 6, "B", 1, 1, (mv_ssize[]){6}, NULL, NULL, 0);
    tu_layout_view(&s, oa, a, 6, "B", 1, 1, (mv_ssize[]){6}, NULL, NULL, 0);
    memcpy(want, a, sizeof a);
    memcpy(want + 6, a, 6);
    CHECK_OK(mv_view_assign(&d, &s));
    CHECK_TRUE(memcmp(a, want, sizeof a) == 0);
    tu_pattern(a, sizeof a, 5);
    memcpy(want, a, sizeof a);
    memcpy(want, a + 6, 6);
    CHECK_OK(mv_view_assign(&s, &d));
    CHECK_TRUE(memcmp(a, want, sizeof a) == 0);
    CHECK_OK(mv_view_release(&d));
    CHECK_OK(mv_view_release(&s));
    /* "<hI" of 8 bytes and of 6: the same spelling, other structures */
    tu_layout_view(&d, oa, a, 8, "<hI", 8, 1, (mv_ssize[]){1}, NULL, NULL, 0);
    tu_layout_view(&s, ob, b, 6, "<hI", 6, 1, (mv_ssize[]){1}, NULL, NULL, 0);
    memcpy(want, a, sizeof a);
    CHECK_ERR(mv_view_assign(&d, &s), MV_EVALUE,
              "memoryview assignment: lvalue and rvalue have different "
              "structures");
    CHECK_TRUE(memcmp(a, want, sizeof a) == 0);
    CHECK_OK(mv_view_release(&d));
    CHECK_OK(mv_view_release(&s));
    mv_owner_release(oa);
    mv_owner_release(ob);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tobytes_contiguous),
        cmocka_unit_test(test_tobytes_strided),
        cmocka_unit_test(test_tobytes_suboffsets),
        cmocka_unit_test(test_tobytes_zero_length_and_0d),
        cmocka_unit_test(test_tobytes_bad_order),
        cmocka_unit_test(test_assign_same_structure),
        cmocka_unit_test(test_assign_different_structures),
        cmocka_unit_test(test_assign_readonly_and_released),
        cmocka_unit_test(test_assign_overlapping),
        cmocka_unit_test(test_assign_strided_nd),
        cmocka_unit_test(test_assign_suboffsets),
        cmocka_unit_test(test_assign_corners),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
