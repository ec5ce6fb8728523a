/*
 * test_subview.c -- what memview does beyond the builtin memoryview:
 * sub-views (mv_view_subview), slicing any one dimension
 * (mv_view_narrow_dim) and keys of indexes and slices (mv_view_select).
 *
 * Oracle: every item of a result is checked to sit at the address that
 * PEP 3118 addressing gives for the corresponding full index of the source
 * (tu_item_addr, strides and suboffsets followed by hand). Which source
 * index corresponds to which result index is worked out here from
 * Python's slice rules, written as a plain loop.
 */
#include <limits.h>

#include "test_util.h"

#define MSG_RELEASED "operation forbidden on released memoryview object"
#define MSG_0DIM "invalid indexing of 0-dim memory"
#define MSG_STEP0 "slice step cannot be zero"

#define MAXD 6
#define MAXN 32

/* ---- reference: which source index each result index stands for ---- */

/* For each source dimension: dropped at a fixed index, or kept with the
 * list of source indexes its result indexes stand for. */
typedef struct refmap {
    int ndim; /* of the source */
    int fixed[MAXD];
    mv_ssize at[MAXD];
    mv_ssize n[MAXD];
    mv_ssize sel[MAXD][MAXN];
} refmap;

static void ref_identity(refmap *m, const mv_view *src) {
    memset(m, 0, sizeof *m);
    m->ndim = src->ndim;
    for (int d = 0; d < src->ndim; d++) {
        m->n[d] = src->shape[d];
        for (mv_ssize i = 0; i < src->shape[d]; i++)
            m->sel[d][i] = i;
    }
}

/* Python's slice(start, stop, step).indices(len), then the indexes it
 * selects, stepped one by one. MV_BEGIN/MV_END stand for omitted ends as
 * PySlice_Unpack gives them. Returns the count. */
static mv_ssize ref_slice(mv_ssize len, mv_ssize start, mv_ssize stop,
                          mv_ssize step, mv_ssize *out) {
    mv_ssize lo = step < 0 ? -1 : 0, hi = step < 0 ? len - 1 : len;
    if (start < 0)
        start = start < -len ? lo : start + len;
    else if (start > hi)
        start = hi;
    if (stop < 0)
        stop = stop < -len ? lo : stop + len;
    else if (stop > hi)
        stop = hi;
    mv_ssize n = 0;
    for (mv_ssize i = start; step > 0 ? i < stop : i > stop; i += step)
        out[n++] = i;
    return n;
}

/* Apply a slice to kept dimension k (counting kept dimensions only). */
static void ref_apply_slice(refmap *m, int k, mv_ssize start, mv_ssize stop,
                            mv_ssize step) {
    int d = 0;
    for (int seen = -1;; d++)
        if (!m->fixed[d] && ++seen == k)
            break;
    mv_ssize idx[MAXN], old[MAXN];
    memcpy(old, m->sel[d], sizeof old);
    mv_ssize n = ref_slice(m->n[d], start, stop, step, idx);
    for (mv_ssize i = 0; i < n; i++)
        m->sel[d][i] = old[idx[i]];
    m->n[d] = n;
}

/* Drop kept dimension k at index (negative from the end); 0 if out of
 * range. */
static int ref_apply_index(refmap *m, int k, mv_ssize index) {
    int d = 0;
    for (int seen = -1;; d++)
        if (!m->fixed[d] && ++seen == k)
            break;
    if (index < 0)
        index += m->n[d];
    if (index < 0 || index >= m->n[d])
        return 0;
    m->fixed[d] = 1;
    m->at[d] = m->sel[d][index];
    return 1;
}

/* r must be the view m describes of src: geometry, flags, and every item
 * at the address of its source item. */
static void check_map(const mv_view *src, const mv_view *r, const refmap *m) {
    CHECK_TRUE(!mv_view_is_released(r));
    CHECK_TRUE(r->owner == src->owner);
    CHECK_TRUE(r->format == src->format);
    CHECK_EQ(r->itemsize, src->itemsize);
    CHECK_EQ(r->flags & MV_READONLY, src->flags & MV_READONLY);
    CHECK_EQ(mv_view_exports(r), 0);
    int k = 0;
    mv_ssize items = 1;
    for (int d = 0; d < m->ndim; d++) {
        if (m->fixed[d])
            continue;
        CHECK_TRUE(k < r->ndim);
        CHECK_EQ(r->shape[k], m->n[d]);
        items *= m->n[d];
        k++;
    }
    CHECK_EQ(r->ndim, k);
    CHECK_EQ(r->nbytes, items * r->itemsize);
    CHECK_EQ(mv_view_is_c_contiguous(r), tu_ref_contig(r, 0));
    CHECK_EQ(mv_view_is_f_contiguous(r), tu_ref_contig(r, 1));
    if (items == 0)
        return;
    mv_ssize ridx[MAXD] = {0}, sidx[MAXD];
    do {
        for (int d = 0, j = 0; d < m->ndim; d++)
            sidx[d] = m->fixed[d] ? m->at[d] : m->sel[d][ridx[j++]];
        CHECK_TRUE(tu_item_addr(r, ridx) == tu_item_addr(src, sidx));
    } while (tu_next_index(ridx, r->shape, r->ndim, 0));
}

/* ---- sources: strided layouts over a block of int32 ---- */

static int32_t block[8192];

/* A random strided layout over block: ndim dimensions of up to 4 items,
 * C or Fortran order, gaps, and some negative strides. */
static void random_strided(mv_view *v, mv_owner *o, uint64_t *seed, int ndim,
                           int readonly) {
    mv_ssize shape[MAXD], strides[MAXD], n = 1;
    int fortran = (int)tu_range(seed, 0, 1);
    mv_ssize sd = 4;
    for (int k = 0; k < ndim; k++) {
        int d = fortran ? k : ndim - 1 - k;
        shape[d] = tu_range(seed, 0, 4);
        if (tu_range(seed, 0, 5) == 0)
            shape[d] = 1;
        strides[d] = sd * tu_range(seed, 1, 2);
        sd = strides[d] * (shape[d] ? shape[d] : 1);
        n *= shape[d];
    }
    /* Negative strides start at the far end of their dimension. */
    mv_ssize base = 0;
    for (int d = 0; d < ndim; d++)
        if (tu_range(seed, 0, 2) == 0) {
            if (shape[d] > 0)
                base += strides[d] * (shape[d] - 1);
            strides[d] = -strides[d];
        }
    CHECK_TRUE(base + sd <= (mv_ssize)sizeof block);
    tu_layout_view(v, o, (char *)block + base, n * 4, "i", 4, ndim, shape,
                   strides, NULL, readonly);
}

/* PIL-style layouts (pointers to rows), each with its own indirections. */
typedef struct pil {
    int32_t rows[24][8];   /* the items */
    int32_t *row_ptr[24];  /* one pointer per row */
    int32_t *plane_ptr[4]; /* pointers into rows, one per plane */
    int32_t **lvl1[4];     /* pointers to runs of row_ptr */
} pil;

static pil P;

static void pil_init(void) {
    for (int r = 0; r < 24; r++) {
        for (int c = 0; c < 8; c++)
            P.rows[r][c] = r * 100 + c;
        P.row_ptr[r] = P.rows[r];
    }
    for (int p = 0; p < 4; p++) {
        P.plane_ptr[p] = P.rows[p * 3];
        P.lvl1[p] = &P.row_ptr[p * 3];
    }
}

enum {
    PIL_2D,
    PIL_3D_FIRST,
    PIL_3D_MIDDLE,
    PIL_3D_TWO,
    PIL_2D_OFFSET,
    PIL_COUNT
};

/* Layout kind over P, wrapped by o (which stands for the pointer arrays). */
static void pil_view(mv_view *v, mv_owner *o, int kind) {
    const mv_ssize ps = (mv_ssize)sizeof(void *);
    switch (kind) {
    case PIL_2D: { /* rows of 5 items: {0, -1} */
        mv_ssize shape[2] = {4, 5}, strides[2] = {ps, 4}, sub[2] = {0, -1};
        tu_layout_view(v, o, P.row_ptr, 80, "i", 4, 2, shape, strides, sub, 0);
        break;
    }
    case PIL_3D_FIRST: { /* planes of 3 rows of 8: {0, -1, -1} */
        mv_ssize shape[3] = {4, 3, 4}, strides[3] = {ps, 32, -4},
                 sub[3] = {12, -1, -1};
        /* the last dimension runs backwards from item 3 */
        tu_layout_view(v, o, P.plane_ptr, 4 * 3 * 4 * 4, "i", 4, 3, shape,
                       strides, sub, 0);
        break;
    }
    case PIL_3D_MIDDLE: { /* a 4 x 3 grid of row pointers: {-1, 0, -1} */
        mv_ssize shape[3] = {4, 3, 6}, strides[3] = {3 * ps, ps, 4},
                 sub[3] = {-1, 0, -1};
        tu_layout_view(v, o, P.row_ptr, 4 * 3 * 6 * 4, "i", 4, 3, shape,
                       strides, sub, 0);
        break;
    }
    case PIL_3D_TWO: { /* two levels of pointers: {0, 0, -1} */
        mv_ssize shape[3] = {4, 3, 8}, strides[3] = {ps, ps, 4},
                 sub[3] = {0, 0, -1};
        tu_layout_view(v, o, P.lvl1, 4 * 3 * 8 * 4, "i", 4, 3, shape, strides,
                       sub, 0);
        break;
    }
    default: { /* row pointers with a suboffset into the row: {8, -1} */
        mv_ssize shape[2] = {24, 6}, strides[2] = {ps, 4}, sub[2] = {8, -1};
        tu_layout_view(v, o, P.row_ptr, 24 * 6 * 4, "i", 4, 2, shape, strides,
                       sub, 0);
        break;
    }
    }
}

/* ---- mv_view_subview ---- */

/* Every index of the first dimension, in range and out of it. */
static void check_subviews(const mv_view *src, mv_owner *o) {
    mv_ssize exports = mv_owner_exports(o);
    mv_ssize n = src->shape[0];
    for (mv_ssize i = -n - 2; i <= n + 1; i++) {
        mv_view r;
        if (i < -n || i >= n) {
            CHECK_ERR(mv_view_subview(&r, src, i), MV_EINDEX,
                      "index out of bounds on dimension 1");
            CHECK_TRUE(mv_view_is_released(&r));
            CHECK_OK(mv_view_release(&r));
            CHECK_EQ(mv_owner_exports(o), exports);
            continue;
        }
        CHECK_OK(mv_view_subview(&r, src, i));
        CHECK_EQ(mv_owner_exports(o), exports + 1);
        refmap m;
        ref_identity(&m, src);
        CHECK_TRUE(ref_apply_index(&m, 0, i));
        check_map(src, &r, &m);
        for (int d = 0; d < r.ndim; d++)
            CHECK_EQ(r.strides[d], src->strides[d + 1]);
        CHECK_TRUE(r.ndim > 0 || r.suboffsets == NULL);
        /* A sub-view of a sub-view. */
        if (r.ndim > 0 && r.shape[0] > 0) {
            mv_view rr;
            CHECK_OK(mv_view_subview(&rr, &r, -1));
            CHECK_EQ(mv_owner_exports(o), exports + 2);
            CHECK_TRUE(ref_apply_index(&m, 0, -1));
            check_map(src, &rr, &m);
            CHECK_OK(mv_view_release(&rr));
        }
        CHECK_OK(mv_view_release(&r));
        CHECK_EQ(mv_owner_exports(o), exports);
    }
}

static void test_subview_random_strided(void **state) {
    (void)state;
    mv_owner *o = tu_wrap(block, sizeof block);
    uint64_t seed = 0x5eed5eed12345ull;
    for (int round = 0; round < 400; round++) {
        mv_view v;
        random_strided(&v, o, &seed, (int)tu_range(&seed, 1, 5),
                       round % 5 == 0);
        check_subviews(&v, o);
        CHECK_OK(mv_view_release(&v));
    }
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

static void test_subview_examples(void **state) {
    (void)state;
    int32_t a[2][3][4];
    for (int i = 0; i < 24; i++)
        (&a[0][0][0])[i] = i;
    mv_owner *o = tu_wrap(a, sizeof a);
    mv_view v, r, s;
    mv_ssize shape[3] = {2, 3, 4};
    tu_layout_view(&v, o, a, sizeof a, "i", 4, 3, shape, NULL, NULL, 0);
    CHECK_OK(mv_view_subview(&r, &v, -1)); /* a[1] */
    CHECK_EQ(r.ndim, 2);
    CHECK_EQ(r.shape[0], 3);
    CHECK_EQ(r.shape[1], 4);
    CHECK_EQ(r.strides[0], 16);
    CHECK_TRUE(r.buf == (char *)a[1]);
    CHECK_TRUE(mv_view_is_c_contiguous(&r) && !mv_view_is_f_contiguous(&r));
    CHECK_OK(mv_view_subview(&s, &r, 2)); /* a[1][2] */
    CHECK_EQ(s.ndim, 1);
    mv_value x;
    CHECK_OK(mv_view_get(&s, 3, &x));
    CHECK_EQ(x.i, 23);
    /* A 1-D sub-view is flat: the inline narrowing works on it. */
    CHECK_OK(mv_view_narrow(&s, 1, MV_END, 1));
    CHECK_EQ(s.shape[0], 3);
    CHECK_OK(mv_view_get(&s, 0, &x));
    CHECK_EQ(x.i, 21);
    mv_view z;
    CHECK_OK(mv_view_subview(&z, &s, 0)); /* 0-D */
    CHECK_EQ(z.ndim, 0);
    CHECK_EQ(z.nbytes, 4);
    CHECK_TRUE(mv_view_is_c_contiguous(&z) && mv_view_is_f_contiguous(&z));
    CHECK_OK(mv_view_getn(&z, NULL, 0, &x));
    CHECK_EQ(x.i, 21);
    /* Writable sub-views write into the source. */
    x.i = -7;
    CHECK_OK(mv_view_setn(&z, NULL, 0, &x));
    CHECK_EQ(a[1][2][1], -7);
    CHECK_EQ(mv_owner_exports(o), 4);
    CHECK_OK(mv_view_release(&z));
    CHECK_OK(mv_view_release(&s));
    CHECK_OK(mv_view_release(&r));
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

static void test_subview_heap_dims(void **state) {
    (void)state;
    /* 6-D (heap storage) to 5-D and 4-D (heap) to 3-D (inline). */
    static uint8_t data[64];
    mv_owner *o = tu_wrap(data, sizeof data);
    mv_ssize shape[6] = {2, 2, 2, 2, 2, 2};
    mv_view v;
    tu_layout_view(&v, o, data, 64, "B", 1, 6, shape, NULL, NULL, 1);
    CHECK_TRUE(v.heap_ != NULL);
    mv_view a, b, c;
    CHECK_OK(mv_view_subview(&a, &v, 1));
    CHECK_TRUE(a.heap_ != NULL);
    CHECK_OK(mv_view_subview(&b, &a, 1));
    CHECK_OK(mv_view_subview(&c, &b, 0));
    CHECK_TRUE(c.heap_ == NULL && c.shape == c.dims_);
    CHECK_EQ(c.ndim, 3);
    CHECK_TRUE(c.buf == (char *)data + 48);
    CHECK_TRUE(c.flags & MV_READONLY);
    refmap m;
    ref_identity(&m, &v);
    ref_apply_index(&m, 0, 1);
    ref_apply_index(&m, 0, 1);
    ref_apply_index(&m, 0, 0);
    check_map(&v, &c, &m);
    CHECK_EQ(mv_owner_exports(o), 4);
    CHECK_OK(mv_view_release(&a));
    CHECK_OK(mv_view_release(&b));
    CHECK_OK(mv_view_release(&c));
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

static void test_subview_suboffsets(void **state) {
    (void)state;
    pil_init();
    mv_owner *o = tu_wrap(&P, sizeof P);
    for (int kind = 0; kind < PIL_COUNT; kind++) {
        mv_view v;
        pil_view(&v, o, kind);
        check_subviews(&v, o);
        CHECK_OK(mv_view_release(&v));
    }
    /* PIL 2-D: a row is the item array itself, suboffsets and all. */
    mv_view v, r;
    pil_view(&v, o, PIL_2D_OFFSET);
    CHECK_OK(mv_view_subview(&r, &v, 5));
    CHECK_TRUE(r.buf == (char *)P.rows[5] + 8);
    CHECK_EQ(r.ndim, 1);
    mv_value x;
    CHECK_OK(mv_view_get(&r, 0, &x));
    CHECK_EQ(x.i, 502);
    CHECK_OK(mv_view_release(&r));
    CHECK_OK(mv_view_release(&v));
    /* The middle indirection stays with the sub-view. */
    pil_view(&v, o, PIL_3D_MIDDLE);
    CHECK_OK(mv_view_subview(&r, &v, 2));
    CHECK_TRUE(r.suboffsets != NULL);
    CHECK_EQ(r.suboffsets[0], 0);
    CHECK_EQ(r.suboffsets[1], -1);
    mv_ssize idx[2] = {1, 4};
    CHECK_OK(mv_view_getn(&r, idx, 2, &x));
    CHECK_EQ(x.i, 7 * 100 + 4);
    CHECK_OK(mv_view_release(&r));
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

static void test_subview_errors(void **state) {
    (void)state;
    int32_t a[6] = {0};
    mv_owner *o = tu_wrap(a, sizeof a);
    mv_view v, z, r;
    mv_ssize shape[2] = {2, 3};
    tu_layout_view(&v, o, a, sizeof a, "i", 4, 2, shape, NULL, NULL, 0);
    tu_layout_view(&z, o, a, 4, "i", 4, 0, NULL, NULL, NULL, 0);
    CHECK_ERR(mv_view_subview(&r, &z, 0), MV_ETYPE, MSG_0DIM);
    CHECK_TRUE(mv_view_is_released(&r));
    CHECK_ERR(mv_view_subview(&r, &v, 2), MV_EINDEX,
              "index out of bounds on dimension 1");
    CHECK_ERR(mv_view_subview(&r, &v, -3), MV_EINDEX,
              "index out of bounds on dimension 1");
    CHECK_ERR(mv_view_subview(&r, &v, MV_SSIZE_MIN), MV_EINDEX,
              "index out of bounds on dimension 1");
    CHECK_ERR(mv_view_subview(&r, &v, MV_SSIZE_MAX), MV_EINDEX,
              "index out of bounds on dimension 1");
    CHECK_EQ(mv_owner_exports(o), 2);
    CHECK_OK(mv_view_release(&v));
    CHECK_ERR(mv_view_subview(&r, &v, 0), MV_EVALUE, MSG_RELEASED);
    CHECK_TRUE(mv_view_is_released(&r));
    CHECK_OK(mv_view_release(&r));
    /* An empty first dimension has no sub-views. */
    mv_ssize eshape[2] = {0, 3};
    tu_layout_view(&v, o, a, 0, "i", 4, 2, eshape, NULL, NULL, 0);
    CHECK_ERR(mv_view_subview(&r, &v, 0), MV_EINDEX,
              "index out of bounds on dimension 1");
    CHECK_OK(mv_view_release(&v));
    CHECK_OK(mv_view_release(&z));
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

/* ---- mv_view_narrow_dim ---- */

static const mv_ssize ENDS[] = {MV_BEGIN, -6, -5, -4, -3, -2, -1,    0,
                                1,        2,  3,  4,  5,  6,  MV_END};
#define NENDS ((int)(sizeof ENDS / sizeof ENDS[0]))

static void check_narrow_all(const mv_view *src, mv_owner *o, uint64_t *seed,
                             int rounds) {
    mv_ssize exports = mv_owner_exports(o);
    for (int t = 0; t < rounds; t++) {
        int d = (int)tu_range(seed, 0, src->ndim - 1);
        mv_ssize start = ENDS[tu_range(seed, 0, NENDS - 1)];
        mv_ssize stop = ENDS[tu_range(seed, 0, NENDS - 1)];
        mv_ssize step = tu_range(seed, -4, 3);
        if (step >= 0)
            step++;
        mv_view r;
        CHECK_OK(mv_view_new(&r, src));
        CHECK_OK(mv_view_narrow_dim(&r, d, start, stop, step));
        refmap m;
        ref_identity(&m, src);
        ref_apply_slice(&m, d, start, stop, step);
        check_map(src, &r, &m);
        /* A second dimension, narrowed after the first. */
        int d2 = (int)tu_range(seed, 0, src->ndim - 1);
        mv_ssize s2 = ENDS[tu_range(seed, 0, NENDS - 1)];
        mv_ssize step2 = tu_range(seed, 1, 2) * (tu_range(seed, 0, 1) ? 1 : -1);
        CHECK_OK(mv_view_narrow_dim(&r, d2, s2, MV_END, step2));
        ref_apply_slice(&m, d2, s2, MV_END, step2);
        check_map(src, &r, &m);
        CHECK_EQ(mv_owner_exports(o), exports + 1);
        CHECK_OK(mv_view_release(&r));
    }
    CHECK_EQ(mv_owner_exports(o), exports);
}

static void test_narrow_dim_random_strided(void **state) {
    (void)state;
    mv_owner *o = tu_wrap(block, sizeof block);
    uint64_t seed = 0xabcdef0123ull;
    for (int round = 0; round < 300; round++) {
        mv_view v;
        random_strided(&v, o, &seed, (int)tu_range(&seed, 1, 5), 0);
        check_narrow_all(&v, o, &seed, 20);
        CHECK_OK(mv_view_release(&v));
    }
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

static void test_narrow_dim_suboffsets(void **state) {
    (void)state;
    pil_init();
    mv_owner *o = tu_wrap(&P, sizeof P);
    uint64_t seed = 0x1234ull;
    for (int kind = 0; kind < PIL_COUNT; kind++) {
        mv_view v;
        pil_view(&v, o, kind);
        check_narrow_all(&v, o, &seed, 300);
        CHECK_OK(mv_view_release(&v));
    }
    /* The start of a later dimension goes into the nearest indirection
     * before it (CPython's init_slice); with none, into buf. */
    mv_view v;
    pil_view(&v, o, PIL_3D_MIDDLE);
    char *buf = v.buf;
    CHECK_OK(mv_view_narrow_dim(&v, 2, 2, MV_END, 1));
    CHECK_EQ(v.suboffsets[1], 8);
    CHECK_TRUE(v.buf == buf);
    CHECK_OK(mv_view_narrow_dim(&v, 1, 1, MV_END, 1));
    CHECK_TRUE(v.buf == buf + sizeof(void *));
    CHECK_EQ(v.suboffsets[0], -1);
    mv_ssize idx[3] = {0, 0, 0};
    mv_value x;
    CHECK_OK(mv_view_getn(&v, idx, 3, &x));
    CHECK_EQ(x.i, 102);
    CHECK_TRUE(!mv_view_is_contiguous(&v));
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

static void test_narrow_dim_errors(void **state) {
    (void)state;
    int32_t a[6] = {0};
    mv_owner *o = tu_wrap(a, sizeof a);
    mv_view v, z;
    mv_ssize shape[2] = {2, 3};
    tu_layout_view(&v, o, a, sizeof a, "i", 4, 2, shape, NULL, NULL, 0);
    tu_layout_view(&z, o, a, 4, "i", 4, 0, NULL, NULL, NULL, 0);
    CHECK_ERR(mv_view_narrow_dim(&z, 0, 0, 1, 1), MV_ETYPE, MSG_0DIM);
    CHECK_EQ(z.ndim, 0);
    CHECK_ERR(mv_view_narrow_dim(&v, 2, 0, 1, 1), MV_EINDEX,
              "index out of bounds on dimension 3");
    CHECK_ERR(mv_view_narrow_dim(&v, -1, 0, 1, 1), MV_EINDEX,
              "index out of bounds on dimension 0");
    CHECK_ERR(mv_view_narrow_dim(&v, 1, 0, 1, 0), MV_EVALUE, MSG_STEP0);
    /* Failures change nothing. */
    CHECK_TRUE(v.buf == (char *)a);
    CHECK_EQ(v.shape[0], 2);
    CHECK_EQ(v.shape[1], 3);
    CHECK_EQ(v.strides[1], 4);
    CHECK_EQ(v.nbytes, 24);
    CHECK_TRUE(mv_view_is_c_contiguous(&v));
    /* Narrowing to nothing, and huge steps. */
    CHECK_OK(mv_view_narrow_dim(&v, 1, 3, 0, 1));
    CHECK_EQ(v.shape[1], 0);
    CHECK_EQ(v.nbytes, 0);
    CHECK_TRUE(mv_view_is_c_contiguous(&v) && mv_view_is_f_contiguous(&v));
    char *buf = v.buf;
    CHECK_OK(mv_view_narrow_dim(&v, 0, MV_END, MV_BEGIN, MV_SSIZE_MIN));
    CHECK_EQ(v.shape[0], 1);
    CHECK_TRUE(v.buf == buf + 12);
    CHECK_OK(mv_view_release(&v));
    CHECK_ERR(mv_view_narrow_dim(&v, 0, 0, 1, 1), MV_EVALUE, MSG_RELEASED);
    CHECK_OK(mv_view_release(&z));
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

/* ---- mv_view_select ---- */

/* Whether the key drops an indirect dimension right after another one,
 * which the core refuses; follows the indirections as the key is applied
 * left to right. */
static int key_inexpressible(const mv_view *src, const mv_keyitem *key, int n) {
    int ind[MAXD], nd = src->ndim;
    for (int d = 0; d < nd; d++)
        ind[d] = src->suboffsets && src->suboffsets[d] >= 0;
    for (int j = 0, d = 0; j < n; j++) {
        if (key[j].is_slice) {
            d++;
            continue;
        }
        if (d > 0) {
            if (ind[d] && ind[d - 1])
                return 1;
            ind[d - 1] |= ind[d];
        }
        for (int i = d; i + 1 < nd; i++)
            ind[i] = ind[i + 1];
        nd--;
    }
    return 0;
}

static void random_key(const mv_view *src, uint64_t *seed, mv_keyitem *key,
                       int *n) {
    *n = (int)tu_range(seed, 0, src->ndim);
    for (int j = 0; j < *n; j++) {
        memset(&key[j], 0, sizeof key[j]);
        key[j].is_slice = (int)tu_range(seed, 0, 1);
        if (key[j].is_slice) {
            key[j].start = ENDS[tu_range(seed, 0, NENDS - 1)];
            key[j].stop = ENDS[tu_range(seed, 0, NENDS - 1)];
            key[j].step = tu_range(seed, -3, 2);
            if (key[j].step >= 0)
                key[j].step++;
        } else {
            mv_ssize len = src->shape[j];
            key[j].index = tu_range(seed, -len - 1, len);
        }
    }
}

static void check_select_random(const mv_view *src, mv_owner *o, uint64_t *seed,
                                int rounds) {
    mv_ssize exports = mv_owner_exports(o);
    for (int t = 0; t < rounds; t++) {
        mv_keyitem key[MAXD];
        int n;
        random_key(src, seed, key, &n);
        refmap m;
        ref_identity(&m, src);
        int bad = -1; /* key position of the first index out of range */
        for (int j = 0, k = 0; j < n && bad < 0; j++) {
            if (key[j].is_slice)
                ref_apply_slice(&m, k++, key[j].start, key[j].stop,
                                key[j].step);
            else if (!ref_apply_index(&m, k, key[j].index))
                bad = j;
        }
        int nope = key_inexpressible(src, key, bad < 0 ? n : bad);
        mv_view r;
        int rc = mv_view_select(&r, src, key, n);
        if (nope) {
            CHECK_STATUS(rc, MV_ENOTIMPL);
        } else if (bad >= 0) {
            char msg[64];
            snprintf(msg, sizeof msg, "index out of bounds on dimension %d",
                     bad + 1);
            CHECK_STATUS(rc, MV_EINDEX);
            CHECK_TRUE(strcmp(mv_errmsg(), msg) == 0);
        } else {
            CHECK_OK(rc);
            CHECK_EQ(mv_owner_exports(o), exports + 1);
            check_map(src, &r, &m);
            /* one dimension left: its shape is inline, in flatlen_ when
             * the items are side by side */
            if (r.ndim == 1 && !r.suboffsets)
                CHECK_TRUE(r.shape ==
                           (mv_view_is_flat(&r) ? &r.flatlen_ : r.dims_));
        }
        if (rc < 0) {
            CHECK_TRUE(mv_view_is_released(&r));
            CHECK_EQ(mv_owner_exports(o), exports);
        }
        CHECK_OK(mv_view_release(&r));
    }
    CHECK_EQ(mv_owner_exports(o), exports);
}

static void test_select_random_strided(void **state) {
    (void)state;
    mv_owner *o = tu_wrap(block, sizeof block);
    uint64_t seed = 0xfeedbeefull;
    for (int round = 0; round < 300; round++) {
        mv_view v;
        random_strided(&v, o, &seed, (int)tu_range(&seed, 1, 5),
                       round % 3 == 0);
        check_select_random(&v, o, &seed, 30);
        CHECK_OK(mv_view_release(&v));
    }
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

static void test_select_suboffsets(void **state) {
    (void)state;
    pil_init();
    mv_owner *o = tu_wrap(&P, sizeof P);
    uint64_t seed = 0x77ull;
    for (int kind = 0; kind < PIL_COUNT; kind++) {
        mv_view v;
        pil_view(&v, o, kind);
        check_select_random(&v, o, &seed, 2000);
        CHECK_OK(mv_view_release(&v));
    }
    /* Two indirections in a row: dropping the second cannot be
     * expressed; dropping the first follows it. */
    mv_view v, r;
    pil_view(&v, o, PIL_3D_TWO);
    mv_keyitem key[2];
    memset(key, 0, sizeof key);
    key[0].is_slice = 1;
    key[0].start = MV_BEGIN;
    key[0].stop = MV_END;
    key[0].step = 1;
    key[1].index = 1;
    CHECK_ERR(mv_view_select(&r, &v, key, 2), MV_ENOTIMPL,
              "memview: cannot index an indirect dimension that follows "
              "another");
    key[0].is_slice = 0;
    key[0].index = 2;
    CHECK_OK(mv_view_select(&r, &v, key, 2));
    CHECK_EQ(r.ndim, 1);
    CHECK_TRUE(r.buf == (char *)P.rows[7]);
    CHECK_OK(mv_view_release(&r));
    CHECK_OK(mv_view_release(&v));
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

static void test_select_errors(void **state) {
    (void)state;
    int32_t a[6] = {0, 1, 2, 3, 4, 5};
    mv_owner *o = tu_wrap(a, sizeof a);
    mv_view v, z, r;
    mv_ssize shape[2] = {2, 3};
    tu_layout_view(&v, o, a, sizeof a, "i", 4, 2, shape, NULL, NULL, 0);
    tu_layout_view(&z, o, a, 4, "i", 4, 0, NULL, NULL, NULL, 0);
    mv_keyitem key[3];
    memset(key, 0, sizeof key);
    CHECK_ERR(mv_view_select(&r, &z, key, 1), MV_ETYPE, MSG_0DIM);
    CHECK_TRUE(mv_view_is_released(&r));
    CHECK_OK(mv_view_select(&r, &z, key, 0)); /* z[()]: z itself */
    CHECK_EQ(r.ndim, 0);
    CHECK_OK(mv_view_release(&r));
    CHECK_ERR(mv_view_select(&r, &v, key, 3), MV_ETYPE,
              "cannot index 2-dimension view with 3-element tuple");
    /* The first bad entry is reported, by its key position. */
    key[0].index = 5;
    key[1].index = 7;
    CHECK_ERR(mv_view_select(&r, &v, key, 2), MV_EINDEX,
              "index out of bounds on dimension 1");
    key[0].index = -2;
    CHECK_ERR(mv_view_select(&r, &v, key, 2), MV_EINDEX,
              "index out of bounds on dimension 2");
    key[0].is_slice = 1;
    key[0].start = 0;
    key[0].stop = 1;
    key[0].step = 0;
    CHECK_ERR(mv_view_select(&r, &v, key, 2), MV_EVALUE, MSG_STEP0);
    key[0].step = -1;
    key[1].index = -1;
    CHECK_OK(mv_view_select(&r, &v, key, 2)); /* a[0:1:-1, -1]: empty */
    CHECK_EQ(r.ndim, 1);
    CHECK_EQ(r.shape[0], 0);
    CHECK_OK(mv_view_release(&r));
    CHECK_OK(mv_view_select(&r, &v, key, 0)); /* a[()]: the whole */
    refmap m;
    ref_identity(&m, &v);
    check_map(&v, &r, &m);
    CHECK_OK(mv_view_release(&r));
    CHECK_EQ(mv_owner_exports(o), 2);
    CHECK_OK(mv_view_release(&v));
    CHECK_ERR(mv_view_select(&r, &v, key, 0), MV_EVALUE, MSG_RELEASED);
    CHECK_TRUE(mv_view_is_released(&r));
    CHECK_OK(mv_view_release(&z));
    CHECK_EQ(mv_owner_exports(o), 0);
    mv_owner_release(o);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subview_examples),
        cmocka_unit_test(test_subview_random_strided),
        cmocka_unit_test(test_subview_heap_dims),
        cmocka_unit_test(test_subview_suboffsets),
        cmocka_unit_test(test_subview_errors),
        cmocka_unit_test(test_narrow_dim_random_strided),
        cmocka_unit_test(test_narrow_dim_suboffsets),
        cmocka_unit_test(test_narrow_dim_errors),
        cmocka_unit_test(test_select_random_strided),
        cmocka_unit_test(test_select_suboffsets),
        cmocka_unit_test(test_select_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
