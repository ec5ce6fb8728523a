/*
 * test_walk.c -- mv_view_walk(): items in C order, as Python's tolist().
 *
 * The walker below renders what it sees as Python would print tolist():
 * "[[1, 2], [3, 4]]", so expectations read like the builtin's output.
 */
#include <math.h>

#include "test_util.h"

typedef struct rec {
    char s[8192];
    size_t n;
    int need_comma;
    int items;
    int stop_after; /* fail with MV_EINDEX at this item (0: never) */
    int batches;    /* calls of on_items */
} rec;

static void put(rec *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(r->s + r->n, sizeof r->s - r->n, fmt, ap);
    va_end(ap);
    if (k > 0)
        r->n += (size_t)k;
    if (r->n >= sizeof r->s)
        r->n = sizeof r->s - 1;
}

static void sep(rec *r) {
    if (r->need_comma)
        put(r, ", ");
    r->need_comma = 0;
}

static int on_begin(void *ctx, int dim, mv_ssize n) {
    rec *r = ctx;
    (void)dim;
    (void)n;
    sep(r);
    put(r, "[");
    return 0;
}

static int on_end(void *ctx, int dim) {
    rec *r = ctx;
    (void)dim;
    put(r, "]");
    r->need_comma = 1;
    return 0;
}

static int on_item(void *ctx, const mv_value *x) {
    rec *r = ctx;
    if (r->stop_after && ++r->items >= r->stop_after)
        return mv_error(MV_EINDEX, "stopped");
    sep(r);
    switch (x->type) {
    case MV_VAL_INT: put(r, "%lld", (long long)x->i); break;
    case MV_VAL_UINT: put(r, "%llu", (unsigned long long)x->u); break;
    case MV_VAL_BOOL: put(r, "%s", x->i ? "True" : "False"); break;
    case MV_VAL_FLOAT: put(r, "%g", x->f); break;
    case MV_VAL_BYTES: put(r, "b'%.*s'", (int)x->s.len, x->s.ptr); break;
    default: put(r, "?"); break;
    }
    r->need_comma = 1;
    return 0;
}

/* The same, delivered in batches: each value goes through on_item. */
static int on_items(void *ctx, const mv_value *x, mv_ssize n) {
    rec *r = ctx;
    r->batches++;
    for (mv_ssize k = 0; k < n; k++) {
        int rc = on_item(ctx, &x[k]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static const mv_walker W = {on_begin, on_item, on_end, NULL};
static const mv_walker WB = {on_begin, NULL, on_end, on_items};

/* Walk v and compare the rendering with want. */
static void expect(const mv_view *v, const char *want) {
    rec r;
    memset(&r, 0, sizeof r);
    CHECK_OK(mv_view_walk(v, &W, &r));
    if (strcmp(r.s, want) != 0)
        fail_msg("walk gave %s, want %s", r.s, want);
    memset(&r, 0, sizeof r);
    CHECK_OK(mv_view_walk(v, &WB, &r));
    if (strcmp(r.s, want) != 0)
        fail_msg("batched walk gave %s, want %s", r.s, want);
}

static unsigned char mem[256];

static void fill(void) {
    for (int i = 0; i < 256; i++)
        mem[i] = (unsigned char)i;
}

/* A row of 200 items comes in batches of at most 64, in order. */
static void test_walk_batches(void **state) {
    (void)state;
    fill();
    mv_owner *o = tu_wrap(mem, 200);
    mv_view v;
    CHECK_OK(mv_view_from_owner(&v, o));
    rec a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    CHECK_OK(mv_view_walk(&v, &W, &a));
    CHECK_OK(mv_view_walk(&v, &WB, &b));
    CHECK_TRUE(strcmp(a.s, b.s) == 0);
    CHECK_EQ(b.batches, 4);
    CHECK_EQ(b.items, 0); /* on_item counts only when stopping */
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_walk_1d(void **state) {
    (void)state;
    fill();
    mv_owner *o = tu_wrap(mem + 1, 5);
    mv_view v, s;
    CHECK_OK(mv_view_from_owner(&v, o));
    expect(&v, "[1, 2, 3, 4, 5]");
    CHECK_OK(mv_view_slice(&s, &v, MV_END, MV_BEGIN, -2));
    expect(&s, "[5, 3, 1]");
    CHECK_OK(mv_view_release(&s));
    CHECK_OK(mv_view_slice(&s, &v, 2, 2, 1));
    expect(&s, "[]");
    CHECK_OK(mv_view_release(&s));
    CHECK_OK(mv_view_release(&v));
    /* a zero stride repeats one item */
    mv_ssize shape[] = {3}, strides[] = {0};
    tu_layout_view(&v, o, mem + 3, 3, "b", 1, 1, shape, strides, NULL, 0);
    expect(&v, "[3, 3, 3]");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* Every native format, against mv_format_unpack's reading of the same bytes. */
static void test_walk_formats(void **state) {
    (void)state;
    const char *fmts[] = {"c", "b", "B", "?", "h", "H", "i", "I", "l",  "L",
                          "q", "Q", "n", "N", "e", "f", "d", "P", "@d", "@B"};
    unsigned char buf[64];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(0x41 + i * 37);
    mv_owner *o = tu_wrap(buf, sizeof buf);
    for (size_t k = 0; k < sizeof fmts / sizeof fmts[0]; k++) {
        mv_ssize size = mv_format_itemsize(fmts[k]);
        mv_ssize n = 64 / size;
        mv_ssize shape[] = {n};
        mv_view v;
        tu_layout_view(&v, o, buf, n * size, fmts[k], size, 1, shape, NULL,
                       NULL, 0);
        rec want, got;
        memset(&want, 0, sizeof want);
        memset(&got, 0, sizeof got);
        on_begin(&want, 0, n);
        for (mv_ssize j = 0; j < n; j++) {
            mv_value x;
            CHECK_OK(mv_format_unpack(fmts[k], buf + j * size, &x));
            on_item(&want, &x);
        }
        on_end(&want, 0);
        CHECK_OK(mv_view_walk(&v, &W, &got));
        if (strcmp(want.s, got.s) != 0)
            fail_msg("format %s: walk gave %s, want %s", fmts[k], got.s,
                     want.s);
        memset(&got, 0, sizeof got);
        CHECK_OK(mv_view_walk(&v, &WB, &got));
        if (strcmp(want.s, got.s) != 0)
            fail_msg("format %s: batched walk gave %s, want %s", fmts[k], got.s,
                     want.s);
        CHECK_OK(mv_view_release(&v));
    }
    mv_owner_release(o);
}

static void test_walk_values(void **state) {
    (void)state;
    double d[] = {1.5, -0.25, NAN};
    mv_owner *o = tu_wrap(d, sizeof d);
    mv_view v;
    mv_ssize shape[] = {3};
    tu_layout_view(&v, o, d, sizeof d, "d", 8, 1, shape, NULL, NULL, 0);
    expect(&v, "[1.5, -0.25, nan]");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);

    unsigned char b[] = {0, 1, 2};
    o = tu_wrap(b, 3);
    tu_layout_view(&v, o, b, 3, "?", 1, 1, shape, NULL, NULL, 0);
    expect(&v, "[False, True, True]");
    CHECK_OK(mv_view_release(&v));
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
    char c[] = "xyz";
    o = tu_wrap(c, 3);
    tu_layout_view(&v, o, c, 3, "c", 1, 1, shape, NULL, NULL, 0);
    expect(&v, "[b'x', b'y', b'z']");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);

    int64_t q[] = {INT64_MIN, INT64_MAX};
    o = tu_wrap(q, sizeof q);
    mv_ssize two[] = {2};
    tu_layout_view(&v, o, q, sizeof q, "q", 8, 1, two, NULL, NULL, 0);
    expect(&v, "[-9223372036854775808, 9223372036854775807]");
    CHECK_OK(mv_view_release(&v));
    tu_layout_view(&v, o, q, sizeof q, "Q", 8, 1, two, NULL, NULL, 0);
    expect(&v, "[9223372036854775808, 9223372036854775807]");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_walk_nd(void **state) {
    (void)state;
    fill();
    mv_owner *o = tu_wrap(mem, 256);
    mv_view v;
    mv_ssize shape[] = {2, 3};
    tu_layout_view(&v, o, mem, 6, "B", 1, 2, shape, NULL, NULL, 0);
    expect(&v, "[[0, 1, 2], [3, 4, 5]]");
    CHECK_OK(mv_view_release(&v));
    /* Fortran order */
    mv_ssize fs[] = {1, 2};
    tu_layout_view(&v, o, mem, 6, "B", 1, 2, shape, fs, NULL, 0);
    expect(&v, "[[0, 2, 4], [1, 3, 5]]");
    CHECK_OK(mv_view_release(&v));
    /* negative strides in both dimensions */
    mv_ssize ns[] = {-3, -1};
    tu_layout_view(&v, o, mem + 5, 6, "B", 1, 2, shape, ns, NULL, 0);
    expect(&v, "[[5, 4, 3], [2, 1, 0]]");
    CHECK_OK(mv_view_release(&v));
    /* zero-size inner and outer dimensions */
    mv_ssize z1[] = {2, 0};
    tu_layout_view(&v, o, mem, 0, "B", 1, 2, z1, NULL, NULL, 0);
    expect(&v, "[[], []]");
    CHECK_OK(mv_view_release(&v));
    mv_ssize z0[] = {0, 5};
    tu_layout_view(&v, o, mem, 0, "B", 1, 2, z0, NULL, NULL, 0);
    expect(&v, "[]");
    CHECK_OK(mv_view_release(&v));
    /* 3-D, 'h' */
    mv_ssize s3[] = {2, 2, 2};
    tu_layout_view(&v, o, mem, 16, "H", 2, 3, s3, NULL, NULL, 0);
    rec r;
    memset(&r, 0, sizeof r);
    CHECK_OK(mv_view_walk(&v, &W, &r));
    CHECK_EQ(r.s[0], '[');
    CHECK_TRUE(strncmp(r.s, "[[[", 3) == 0);
    CHECK_OK(mv_view_release(&v));
    /* 64 dimensions of one item */
    mv_ssize ones[64];
    for (int k = 0; k < 64; k++)
        ones[k] = 1;
    tu_layout_view(&v, o, mem + 7, 1, "B", 1, 64, ones, NULL, NULL, 0);
    char want[200];
    memset(want, '[', 64);
    want[64] = '7';
    memset(want + 65, ']', 64);
    want[129] = '\0';
    expect(&v, want);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static void test_walk_zero_dim(void **state) {
    (void)state;
    fill();
    mv_owner *o = tu_wrap(mem, 256);
    mv_view v;
    tu_layout_view(&v, o, mem + 9, 1, "B", 1, 0, NULL, NULL, NULL, 0);
    expect(&v, "9");
    CHECK_OK(mv_view_release(&v));
    tu_layout_view(&v, o, mem, 1, "u", 1, 0, NULL, NULL, NULL, 0);
    rec r;
    memset(&r, 0, sizeof r);
    CHECK_ERR(mv_view_walk(&v, &W, &r), MV_ENOTIMPL,
              "memoryview: format u not supported");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

/* PIL-style: a table of row pointers, each row elsewhere in memory. */
static void test_walk_suboffsets(void **state) {
    (void)state;
    struct {
        char *rows[2];
        unsigned char row1[4], row0[4];
    } pil;
    memcpy(pil.row0, "\x00\x0a\x0b\x0c", 4);
    memcpy(pil.row1, "\x00\x14\x15\x16", 4);
    pil.rows[0] = (char *)pil.row0;
    pil.rows[1] = (char *)pil.row1;
    mv_owner *o = tu_wrap(&pil, sizeof pil);
    mv_view v, s;
    mv_ssize shape[] = {2, 3}, strides[] = {sizeof(char *), 1};
    mv_ssize sub[] = {1, -1}; /* skip each row's first byte */
    tu_layout_view(&v, o, pil.rows, 6, "B", 1, 2, shape, strides, sub, 0);
    CHECK_TRUE(!mv_view_is_c_contiguous(&v));
    expect(&v, "[[10, 11, 12], [20, 21, 22]]");
    CHECK_OK(mv_view_slice(&s, &v, MV_END, MV_BEGIN, -1));
    expect(&s, "[[20, 21, 22], [10, 11, 12]]");
    CHECK_OK(mv_view_release(&s));
    CHECK_OK(mv_view_release(&v));

    /* indirection in the last dimension: each entry points at its item */
    char *ptrs[3] = {(char *)pil.row1 + 3, (char *)pil.row0 + 1,
                     (char *)pil.row1 + 1};
    mv_owner *o2 = tu_wrap(ptrs, sizeof ptrs);
    mv_ssize s1[] = {3}, st1[] = {sizeof(char *)}, sub1[] = {0};
    tu_layout_view(&v, o2, ptrs, 3, "B", 1, 1, s1, st1, sub1, 0);
    expect(&v, "[22, 10, 20]");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o2);
    mv_owner_release(o);
}

static void test_walk_errors(void **state) {
    (void)state;
    fill();
    mv_owner *o = tu_wrap(mem, 256);
    mv_view v;
    rec r;
    memset(&r, 0, sizeof r);
    mv_ssize shape[] = {2};
    const struct {
        const char *fmt;
        mv_ssize size;
        const char *msg;
    } cases[] = {
        /* formats that do not compile, or whose items are larger than
         * the view's, or have no bytes */
        {"<n", 4, "memoryview: unsupported format <n"},
        {"@", 1, "memoryview: unsupported format @"},
        {"", 1, "memoryview: unsupported format "},
        {"2B:", 2, "memoryview: unsupported format 2B:"},
        {"T{B", 1, "memoryview: unsupported format T{B"},
        {"2i", 4, "memoryview: unsupported format 2i"},
        {"u", 1, "memoryview: format u not supported"},
        {"@w", 1, "memoryview: format w not supported"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        tu_layout_view(&v, o, mem, 2 * cases[k].size, cases[k].fmt,
                       cases[k].size, 1, shape, NULL, NULL, 0);
        memset(&r, 0, sizeof r);
        CHECK_ERR(mv_view_walk(&v, &W, &r), MV_ENOTIMPL, cases[k].msg);
        CHECK_OK(mv_view_release(&v));
    }
    /* an unknown character reads no item of an empty view: no error */
    mv_ssize z[] = {0};
    tu_layout_view(&v, o, mem, 0, "u", 1, 1, z, NULL, NULL, 0);
    expect(&v, "[]");
    CHECK_OK(mv_view_release(&v));
    /* ...but a multi-character format fails even then */
    tu_layout_view(&v, o, mem, 0, "<n", 1, 1, z, NULL, NULL, 0);
    CHECK_ERR(mv_view_walk(&v, &W, &r), MV_ENOTIMPL,
              "memoryview: unsupported format <n");
    CHECK_OK(mv_view_release(&v));

    /* a callback stops the walk with its own status */
    CHECK_OK(mv_view_from_owner(&v, o));
    memset(&r, 0, sizeof r);
    r.stop_after = 3;
    CHECK_ERR(mv_view_walk(&v, &W, &r), MV_EINDEX, "stopped");
    CHECK_EQ(r.items, 3);
    memset(&r, 0, sizeof r);
    r.stop_after = 3;
    CHECK_ERR(mv_view_walk(&v, &WB, &r), MV_EINDEX, "stopped");
    CHECK_EQ(r.items, 3);
    /* NULL callbacks are skipped */
    mv_walker none = {NULL, NULL, NULL, NULL};
    CHECK_OK(mv_view_walk(&v, &none, NULL));
    CHECK_OK(mv_view_release(&v));
    tu_layout_view(&v, o, mem, 2, "u", 1, 1, shape, NULL, NULL, 0);
    CHECK_ERR(mv_view_walk(&v, &none, NULL), MV_ENOTIMPL,
              "memoryview: format u not supported");
    CHECK_OK(mv_view_release(&v));

    CHECK_ERR(mv_view_walk(&v, &W, &r), MV_EVALUE,
              "operation forbidden on released memoryview object");
    mv_owner_release(o);
}

/* A large strided walk agrees with direct reads. */
static int sum_item(void *ctx, const mv_value *x) {
    uint64_t *s = ctx;
    *s = *s * 31 + (uint64_t)x->i;
    return 0;
}

static void test_walk_large(void **state) {
    (void)state;
    enum { N = 1 << 16 };
    int32_t *a = malloc(N * sizeof *a);
    for (int i = 0; i < N; i++)
        a[i] = i * 2654435761u > 0x7fffffffu ? -i : i;
    mv_owner *o = tu_wrap(a, N * sizeof *a);
    mv_view v;
    mv_ssize shape[] = {N / 2}, strides[] = {-8};
    tu_layout_view(&v, o, a + N - 1, N / 2 * 4, "i", 4, 1, shape, strides, NULL,
                   0);
    uint64_t got = 0, want = 0;
    mv_walker w = {NULL, sum_item, NULL, NULL};
    CHECK_OK(mv_view_walk(&v, &w, &got));
    for (int i = N - 1; i >= 0; i -= 2)
        want = want * 31 + (uint64_t)(int64_t)a[i];
    CHECK_TRUE(got == want);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
    free(a);
}

/* Huge outer strides: rows are addressed from their index, never one
 * stride past the last; an empty view's rows are not addressed at all. */
static void test_walk_huge_strides(void **state) {
    (void)state;
    fill();
    mv_owner *o = tu_wrap(mem, 256);
    mv_view v;
    mv_ssize shape[] = {1, 3}, st[] = {MV_SSIZE_MAX, 1};
    tu_layout_view(&v, o, mem + 7, 3, "B", 1, 2, shape, st, NULL, 0);
    expect(&v, "[[7, 8, 9]]");
    CHECK_OK(mv_view_release(&v));
    st[0] = MV_SSIZE_MIN;
    tu_layout_view(&v, o, mem + 7, 3, "B", 1, 2, shape, st, NULL, 0);
    expect(&v, "[[7, 8, 9]]");
    CHECK_OK(mv_view_release(&v));
    mv_ssize empty[] = {3, 2, 0}, big[] = {MV_SSIZE_MAX, MV_SSIZE_MIN, 1};
    tu_layout_view(&v, o, mem, 0, "B", 1, 3, empty, big, NULL, 0);
    expect(&v, "[[[], []], [[], []], [[], []]]");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(o);
}

static int fail_begin(void *ctx, int dim, mv_ssize n) {
    (void)ctx, (void)n;
    return dim == 1 ? mv_error(MV_EINDEX, "begin %d", dim) : MV_OK;
}
static int fail_end(void *ctx, int dim) {
    (void)ctx;
    return dim == 1 ? mv_error(MV_EINDEX, "end %d", dim) : MV_OK;
}

/* Callbacks that fail stop the walk with their status, at every level of
 * every path: native rows, rows through suboffsets, compiled formats. */
static void test_walk_callback_errors(void **state) {
    (void)state;
    fill();
    mv_owner *o = tu_wrap(mem, 256);
    struct {
        char *rows[2];
        unsigned char data[8];
    } pil;
    memcpy(pil.data, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    pil.rows[0] = (char *)pil.data;
    pil.rows[1] = (char *)pil.data + 4;
    mv_owner *po = tu_wrap(&pil, sizeof pil);
    mv_ssize shape[] = {2, 2, 2}, sub[] = {0, -1, -1};
    mv_ssize pst[] = {sizeof(char *), 2, 1};
    const char *fmts[] = {"B", "<B", "<H"};
    for (size_t k = 0; k < 3; k++) {
        mv_ssize size = k == 2 ? 2 : 1;
        mv_view vs[2];
        tu_layout_view(&vs[0], o, mem, 8 * size, fmts[k], size, 3, shape, NULL,
                       NULL, 0);
        mv_ssize st[] = {sizeof(char *), 2 * size, size};
        pst[1] = 2 * size;
        pst[2] = size;
        tu_layout_view(&vs[1], po, pil.rows, 8 * size, fmts[k], size, 3, shape,
                       k == 2 ? pst : st, sub, 0);
        for (int j = 0; j < 2; j++) {
            const mv_view *v = &vs[j];
            mv_walker wb = {fail_begin, on_item, on_end, NULL};
            mv_walker we = {on_begin, on_item, fail_end, NULL};
            rec r;
            memset(&r, 0, sizeof r);
            CHECK_ERR(mv_view_walk(v, &wb, &r), MV_EINDEX, "begin 1");
            memset(&r, 0, sizeof r);
            CHECK_ERR(mv_view_walk(v, &we, &r), MV_EINDEX, "end 1");
            /* the 2nd item, then the 6th (in the second outer row) */
            for (int stop = 2; stop <= 6; stop += 4) {
                memset(&r, 0, sizeof r);
                r.stop_after = stop;
                CHECK_ERR(mv_view_walk(v, &W, &r), MV_EINDEX, "stopped");
                CHECK_EQ(r.items, stop);
                memset(&r, 0, sizeof r);
                r.stop_after = stop;
                CHECK_ERR(mv_view_walk(v, &WB, &r), MV_EINDEX, "stopped");
                CHECK_EQ(r.items, stop);
            }
            CHECK_OK(mv_view_release(&vs[j]));
        }
    }
    mv_owner_release(po);
    mv_owner_release(o);
}

/* Rows reached through suboffsets, and 0-D views, with no callback for
 * items: nothing is delivered, but an unreadable format still fails. */
static void test_walk_no_item_callback(void **state) {
    (void)state;
    fill();
    char *ptrs[2] = {(char *)mem + 5, (char *)mem + 9};
    mv_owner *o = tu_wrap(ptrs, sizeof ptrs);
    mv_ssize shape[] = {2}, st[] = {sizeof(char *)}, sub[] = {0};
    mv_walker ends = {on_begin, NULL, on_end, NULL};
    mv_view v;
    tu_layout_view(&v, o, ptrs, 2, "B", 1, 1, shape, st, sub, 0);
    rec r;
    memset(&r, 0, sizeof r);
    CHECK_OK(mv_view_walk(&v, &ends, &r));
    CHECK_TRUE(strcmp(r.s, "[]") == 0);
    expect(&v, "[5, 9]");
    memset(&r, 0, sizeof r);
    r.stop_after = 2;
    CHECK_ERR(mv_view_walk(&v, &W, &r), MV_EINDEX, "stopped");
    CHECK_EQ(r.items, 2);
    CHECK_OK(mv_view_release(&v));
    tu_layout_view(&v, o, ptrs, 2, "u", 1, 1, shape, st, sub, 0);
    memset(&r, 0, sizeof r);
    CHECK_ERR(mv_view_walk(&v, &W, &r), MV_ENOTIMPL,
              "memoryview: format u not supported");
    CHECK_OK(mv_view_release(&v));
    mv_owner *m = tu_wrap(mem, 256);
    tu_layout_view(&v, m, mem + 4, 1, "B", 1, 0, NULL, NULL, NULL, 0);
    memset(&r, 0, sizeof r);
    CHECK_OK(mv_view_walk(&v, &ends, &r));
    CHECK_TRUE(strcmp(r.s, "") == 0);
    CHECK_OK(mv_view_release(&v));
    /* an unknown format read in batches fails at its first item */
    tu_layout_view(&v, m, mem, 2, "u", 1, 1, shape, NULL, NULL, 0);
    memset(&r, 0, sizeof r);
    CHECK_ERR(mv_view_walk(&v, &WB, &r), MV_ENOTIMPL,
              "memoryview: format u not supported");
    CHECK_EQ(r.batches, 0);
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(m);
    mv_owner_release(o);
}

/* Compiled formats of one scalar, in batches: the sizes and kinds the row
 * reader has no loop of its own for, empty views, rows through
 * suboffsets; each against mv_view_get. */
static void test_walk_scalar_formats(void **state) {
    (void)state;
    fill();
    mv_owner *o = tu_wrap(mem, 256);
    const char *fmts[] = {"<b", "<B", "<e",  ">e", "<?",
                          "<c", "=q", "<3s", ">Zf"};
    for (size_t k = 0; k < sizeof fmts / sizeof fmts[0]; k++) {
        const mv_format *f = NULL;
        CHECK_OK(mv_format_compile(&f, fmts[k]));
        mv_ssize size = f->itemsize, shape[] = {6};
        mv_format_release(f);
        mv_view v;
        tu_layout_view(&v, o, mem, 6 * size, fmts[k], size, 1, shape, NULL,
                       NULL, 0);
        rec want, got;
        memset(&want, 0, sizeof want);
        on_begin(&want, 0, 6);
        for (mv_ssize j = 0; j < 6; j++) {
            mv_value x;
            CHECK_OK(mv_view_get(&v, j, &x));
            on_item(&want, &x);
        }
        on_end(&want, 0);
        memset(&got, 0, sizeof got);
        CHECK_OK(mv_view_walk(&v, &WB, &got));
        if (strcmp(want.s, got.s) != 0)
            fail_msg("%s: batched walk gave %s, want %s", fmts[k], got.s,
                     want.s);
        CHECK_EQ(got.batches, 1);
        CHECK_OK(mv_view_release(&v));
    }
    /* an empty 2-D view of a compiled format: rows are not addressed */
    mv_ssize z[] = {2, 0}, big[] = {MV_SSIZE_MAX, 4};
    mv_view v;
    tu_layout_view(&v, o, mem, 0, "<i", 4, 2, z, big, NULL, 0);
    expect(&v, "[[], []]");
    CHECK_OK(mv_view_release(&v));
    /* rows of "<h" through suboffsets */
    char *ptrs[2] = {(char *)mem + 2, (char *)mem + 8};
    mv_owner *po = tu_wrap(ptrs, sizeof ptrs);
    mv_ssize shape[] = {2, 2}, st[] = {sizeof(char *), 2}, sub[] = {0, -1};
    tu_layout_view(&v, po, ptrs, 8, "<h", 2, 2, shape, st, sub, 0);
    expect(&v, "[[770, 1284], [2312, 2826]]");
    CHECK_OK(mv_view_release(&v));
    /* ...and items of "<B" each through its pointer */
    mv_ssize n2[] = {2}, st2[] = {sizeof(char *)}, sub2[] = {1};
    tu_layout_view(&v, po, ptrs, 2, "<B", 1, 1, n2, st2, sub2, 0);
    expect(&v, "[3, 9]");
    CHECK_OK(mv_view_release(&v));
    mv_owner_release(po);
    mv_owner_release(o);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_1d),
        cmocka_unit_test(test_walk_batches),
        cmocka_unit_test(test_walk_formats),
        cmocka_unit_test(test_walk_values),
        cmocka_unit_test(test_walk_nd),
        cmocka_unit_test(test_walk_zero_dim),
        cmocka_unit_test(test_walk_suboffsets),
        cmocka_unit_test(test_walk_errors),
        cmocka_unit_test(test_walk_large),
        cmocka_unit_test(test_walk_huge_strides),
        cmocka_unit_test(test_walk_callback_errors),
        cmocka_unit_test(test_walk_no_item_callback),
        cmocka_unit_test(test_walk_scalar_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
