/*
 * compare.c -- equality of values and views, hash, count and index.
 *
 * Equality of two views follows Python's memoryview ==:
 *   - a released view equals only itself (the same mv_view);
 *   - shapes must be equivalent: equal, or equal up to a zero at the same
 *     position ([1, 0, 5] and [1, 0, 7] are, as in NumPy);
 *   - items are unpacked each by its own format and compared as Python
 *     compares the objects they stand for: 'B' 1 equals 'd' 1.0, NaN equals
 *     nothing, not even itself, so bytes are never compared for floats;
 *   - formats that are not native single characters are read as Python's
 *     struct module reads them (byte order prefixes, repeat counts, native
 *     alignment, several values an item); a format struct rejects makes the
 *     views unequal rather than failing, and an item shorter than its
 *     format fails as struct.unpack_from does (MV_EVALUE here).
 * Same native format on both sides takes typed loops, and memcmp when the
 * format is an integer one and both views are contiguous in the same order.
 * '?' against '?' compares bytes, as the builtin does: two different
 * non-zero bytes are unequal there although both read as True.
 */
#include "internal.h"

#include <stdlib.h>

/* ------------------------------------------------------------------------
 * Values
 * ------------------------------------------------------------------------ */

/* f == i exactly, as Python compares a float with an int. */
static bool float_eq_int(double f, int64_t i) {
    if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0))
        return false; /* out of range, infinite or NaN */
    int64_t t = (int64_t)f;
    return (double)t == f && t == i;
}

static bool float_eq_uint(double f, uint64_t u) {
    if (!(f >= 0.0 && f < 18446744073709551616.0))
        return false;
    uint64_t t = (uint64_t)f;
    return (double)t == f && t == u;
}

static bool is_int(mv_vtype t) { return t == MV_VAL_INT || t == MV_VAL_BOOL; }

/* A complex number z equals x as Python compares them: both parts equal,
 * x's imaginary part being 0 when x is real. */
static int complex_equal(const mv_value *z, const mv_value *x) {
    switch (x->type) {
    case MV_VAL_COMPLEX: return z->z.re == x->z.re && z->z.im == x->z.im;
    case MV_VAL_FLOAT: return z->z.im == 0.0 && z->z.re == x->f;
    case MV_VAL_INT:
    case MV_VAL_BOOL: return z->z.im == 0.0 && float_eq_int(z->z.re, x->i);
    case MV_VAL_UINT: return z->z.im == 0.0 && float_eq_uint(z->z.re, x->u);
    default: return 0;
    }
}

int mv_value_equal(const mv_value *a, const mv_value *b) {
    if (a->type == MV_VAL_COMPLEX)
        return complex_equal(a, b);
    if (b->type == MV_VAL_COMPLEX)
        return complex_equal(b, a);
    if (b->type == MV_VAL_FLOAT && a->type != MV_VAL_FLOAT) {
        const mv_value *t = a;
        a = b;
        b = t;
    } else if (b->type == MV_VAL_UINT && is_int(a->type)) {
        const mv_value *t = a;
        a = b;
        b = t;
    }
    /* Now a float comes first, and an unsigned before a signed. */
    switch (a->type) {
    case MV_VAL_FLOAT:
        if (b->type == MV_VAL_FLOAT)
            return a->f == b->f;
        if (is_int(b->type))
            return float_eq_int(a->f, b->i);
        if (b->type == MV_VAL_UINT)
            return float_eq_uint(a->f, b->u);
        return 0;
    case MV_VAL_UINT:
        if (b->type == MV_VAL_UINT)
            return a->u == b->u;
        if (is_int(b->type))
            return b->i >= 0 && (uint64_t)b->i == a->u;
        return 0;
    case MV_VAL_INT:
    case MV_VAL_BOOL: return is_int(b->type) && a->i == b->i;
    case MV_VAL_BYTES:
        return b->type == MV_VAL_BYTES && a->s.len == b->s.len &&
               (a->s.len == 0 ||
                memcmp(a->s.ptr, b->s.ptr, (size_t)a->s.len) == 0);
    default:
        /* MV_VAL_BIGINT carries no magnitude: callers offer a big integer
         * that a double holds exactly as MV_VAL_FLOAT, so what remains
         * equals no item. MV_VAL_OTHER equals no item either. */
        return 0;
    }
}

/* ------------------------------------------------------------------------
 * Items of compiled formats: equal when their scalars, read one after the
 * other by the format engine (struct.c), are pairwise equal.
 * ------------------------------------------------------------------------ */

/* The items at x (format a) and y (format b) unpack to equal tuples.
 * Formats of different value counts were weeded out before. */
static bool struct_items_equal(const mv_format *a, const char *x,
                               const mv_format *b, const char *y) {
    mv__cursor ca, cb;
    mv__cursor_init(&ca, a, x);
    mv__cursor_init(&cb, b, y);
    mv_value va, vb;
    while (mv__cursor_next(&ca, &va)) {
        mv__cursor_next(&cb, &vb); /* as many values as ca */
        if (!mv_value_equal(&va, &vb))
            return false;
    }
    return true;
}

/* ------------------------------------------------------------------------
 * Views
 * ------------------------------------------------------------------------ */

typedef enum cmp_mode {
    CMP_RAW,    /* same integer format: equal bytes are equal values */
    CMP_FLOAT,  /* 'f' on both sides */
    CMP_DOUBLE, /* 'd' on both sides */
    CMP_VALUES, /* two native formats, unpacked and compared as values */
    CMP_STRUCT  /* at least one format read as struct reads it */
} cmp_mode;

typedef struct cmp {
    cmp_mode mode;
    mv_ssize size; /* CMP_RAW: item size */
    const char *fa, *fb;
    const mv_format *pa, *pb;
} cmp;

static bool items_equal(const cmp *c, const char *x, const char *y) {
    switch (c->mode) {
    case CMP_RAW: return memcmp(x, y, (size_t)c->size) == 0;
    case CMP_FLOAT: {
        float u, v;
        memcpy(&u, x, sizeof u);
        memcpy(&v, y, sizeof v);
        return u == v;
    }
    case CMP_DOUBLE: {
        double u, v;
        memcpy(&u, x, sizeof u);
        memcpy(&v, y, sizeof v);
        return u == v;
    }
    case CMP_VALUES: {
        mv_value u, v;
        mv_format_unpack(c->fa, x, &u);
        mv_format_unpack(c->fb, y, &v);
        return mv_value_equal(&u, &v);
    }
    default: return struct_items_equal(c->pa, x, c->pb, y);
    }
}

/* A row of n items, sx and sy bytes apart, each addressed from its index
 * (one stride past the last could leave the address space). */
#define RAW_ROW(T)                                                             \
    do {                                                                       \
        for (mv_ssize k = 0; k < n; k++) {                                     \
            T u_, v_;                                                          \
            memcpy(&u_, x + k * sx, sizeof u_);                                \
            memcpy(&v_, y + k * sy, sizeof v_);                                \
            if (u_ != v_)                                                      \
                return false;                                                  \
        }                                                                      \
        return true;                                                           \
    } while (0)

static bool row_equal(const cmp *c, const char *x, const char *y, mv_ssize n,
                      mv_ssize sx, mv_ssize sy) {
    if (c->mode == CMP_RAW) {
        switch (c->size) {
        case 1: RAW_ROW(uint8_t);
        case 2: RAW_ROW(uint16_t);
        case 4: RAW_ROW(uint32_t);
        default: RAW_ROW(uint64_t); /* 8: native integers have 1, 2, 4 or 8 */
        }
    } else if (c->mode == CMP_DOUBLE) {
        RAW_ROW(double);
    } else if (c->mode == CMP_FLOAT) {
        RAW_ROW(float);
    }
    for (mv_ssize k = 0; k < n; k++)
        if (!items_equal(c, x + k * sx, y + k * sy))
            return false;
    return true;
}
#undef RAW_ROW

static bool dims_equal(const cmp *c, const mv_view *a, const mv_view *b,
                       int dim, const char *x, const char *y) {
    mv_ssize n = a->shape[dim];
    mv_ssize sx = a->strides[dim], sy = b->strides[dim];
    if (a->nbytes == 0) /* no items (b has as many): strides never checked */
        sx = sy = 0;
    bool last = dim == a->ndim - 1;
    bool indirect = (a->suboffsets && a->suboffsets[dim] >= 0) ||
                    (b->suboffsets && b->suboffsets[dim] >= 0);
    if (last && !indirect)
        return row_equal(c, x, y, n, sx, sy);
    for (mv_ssize k = 0; k < n; k++) {
        const char *px = adjust_ptr((char *)x + k * sx, a->suboffsets, dim);
        const char *py = adjust_ptr((char *)y + k * sy, b->suboffsets, dim);
        if (last ? !items_equal(c, px, py)
                 : !dims_equal(c, a, b, dim + 1, px, py))
            return false;
    }
    return true;
}

/* Both views hold their items in the same order in one block each. */
static bool same_contiguous_order(const mv_view *a, const mv_view *b) {
    return (mv_view_is_c_contiguous(a) && mv_view_is_c_contiguous(b)) ||
           (mv_view_is_f_contiguous(a) && mv_view_is_f_contiguous(b));
}

static bool views_equal(const cmp *c, const mv_view *a, const mv_view *b) {
    if (a->ndim == 0)
        return items_equal(c, a->buf, b->buf);
    return dims_equal(c, a, b, 0, a->buf, b->buf);
}

typedef struct equal_job {
    const cmp *c;
    const mv_view *a, *b;
    int eq;
} equal_job;

static int run_equal(void *ctx) {
    equal_job *j = ctx;
    if (j->c->mode == CMP_RAW && same_contiguous_order(j->a, j->b))
        j->eq = j->a->nbytes == 0 ||
                memcmp(j->a->buf, j->b->buf, (size_t)j->a->nbytes) == 0;
    else
        j->eq = views_equal(j->c, j->a, j->b);
    return MV_OK;
}

/* views_equal() inside the views' fault guard (fault.c). */
static int guarded_equal(const cmp *c, const mv_view *a, const mv_view *b,
                         int *eq) {
    equal_job j = {c, a, b, 0};
    int rc = mv__guarded2(a, b, run_equal, &j);
    if (rc == MV_OK)
        *eq = j.eq;
    return rc;
}

static mv_ssize nitems(const mv_view *v) {
    return v->nbytes / v->itemsize; /* itemsize > 0 */
}

/* Python's struct path: both formats compiled; a format that does not
 * compile makes the views unequal. */
static int struct_equal(const mv_view *a, const mv_view *b, int *eq) {
    const mv_format *pa = a->fmtdesc, *pb = b->fmtdesc;
    if (!pa || !pb) {
        *eq = 0;
        return MV_OK;
    }
    if (nitems(a) == 0) {
        *eq = 1;
        return MV_OK;
    }
    const mv_view *v = pa->itemsize > a->itemsize ? a : b;
    const mv_format *p = v == a ? pa : pb;
    if (p->itemsize > v->itemsize)
        return mv_error(MV_EVALUE,
                        "unpack_from requires a buffer of at least %td "
                        "bytes for unpacking %td bytes at offset 0 (actual "
                        "buffer size is %td)",
                        p->itemsize, p->itemsize, v->itemsize);
    if (pa->nvalues != pb->nvalues) {
        *eq = 0;
        return MV_OK;
    }
    cmp c = {.mode = CMP_STRUCT, .pa = pa, .pb = pb};
    return guarded_equal(&c, a, b, eq);
}

int mv_view_equal(const mv_view *a, const mv_view *b, int *eq) {
    if (mv_view_is_released(a) || mv_view_is_released(b)) {
        *eq = a == b;
        return MV_OK;
    }
    if (!mv__view_equiv_shape(a, b)) {
        *eq = 0;
        return MV_OK;
    }
    char ca = mv_format_char(a->format), cb = mv_format_char(b->format);
    /* A native format's itemsize is its size (mv_view_from_layout) */
    if (!ca || !cb)
        return struct_equal(a, b, eq);

    cmp c = {.mode = CMP_VALUES, .fa = a->format, .fb = b->format};
    if (ca == cb) {
        switch (ca) {
        case 'f': c.mode = CMP_FLOAT; break;
        case 'd': c.mode = CMP_DOUBLE; break;
        case 'e': break; /* unpacked: -0.0 == 0.0 */
        default:
            c.mode = CMP_RAW;
            c.size = a->itemsize;
            break;
        }
    }
    return guarded_equal(&c, a, b, eq);
}

/* ------------------------------------------------------------------------
 * Hash
 * ------------------------------------------------------------------------ */

/* FNV-1a, for callers that bring no hash function of their own. */
static int default_hash(void *ctx, const void *data, mv_ssize len,
                        int64_t *out) {
    (void)ctx;
    const unsigned char *p = data;
    uint64_t h = 14695981039346656037u;
    for (mv_ssize i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211u;
    }
    *out = (int64_t)(h >> 1);
    return MV_OK;
}

typedef struct hash_job {
    mv_hash_fn fn;
    void *ctx;
    const char *mem;
    mv_ssize len;
    int64_t h;
} hash_job;

static int run_hash(void *ctx) {
    hash_job *j = ctx;
    return j->fn(j->ctx, j->mem, j->len, &j->h);
}

int mv_view_hash(mv_view *v, mv_hash_fn fn, void *ctx, int64_t *out) {
    if (v->flags & MV_HASHED_) {
        *out = v->hash_;
        return MV_OK;
    }
    int rc = check_live(v);
    if (rc < 0)
        return rc;
    if (!(v->flags & MV_READONLY))
        return mv_error(MV_EVALUE, "cannot hash writable memoryview object");
    char c = mv_format_char(v->format);
    if (c != 'B' && c != 'b' && c != 'c')
        return mv_error(MV_EVALUE, "memoryview: hashing is restricted to "
                                   "formats 'B', 'b' or 'c'");
    const char *mem = v->buf;
    char *tmp = NULL;
    if (!mv_view_is_c_contiguous(v) && v->nbytes > 0) {
        tmp = malloc((size_t)v->nbytes);
        if (!tmp)
            return mv_error(MV_ENOMEM, "cannot allocate %td bytes", v->nbytes);
        if ((rc = mv__copy_to_contiguous_guarded(tmp, v, MV_ORDER_C)) < 0) {
            free(tmp);
            return rc;
        }
        mem = tmp;
    }
    hash_job j = {fn ? fn : default_hash, ctx, mem, v->nbytes, 0};
    rc = tmp ? run_hash(&j) : mv__guarded(v, run_hash, &j);
    free(tmp);
    if (rc < 0)
        return rc;
    int64_t h = j.h;
    v->hash_ = h;
    v->flags |= MV_HASHED_;
    *out = h;
    return MV_OK;
}

/* ------------------------------------------------------------------------
 * count and index (Python 3.14's memoryview.count / memoryview.index)
 *
 * count iterates the view: 0-D is TypeError "invalid indexing of 0-dim
 * memory", more than one dimension NotImplementedError "multi-dimensional
 * sub-views are not implemented". index looks items up: 0-D is TypeError
 * "invalid lookup on 0-dim memory", several dimensions NotImplementedError
 * "multi-dimensional lookup is not implemented". Both read items only as
 * far as they go, so an unreadable single-character format fails only
 * when an item is read.
 * ------------------------------------------------------------------------ */

/* The native format character of v as a string ('@' stripped), "" for a
 * compiled format read through the engine, or NULL after setting
 * "memoryview: unsupported format F". */
static const char *single_format(const mv_view *v) {
    if (mv_view_check_item(v) < 0)
        return NULL;
    return v->fmtchar_ || !v->fmtdesc ? mv__skip_at(v->format) : "";
}

/* x as the bytes of an item of integer format f (native, itemsize size):
 * 1 when x is an integer in f's range (key then holds the item's bytes),
 * 0 when x equals no item, -1 when items must be compared one by one. */
_Static_assert(sizeof(long long) <= 8 && sizeof(size_t) <= 8 &&
                   sizeof(void *) <= 8,
               "native integers fit the 8-byte key of int_key");
static int int_key(const char *f, mv_ssize size, const mv_value *x,
                   unsigned char *key) {
    mv_kind k = mv_format_kind(f);
    if (k != MV_KIND_INT && k != MV_KIND_UINT && k != MV_KIND_PTR)
        return -1;
    bool neg;     /* x < 0 */
    uint64_t mag; /* x as a 64-bit pattern (two's complement when neg) */
    switch (x->type) {
    case MV_VAL_INT:
    case MV_VAL_BOOL:
        neg = x->i < 0;
        mag = (uint64_t)x->i;
        break;
    case MV_VAL_UINT:
        neg = false;
        mag = x->u;
        break;
    case MV_VAL_FLOAT: {
        double d = x->f;
        if (d >= -9223372036854775808.0 && d < 0.0 && (double)(int64_t)d == d) {
            neg = true;
            mag = (uint64_t)(int64_t)d;
        } else if (d >= 0.0 && d < 18446744073709551616.0 &&
                   (double)(uint64_t)d == d) {
            neg = false;
            mag = (uint64_t)d;
        } else {
            return 0; /* NaN, infinite, fractional or out of range */
        }
        break;
    }
    default: return 0;
    }
    unsigned bits = 8 * (unsigned)size;
    if (k == MV_KIND_INT) {
        /* -(2^(bits-1)) <= x < 2^(bits-1) */
        uint64_t half = (uint64_t)1 << (bits - 1);
        if (neg ? (uint64_t)0 - mag > half : mag >= half)
            return 0;
    } else if (neg || (bits < 64 && mag >> bits)) {
        return 0;
    }
    /* The low bytes of the two's complement pattern, in host order. */
    for (unsigned i = 0; i < (unsigned)size; i++)
        key[MV__HOST_BIG_ENDIAN ? (unsigned)size - 1 - i : i] =
            (unsigned char)(mag >> (8 * i));
    return 1;
}

/* x as the byte of an item of 1-byte format f: an integer in f's range,
 * or for 'c' a bytes object of length 1. */
static bool byte_key(const char *f, const mv_value *x, unsigned char *key) {
    if (int_key(f, 1, x, key) == 1)
        return true;
    if (f[0] == 'c' && x->type == MV_VAL_BYTES && x->s.len == 1) {
        key[0] = (unsigned char)x->s.ptr[0];
        return true;
    }
    return false;
}

/* Index of the first item in [start, stop) of 1-D v equal to x, or -1
 * (count: how many). Assumption: start < stop. */
static int scan(const mv_view *v, const char *f, const mv_value *x,
                mv_ssize start, mv_ssize stop, bool count, mv_ssize *out) {
    mv_ssize n = 0, stride = v->strides[0], size = v->itemsize;
    const mv_ssize *sub = v->suboffsets;
    bool indirect = sub && sub[0] >= 0;
    const char *p = v->buf + start * stride;
    if (!v->fmtchar_ && v->fmtdesc && !mv_format_scalar(v->fmtdesc)) {
        *out = count ? 0 : -1; /* items are tuples: no mv_value equals one */
        return MV_OK;
    }
    unsigned char key[8];
    int kind = int_key(f, size, x, key);
    if (kind == 0) {
        /* Read the first item anyway, as the builtin does (a native
         * integer: only a fault on a mapped owner can stop it). */
        mv_value item;
        (void)mv__view_unpack(v, adjust_ptr((char *)p, sub, 0), &item);
        *out = count ? 0 : -1;
        return MV_OK;
    }
    /* Each item's address from its index: stepping past the last item
     * could leave the address space when the stride is huge. */
    for (mv_ssize i = start; i < stop; i++) {
        p = v->buf + i * stride;
        const char *q = indirect ? adjust_ptr((char *)p, sub, 0) : p;
        bool hit;
        if (kind == 1) {
            hit = size == 1 ? (unsigned char)*q == key[0]
                            : memcmp(q, key, (size_t)size) == 0;
        } else {
            mv_value item;
            int rc = mv__view_unpack(v, q, &item);
            if (rc < 0)
                return rc;
            hit = mv_value_equal(&item, x);
        }
        if (hit) {
            if (!count) {
                *out = i;
                return MV_OK;
            }
            n++;
        }
    }
    *out = count ? n : -1;
    return MV_OK;
}

typedef struct scan_job {
    const mv_view *v;
    const char *f;
    const mv_value *x;
    mv_ssize start, stop, r;
    bool count;
} scan_job;

static int run_scan(void *ctx) {
    scan_job *j = ctx;
    return scan(j->v, j->f, j->x, j->start, j->stop, j->count, &j->r);
}

/* scan() inside v's fault guard (fault.c). */
static int guarded_scan(const mv_view *v, const char *f, const mv_value *x,
                        mv_ssize start, mv_ssize stop, bool count,
                        mv_ssize *out) {
    scan_job j = {v, f, x, start, stop, 0, count};
    int rc = mv__guarded(v, run_scan, &j);
    if (rc == MV_OK)
        *out = j.r;
    return rc;
}

int mv_view_count(const mv_view *v, const mv_value *x, mv_ssize *out) {
    int rc = check_live(v);
    if (rc < 0)
        return rc;
    if (v->ndim == 0)
        return mv_error(MV_ETYPE, "invalid indexing of 0-dim memory");
    if (v->ndim != 1)
        return mv_error(MV_ENOTIMPL,
                        "multi-dimensional sub-views are not implemented");
    const char *f = single_format(v);
    if (!f)
        return MV_ENOTIMPL;
    mv_ssize n = v->shape[0], r = 0;
    if (n == 0) {
        *out = 0;
        return MV_OK;
    }
    unsigned char key[8];
    if (v->itemsize == 1 && !v->suboffsets && v->strides[0] == 1 &&
        byte_key(f, x, key))
        return mv__bytes_count(v, v->buf, n, key[0], out);
    rc = guarded_scan(v, f, x, 0, n, true, &r);
    if (rc == MV_OK)
        *out = r;
    return rc;
}

int mv_view_index(const mv_view *v, const mv_value *x, mv_ssize start,
                  mv_ssize stop, mv_ssize *out) {
    int rc = check_live(v);
    if (rc < 0)
        return rc;
    if (v->ndim == 0)
        return mv_error(MV_ETYPE, "invalid lookup on 0-dim memory");
    if (v->ndim != 1)
        return mv_error(MV_ENOTIMPL,
                        "multi-dimensional lookup is not implemented");
    mv_ssize n = v->shape[0];
    if (start < 0)
        start = start + n < 0 ? 0 : start + n;
    if (stop < 0)
        stop = stop + n < 0 ? 0 : stop + n;
    if (stop > n)
        stop = n;
    if (start > stop)
        start = stop;
    mv_ssize at = -1;
    if (start < stop) {
        const char *f = single_format(v);
        if (!f)
            return MV_ENOTIMPL;
        unsigned char key[8];
        if (v->itemsize == 1 && !v->suboffsets && v->strides[0] == 1 &&
            byte_key(f, x, key)) {
            rc = mv__bytes_find(v, v->buf + start, stop - start, key[0], &at);
            if (rc < 0)
                return rc;
            if (at >= 0)
                at += start;
            goto done;
        }
        rc = guarded_scan(v, f, x, start, stop, false, &at);
        if (rc < 0)
            return rc;
    }
done:
    if (at < 0)
        return mv_error(MV_EVALUE, "memoryview.index(x): x not found");
    *out = at;
    return MV_OK;
}
