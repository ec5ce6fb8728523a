/*
 * fuzz_view.c -- libFuzzer target for memview's views.
 *
 * The input decodes into a layout over a fixed 4096-byte owner (format,
 * itemsize, shape, strides, buf offset, sometimes a PIL-style indirect
 * layout built from real pointers into the owner), then into a sequence of
 * operations on the view and on views made from it: slicing, narrowing,
 * selecting, typed get/set, tobytes, hex, cast, walk, compare, hash,
 * count/find and overlapping assignment. Every call must answer MV_OK or a
 * negative status with a message; results are checked against what the
 * API promises. Every view is released at the end and the owner must have
 * no exports left.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sanitizer/allocator_interface.h>

#define FUZZ_NAME "fuzz_view"
#include "fuzz_util.h"

#define OWNER_SIZE 4096
/* Indirect layouts: the pointer table lives below PIL_ROWS, the rows above.
 * Row pointers are stored PIL_SUB bytes before their rows, so that a slice
 * of a negative-stride row, which lowers the suboffset, never makes it
 * negative (which would turn the indirection off, as in CPython). */
#define PIL_ROWS 1536
#define PIL_SUB 1024
#define MAX_VIEWS 16
#define MAX_OPS 64
#define BIG_NDIM 70

/* ---- input decoding ------------------------------------------------- */

static mv_ssize s64(input *in) {
    uint64_t x = u64(in);
    mv_ssize r;
    memcpy(&r, &x, sizeof r);
    return r;
}

/* A size or index: mostly small, sometimes extreme. */
static mv_ssize any_index(input *in) {
    uint8_t k = u8(in);
    switch (k & 7) {
    case 0: return MV_BEGIN;
    case 1: return MV_END;
    case 2: return s64(in);
    case 3: return (mv_ssize)(int8_t)u8(in) * 1000;
    default: return (mv_ssize)(int8_t)u8(in);
    }
}

static mv_ssize any_step(input *in) {
    uint8_t k = u8(in);
    switch (k & 7) {
    case 0: return 0;
    case 1: return s64(in);
    case 2: return MV_SSIZE_MIN;
    case 3: return MV_SSIZE_MAX;
    default: return (mv_ssize)(int8_t)u8(in) % 5;
    }
}

/* ---- formats ------------------------------------------------------------ */

static const char *const formats[] = {
    "B",  "b", "c", "?",    "h",  "H",  "i", "I",  "l",  "L",  "q",
    "Q",  "n", "N", "e",    "f",  "d",  "P", "@B", "@i", "@d", "<i",
    "2h", "x", "",  "T{i}", ">q", "3s", "Z", "@",  "B ", "0B", "ii"};
#define NFORMATS (sizeof formats / sizeof formats[0])

static int is_int_kind(const char *fmt) {
    mv_kind k = mv_format_kind(fmt);
    return k == MV_KIND_INT || k == MV_KIND_UINT;
}

/* Formats whose items compare equal to themselves. */
static int self_equal_format(const char *fmt) {
    mv_kind k = mv_format_kind(fmt);
    return k != MV_KIND_NONE && k != MV_KIND_FLOAT;
}

static mv_ssize shape_product(const mv_view *v) {
    mv_ssize n = 1;
    for (int i = 0; i < v->ndim; i++)
        n *= v->shape[i];
    return n;
}

/* ---- the views -------------------------------------------------------- */

typedef struct state {
    mv_owner *owner;
    mv_view views[MAX_VIEWS];
    int nviews;
} state;

static mv_view *pick(state *s, input *in) {
    return &s->views[u8(in) % s->nviews];
}

/* A snapshot of the free slot, to tell a failed constructor that left its
 * destination untouched from one that scribbled on it. */
static mv_view before;

static mv_view *slot(state *s) {
    if (s->nviews >= MAX_VIEWS)
        return NULL;
    memcpy(&before, &s->views[s->nviews], sizeof before);
    return &s->views[s->nviews];
}

/* A failed constructor leaves its destination released, or untouched. */
static void keep(state *s, int rc) {
    mv_view *d = &s->views[s->nviews];
    if (rc == MV_OK)
        s->nviews++;
    else if (!mv_view_is_released(d) && memcmp(d, &before, sizeof before))
        fail("failed constructor left its destination live and changed");
}

/* ---- operations ------------------------------------------------------- */

static void op_tobytes(mv_view *v, input *in) {
    static const int orders[] = {MV_ORDER_C, MV_ORDER_F, MV_ORDER_A, 'X', 0};
    int order = orders[u8(in) % 5];
    void *p = NULL;
    int rc = chk(mv_view_tobytes(v, &p, (mv_order)order));
    if (rc < 0) {
        if (p)
            fail("tobytes failed but set its output");
        return;
    }
    if (!p)
        fail("tobytes gave NULL");
    size_t got = __sanitizer_get_allocated_size(p);
    if (v->nbytes > 0 && got != (size_t)v->nbytes)
        fail("tobytes block is not v.nbytes bytes");
    char *q = malloc(v->nbytes ? (size_t)v->nbytes : 1);
    if (!q)
        abort();
    if (chk(mv_view_tobytes_into(v, q, v->nbytes, (mv_order)order)) < 0)
        fail("tobytes_into failed where tobytes succeeded");
    if (v->nbytes && memcmp(p, q, (size_t)v->nbytes))
        fail("tobytes and tobytes_into differ");
    if (v->nbytes > 0 &&
        mv_view_tobytes_into(v, q, v->nbytes - 1, (mv_order)order) == MV_OK)
        fail("tobytes_into accepted a short buffer");
    free(q);
    mv_free(p);
}

static void op_hex(mv_view *v, input *in) {
    int32_t sep = (int32_t)u8(in) - 1; /* -1 (none) .. 254, 128+ refused */
    int have_sep = sep != MV_HEX_NOSEP;
    mv_ssize bps = any_step(in);
    char *out = NULL;
    mv_ssize outlen = -1;
    int rc = chk(mv_view_hex(v, sep, bps, &out, &outlen));
    if (rc < 0)
        return;
    mv_ssize n = v->nbytes, nsep = 0;
    if (have_sep && bps != 0 && n > 0) {
        uint64_t g = bps < 0 ? (uint64_t)0 - (uint64_t)bps : (uint64_t)bps;
        nsep = (mv_ssize)((uint64_t)(n - 1) / g);
    }
    if (outlen != 2 * n + nsep)
        fail("hex length is not 2*len + separators");
    /* The separator may be NUL: only the terminator is checked. */
    if (out[outlen] != '\0')
        fail("hex string is not terminated at outlen");
    for (mv_ssize k = 0; k < outlen; k++)
        if (!strchr("0123456789abcdef", out[k]) && out[k] != (char)sep)
            fail("hex string has a character that is no digit");
    mv_free(out);
}

typedef struct walk_count {
    mv_ssize items;
    int depth;
} walk_count;

static int w_begin(void *ctx, int dim, mv_ssize n) {
    walk_count *c = ctx;
    if (dim != c->depth || n < 0)
        fail("walk begin out of order");
    c->depth++;
    return 0;
}
static int w_end(void *ctx, int dim) {
    walk_count *c = ctx;
    c->depth--;
    if (dim != c->depth)
        fail("walk end out of order");
    return 0;
}
static int w_item(void *ctx, const mv_value *x) {
    (void)x;
    ((walk_count *)ctx)->items++;
    return 0;
}
static int w_items(void *ctx, const mv_value *x, mv_ssize n) {
    (void)x;
    if (n < 1 || n > 64)
        fail("walk batch size");
    ((walk_count *)ctx)->items += n;
    return 0;
}

static void op_walk(mv_view *v, input *in) {
    mv_walker w = {w_begin, w_item, w_end, NULL};
    if (u8(in) & 1)
        w.items = w_items;
    walk_count c = {0, 0};
    if (chk(mv_view_walk(v, &w, &c)) < 0)
        return;
    if (c.depth != 0)
        fail("walk left dimensions open");
    /* an item of a compiled format of several values gives them all */
    mv_ssize per = 1, want;
    if (!mv_format_char(v->format) && v->fmtdesc &&
        !mv_format_scalar(v->fmtdesc))
        per = v->fmtdesc->nvalues;
    if (!__builtin_mul_overflow(shape_product(v), per, &want) &&
        c.items != want)
        fail("walk item count differs from product(shape)");
}

static void any_value(input *in, mv_value *x, char *bytes) {
    uint8_t t = u8(in) % 7;
    x->type = (mv_vtype)t;
    switch (t) {
    case MV_VAL_INT: x->i = (int64_t)s64(in); break;
    case MV_VAL_UINT: x->u = u64(in); break;
    case MV_VAL_BIGINT: x->i = (u8(in) & 1) ? 1 : -1; break;
    case MV_VAL_FLOAT: {
        uint64_t b = u64(in);
        memcpy(&x->f, &b, sizeof x->f);
        break;
    }
    case MV_VAL_BOOL: x->i = u8(in) & 1; break;
    case MV_VAL_BYTES:
        bytes[0] = (char)u8(in);
        bytes[1] = (char)u8(in);
        x->s.ptr = bytes;
        x->s.len = u8(in) % 3;
        break;
    default: x->u = 0; break;
    }
}

static void op_getset(mv_view *v, input *in) {
    mv_value x, y;
    char bytes[2];
    int set = u8(in) & 1;
    if (u8(in) & 1) {
        mv_ssize idx = any_index(in);
        if (set) {
            any_value(in, &x, bytes);
            if (chk(mv_view_set(v, idx, &x)) == MV_OK &&
                is_int_kind(v->format) &&
                (x.type == MV_VAL_INT || x.type == MV_VAL_UINT) &&
                (v->strides[0] != 0 || v->shape[0] == 1)) {
                if (chk(mv_view_get(v, idx, &y)) < 0 || !mv_value_equal(&x, &y))
                    fail("get after set gives another value");
            }
        } else {
            chk(mv_view_get(v, idx, &y));
        }
        return;
    }
    mv_ssize idx[BIG_NDIM];
    int n = u8(in) % (v->ndim + 2);
    for (int i = 0; i < n; i++)
        idx[i] = (u8(in) & 3) ? (mv_ssize)(int8_t)u8(in) % 8 : any_index(in);
    if (set) {
        any_value(in, &x, bytes);
        chk(mv_view_setn(v, idx, n, &x));
    } else {
        chk(mv_view_getn(v, idx, n, &y));
    }
}

/* A copy of v's items as a fresh C-contiguous view of the same format and
 * shape; equal to v when its items compare equal to themselves. */
static void op_equal(mv_view *v) {
    int eq = -1;
    if (chk(mv_view_equal(v, v, &eq)) == MV_OK) {
        if (eq != 0 && eq != 1)
            fail("equal gave neither 0 nor 1");
        /* a released view equals itself too, but its format is gone with
         * its compiled format (mv_view.format lives as long as the owner) */
        if (!mv_view_is_released(v) && self_equal_format(v->format) && eq != 1)
            fail("view unequal to itself");
    }
    void *bytes = NULL;
    if (chk(mv_view_tobytes(v, &bytes, MV_ORDER_C)) < 0)
        return;
    mv_owner *o = NULL;
    if (chk(mv_owner_copy(&o, bytes, v->nbytes)) < 0) {
        mv_free(bytes);
        return;
    }
    mv_free(bytes);
    mv_layout l = {mv_owner_data(o), v->nbytes, v->itemsize, v->format, v->ndim,
                   v->shape,         NULL,      NULL,        1};
    mv_view c;
    if (chk(mv_view_from_layout(&c, o, &l)) == MV_OK) {
        eq = -1;
        if (chk(mv_view_equal(v, &c, &eq)) == MV_OK &&
            self_equal_format(v->format) && eq != 1)
            fail("view unequal to its copy");
        if (chk(mv_view_equal(&c, v, &eq)) == MV_OK &&
            self_equal_format(v->format) && eq != 1)
            fail("copy unequal to its view");
        if (chk(mv_view_release(&c)) < 0)
            fail("release of a copy failed");
    }
    if (mv_owner_exports(o) != 0)
        fail("copy owner still exported");
    mv_owner_release(o);
}

static void op_hash(mv_view *v) {
    mv_view r;
    if (chk(mv_view_readonly(&r, v)) < 0)
        return;
    int64_t h1 = 0, h2 = 0;
    int rc1 = chk(mv_view_hash(&r, NULL, NULL, &h1));
    int rc2 = chk(mv_view_hash(&r, NULL, NULL, &h2));
    if (rc1 != rc2 || (rc1 == MV_OK && h1 != h2))
        fail("hash not stable");
    if (chk(mv_view_release(&r)) < 0)
        fail("release failed");
    if (rc1 == MV_OK && mv_view_hash(&r, NULL, NULL, &h2) == MV_OK && h1 != h2)
        fail("cached hash differs after release");
}

static void op_count_find(mv_view *v, input *in) {
    mv_value x;
    char bytes[2];
    any_value(in, &x, bytes);
    mv_ssize cnt = -1, pos = -1;
    if (chk(mv_view_count(v, &x, &cnt)) == MV_OK &&
        (cnt < 0 || cnt > shape_product(v)))
        fail("count out of range");
    mv_ssize start = any_index(in), stop = any_index(in);
    if (chk(mv_view_index(v, &x, start, stop, &pos)) == MV_OK) {
        if (v->ndim != 1 || pos < 0 || pos >= v->shape[0])
            fail("find position out of range");
        mv_value y;
        if (chk(mv_view_get(v, pos, &y)) == MV_OK && !mv_value_equal(&x, &y))
            fail("find gave an unequal item");
    }
    mv_stats st;
    /* one value an item, or several for an array format ("3h") */
    if (chk(mv_view_stats(v, &st)) == MV_OK &&
        (st.count < shape_product(v) ||
         (shape_product(v) && st.count % shape_product(v))))
        fail("stats counted the wrong number of items");
}

/* v[0:n-k] = v[k:n], checked against memmove when the target's items are
 * distinct (a contiguous view). */
static void op_assign(state *s, mv_view *v, input *in) {
    mv_ssize n;
    if (chk(mv_view_length(v, &n)) < 0 || v->ndim < 1)
        return;
    mv_ssize k = n ? (mv_ssize)(u8(in) % (uint64_t)(n + 1)) : 0;
    if (u8(in) & 1)
        k = -k;
    mv_view a, b;
    mv_ssize as = k >= 0 ? 0 : -k, bs = k >= 0 ? k : 0;
    if (chk(mv_view_slice(&a, v, as, as + n - (k >= 0 ? k : -k), 1)) < 0)
        return;
    if (chk(mv_view_slice(&b, v, bs, bs + n - (k >= 0 ? k : -k), 1)) < 0) {
        mv_view_release(&a);
        return;
    }
    void *want = NULL;
    int have = chk(mv_view_tobytes(&b, &want, MV_ORDER_C)) == MV_OK;
    void *before = NULL;
    int have_before = chk(mv_view_tobytes(&a, &before, MV_ORDER_C)) == MV_OK;
    int rc = chk(mv_view_assign(&a, &b));
    void *got = NULL;
    if (have && mv_view_is_contiguous(&a) && !a.suboffsets &&
        chk(mv_view_tobytes(&a, &got, MV_ORDER_C)) == MV_OK) {
        if (rc == MV_OK && a.nbytes && memcmp(got, want, (size_t)a.nbytes))
            fail("overlapping assign differs from memmove");
        if (rc < 0 && have_before && a.nbytes &&
            memcmp(got, before, (size_t)a.nbytes))
            fail("failed assign wrote");
    }
    mv_free(got);
    mv_free(want);
    mv_free(before);
    mv_view_release(&a);
    mv_view_release(&b);
    (void)s;
}

static void op_cast(state *s, mv_view *v, input *in) {
    mv_view *d = slot(s);
    if (!d)
        return;
    const char *fmt = formats[u8(in) % NFORMATS];
    mv_ssize shape[BIG_NDIM];
    int ndim = (int)(u8(in) % 6) - 1;
    if (ndim == 4 && (u8(in) & 1))
        ndim = BIG_NDIM;
    for (int i = 0; i < (ndim > 0 ? ndim : 0); i++)
        shape[i] = (u8(in) & 7) ? (mv_ssize)(u8(in) % 9) : s64(in);
    int rc = chk(mv_view_cast(d, v, fmt, ndim >= 0 ? shape : NULL, ndim));
    keep(s, rc);
    if (rc == MV_OK && d->nbytes != v->nbytes)
        fail("cast changed the byte length");
}

static void op_select(state *s, mv_view *v, input *in) {
    mv_view *d = slot(s);
    if (!d)
        return;
    mv_keyitem key[BIG_NDIM];
    int n = u8(in) % (v->ndim + 2);
    for (int i = 0; i < n; i++) {
        key[i].is_slice = u8(in) & 1;
        key[i].index =
            (u8(in) & 3) ? (mv_ssize)(int8_t)u8(in) % 8 : any_index(in);
        key[i].start = any_index(in);
        key[i].stop = any_index(in);
        key[i].step = any_step(in);
    }
    keep(s, chk(mv_view_select(d, v, key, n)));
}

/* Zero strides let a view of a few bytes have a vast number of items: the
 * operations that visit every item are skipped for those (slow, not
 * wrong). */
static int small(const mv_view *v) {
    if (mv_view_is_released(v)) /* every call fails at once; its shape is */
        return 1;               /* not to be read (ndim may exceed dims_) */
    mv_ssize n = 1;
    for (int i = 0; i < v->ndim; i++)
        if (__builtin_mul_overflow(n, v->shape[i], &n) || n > 4096)
            return 0;
    return v->nbytes <= 65536;
}

static void run_ops(state *s, input *in) {
    for (int op = 0; op < MAX_OPS && in->n; op++) {
        mv_view *v = pick(s, in);
        mv_view *d;
        int kind = u8(in) % 18;
        if (kind >= 7 && kind <= 14 && kind != 9 && !small(v))
            continue;
        switch (kind) {
        case 0:
            if ((d = slot(s)))
                keep(s, chk(mv_view_slice(d, v, any_index(in), any_index(in),
                                          any_step(in))));
            break;
        case 1:
            chk(mv_view_narrow(v, any_index(in), any_index(in), any_step(in)));
            break;
        case 2: {
            int dim = (int)(u8(in) % (v->ndim + 2)) - 1;
            chk(mv_view_narrow_dim(v, dim, any_index(in), any_index(in),
                                   any_step(in)));
            break;
        }
        case 3:
            if ((d = slot(s)))
                keep(s, chk(mv_view_subview(d, v, any_index(in))));
            break;
        case 4: op_select(s, v, in); break;
        case 5:
        case 6: op_getset(v, in); break;
        case 7: op_tobytes(v, in); break;
        case 8: op_hex(v, in); break;
        case 9: op_cast(s, v, in); break;
        case 10: op_walk(v, in); break;
        case 11: op_equal(v); break;
        case 12: op_hash(v); break;
        case 13: op_count_find(v, in); break;
        case 14: op_assign(s, v, in); break;
        case 15:
            if ((d = slot(s)))
                keep(s, chk(mv_view_readonly(d, v)));
            break;
        case 16:
            if ((d = slot(s)))
                keep(s, chk(mv_view_new(d, v)));
            break;
        default:
            if (u8(in) & 1) {
                /* release a view early: later calls on it must fail */
                chk(mv_view_release(v));
            } else {
                mv_ssize len;
                chk(mv_view_length(v, &len));
            }
            break;
        }
    }
}

/* ---- the layout --------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    input in = {data, size};
    state s;
    memset(&s, 0, sizeof s);

    uint8_t mode = u8(&in);
    int pil = (mode & 0x30) == 0x30;
    int readonly_owner = (mode & 0x80) != 0 && !pil;
    char *mem = NULL;
    if (readonly_owner) {
        mem = malloc(OWNER_SIZE);
        if (!mem)
            abort();
        for (int i = 0; i < OWNER_SIZE; i++)
            mem[i] = (char)(i * 37 + mode);
        if (chk(mv_owner_copy(&s.owner, mem, OWNER_SIZE)) < 0)
            abort();
        free(mem);
    } else if (chk(mv_owner_new_bytes(&s.owner, OWNER_SIZE)) < 0) {
        abort();
    }
    char *base = mv_owner_data(s.owner);
    if (!readonly_owner)
        for (int i = 0; i < OWNER_SIZE; i++)
            base[i] = (char)(i * 37 + mode);

    const char *fmt = formats[u8(&in) % NFORMATS];
    mv_ssize itemsize = mv_format_itemsize(fmt);
    uint8_t isz = u8(&in);
    if (!itemsize || (isz & 7) == 0)
        itemsize = (mv_ssize)(isz >> 3) - 2;

    mv_ssize shape[BIG_NDIM], strides[BIG_NDIM], subs[BIG_NDIM];
    mv_layout l;
    memset(&l, 0, sizeof l);
    l.format = (u8(&in) & 15) ? fmt : NULL;
    l.itemsize = itemsize;
    l.readonly = (mode & 0x40) != 0;

    if (pil && itemsize > 0 && itemsize <= 16) {
        /* PIL-style: dimension 0 reads a pointer from a table in the low
         * part of the owner, then dimension 1 (if any) strides directly
         * within a row in the high part. */
        int ndim = 1 + (u8(&in) & 1);
        mv_ssize rows = u8(&in) % 9;
        mv_ssize so = PIL_SUB + u8(&in) % 16;
        mv_ssize cols = ndim == 2 ? u8(&in) % 17 : 1;
        mv_ssize cstride = (mv_ssize)(int8_t)u8(&in) % 64;
        mv_ssize span = (cols > 0 ? cols - 1 : 0) * cstride;
        mv_ssize lo = PIL_ROWS - (span < 0 ? span : 0);
        mv_ssize hi = OWNER_SIZE - itemsize - (span > 0 ? span : 0);
        for (mv_ssize r = 0; r < rows; r++) {
            mv_ssize off = lo + (mv_ssize)(u8(&in) * 13) % (hi - lo + 1);
            char *row = base + off - so;
            memcpy(base + r * (mv_ssize)sizeof(char *), &row, sizeof row);
        }
        shape[0] = rows;
        strides[0] = sizeof(char *);
        subs[0] = so;
        shape[1] = cols;
        strides[1] = cstride;
        subs[1] = -1;
        l.ndim = ndim;
        l.buf = base;
        l.shape = shape;
        l.strides = strides;
        l.suboffsets = subs;
        l.nbytes = rows * cols * itemsize;
    } else {
        uint8_t nd = u8(&in);
        int ndim = nd % 6;
        if (nd >= 0xf0)
            ndim = (int)(nd - 0xf0) + 60; /* around MV_MAXDIM */
        if (ndim > BIG_NDIM)
            ndim = BIG_NDIM;
        mv_ssize prod = itemsize;
        int ovf = 0;
        for (int i = 0; i < ndim; i++) {
            uint8_t k = u8(&in);
            if ((k & 15) == 0)
                shape[i] = s64(&in);
            else if ((k & 15) == 1)
                shape[i] = -(mv_ssize)(k >> 4);
            else
                shape[i] = ndim > 8 ? (k >> 4) % 2 + 1 : (k >> 4) % 7;
            if (__builtin_mul_overflow(prod, shape[i], &prod))
                ovf = 1;
        }
        int have_strides = u8(&in) % 4 != 0;
        for (int i = 0; i < ndim; i++) {
            uint8_t k = u8(&in);
            if ((k & 15) == 0)
                strides[i] = s64(&in);
            else
                strides[i] = (mv_ssize)(int8_t)u8(&in) * ((k >> 4) + 1);
        }
        uint8_t lk = u8(&in);
        l.ndim = ndim;
        l.shape = (ndim == 1 && (lk & 3) == 0) ? NULL : shape;
        l.strides = have_strides ? strides : NULL;
        l.nbytes = ovf ? s64(&in) : prod;
        if ((lk & 0x1c) == 0)
            l.nbytes += (mv_ssize)(int8_t)u8(&in);
        mv_ssize off = (mv_ssize)((u8(&in) << 8 | u8(&in)) % (OWNER_SIZE + 64));
        if ((lk & 0xe0) == 0)
            off = -off;
        l.buf = (void *)((uintptr_t)base + (uintptr_t)off);
    }

    mv_view *v = &s.views[0];
    int rc = chk(mv_view_from_layout(v, s.owner, &l));
    if (rc == MV_OK) {
        s.nviews = 1;
        if (v->nbytes != shape_product(v) * v->itemsize)
            fail("len != product(shape) * itemsize");
        run_ops(&s, &in);
    } else if (!mv_view_is_released(v)) {
        fail("failed from_layout left its destination live");
    }

    for (int i = 0; i < s.nviews; i++)
        if (chk(mv_view_release(&s.views[i])) < 0)
            fail("release failed");
    if (mv_owner_exports(s.owner) != 0)
        fail("owner still has exports after every view is released");
    mv_owner_release(s.owner);
    return 0;
}
