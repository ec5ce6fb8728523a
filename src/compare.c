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

int mv_value_equal(const mv_value *a, const mv_value *b) {
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
 * Formats as Python's struct module reads them
 *
 * Used when either side's format is not a native single character. A plan
 * is a list of fields, each `count` elements of one code; 's' and 'p' are
 * one bytes value of `count` bytes, 'x' is padding with no value. Native
 * mode ('@' or no prefix) uses native sizes and alignment; '=', '<', '>'
 * and '!' use standard sizes, no alignment, and the given byte order.
 * ------------------------------------------------------------------------ */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_ORDER '>'
#else
#define HOST_ORDER '<'
#endif

typedef struct sfield {
    char code;
    mv_ssize count;  /* elements, or bytes for 's', 'p', 'x' */
    mv_ssize size;   /* bytes per element ('s', 'p', 'x': 1) */
    mv_ssize offset; /* of the first element within an item */
} sfield;

typedef struct splan {
    sfield *fields;
    int nfields;
    char order;       /* '@' native, '<' or '>' standard */
    mv_ssize size;    /* struct.calcsize */
    mv_ssize nvalues; /* values an item unpacks to */
} splan;

enum { PLAN_OK = 0, PLAN_BAD = 1 }; /* PLAN_BAD: struct.error */

static bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

/* Size and alignment of code c in native (std == false) or standard mode;
 * false for a code the mode does not know. */
static bool code_info(char c, bool std, mv_ssize *size, mv_ssize *align) {
    mv_ssize s = 0, a = 0;
    switch (c) {
    case 'x':
    case 'c':
    case 'b':
    case 'B':
    case 's':
    case 'p': s = 1; break;
    case '?':
        s = 1;
        a = (mv_ssize) _Alignof(_Bool);
        break;
    case 'h':
    case 'H':
        s = std ? 2 : (mv_ssize)sizeof(short);
        a = (mv_ssize) _Alignof(short);
        break;
    case 'e':
        s = 2;
        a = (mv_ssize) _Alignof(short);
        break;
    case 'i':
    case 'I':
        s = std ? 4 : (mv_ssize)sizeof(int);
        a = (mv_ssize) _Alignof(int);
        break;
    case 'l':
    case 'L':
        s = std ? 4 : (mv_ssize)sizeof(long);
        a = (mv_ssize) _Alignof(long);
        break;
    case 'q':
    case 'Q':
        s = std ? 8 : (mv_ssize)sizeof(long long);
        a = (mv_ssize) _Alignof(long long);
        break;
    case 'f':
        s = 4;
        a = (mv_ssize) _Alignof(float);
        break;
    case 'd':
        s = 8;
        a = (mv_ssize) _Alignof(double);
        break;
    case 'n':
    case 'N':
        if (std)
            return false;
        s = (mv_ssize)sizeof(size_t);
        a = (mv_ssize) _Alignof(size_t);
        break;
    case 'P':
        if (std)
            return false;
        s = (mv_ssize)sizeof(void *);
        a = (mv_ssize) _Alignof(void *);
        break;
    default: return false;
    }
    *size = s;
    *align = std ? 0 : a;
    return true;
}

static void plan_free(splan *p) {
    free(p->fields);
    p->fields = NULL;
}

/* Parse fmt into p: MV_OK, PLAN_BAD for a format struct rejects, or a
 * negative status. */
static int plan_parse(const char *fmt, splan *p) {
    const char *s = fmt;
    bool std = true;
    p->order = HOST_ORDER;
    switch (*s) {
    case '@':
        std = false;
        s++;
        break;
    case '=': s++; break;
    case '<':
        p->order = '<';
        s++;
        break;
    case '>':
    case '!':
        p->order = '>';
        s++;
        break;
    default: std = false; break;
    }
    if (!std)
        p->order = '@';
    size_t cap = strlen(s) + 1;
    p->fields = malloc(cap * sizeof *p->fields);
    if (!p->fields)
        return mv_error(MV_ENOMEM, "%s", "");
    p->nfields = 0;
    p->size = 0;
    p->nvalues = 0;
    while (*s) {
        if (is_space(*s)) {
            s++;
            continue;
        }
        mv_ssize num = 1;
        if (*s >= '0' && *s <= '9') {
            num = 0;
            while (*s >= '0' && *s <= '9') {
                if (num > (MV_SSIZE_MAX - (*s - '0')) / 10)
                    goto bad; /* "total struct size too long" */
                num = num * 10 + (*s - '0');
                s++;
            }
            if (!*s)
                goto bad; /* "repeat count given without format specifier" */
        }
        char c = *s++;
        mv_ssize size, align;
        if (!code_info(c, std, &size, &align))
            goto bad; /* "bad char in struct format" */
        mv_ssize total = p->size;
        if (align && total > 0) {
            mv_ssize extra = (align - 1) - (total - 1) % align;
            if (add_overflows(total, extra, &total))
                goto bad;
        }
        mv_ssize bytes;
        if (mul_overflows(num, size, &bytes) ||
            add_overflows(total, bytes, &p->size))
            goto bad;
        sfield *f = &p->fields[p->nfields++];
        f->code = c;
        f->count = num;
        f->size = size;
        f->offset = total;
        if (c == 's' || c == 'p')
            p->nvalues++;
        else if (c != 'x')
            p->nvalues += num; /* <= p->size: no overflow */
    }
    return MV_OK;
bad:
    plan_free(p);
    return PLAN_BAD;
}

/* Element k of field f of the item at item, as a value. */
static void plan_element(const splan *p, const sfield *f, mv_ssize k,
                         const char *item, mv_value *out) {
    const unsigned char *q = (const unsigned char *)item + f->offset;
    if (f->code == 's') {
        out->type = MV_VAL_BYTES;
        out->s.ptr = (const char *)q;
        out->s.len = f->count;
        return;
    }
    if (f->code == 'p') {
        mv_ssize n = f->count > 0 ? q[0] : 0;
        if (f->count > 0 && n >= f->count)
            n = f->count - 1;
        out->type = MV_VAL_BYTES;
        out->s.ptr = (const char *)q + 1;
        out->s.len = n;
        return;
    }
    q += k * f->size;
    char fmt[2] = {f->code, '\0'};
    if (f->code == 'c' || f->code == '?' || p->order == '@') {
        mv_unpack(fmt, q, out);
        return;
    }
    /* Standard size: bring the bytes into host order, then read them as
     * the C type of that size. */
    unsigned char b[8];
    for (mv_ssize i = 0; i < f->size; i++)
        b[i] = p->order == HOST_ORDER ? q[i] : q[f->size - 1 - i];
    bool is_signed = f->code == 'b' || f->code == 'h' || f->code == 'i' ||
                     f->code == 'l' || f->code == 'q';
    switch (f->code) {
    case 'e': mv_unpack("e", b, out); return;
    case 'f': {
        float x;
        memcpy(&x, b, 4);
        out->type = MV_VAL_FLOAT;
        out->f = x;
        return;
    }
    case 'd':
        out->type = MV_VAL_FLOAT;
        memcpy(&out->f, b, 8);
        return;
    default: break;
    }
    int64_t sv = 0;
    uint64_t uv = 0;
    switch (f->size) {
    case 1: {
        int8_t s8;
        memcpy(&s8, b, 1);
        sv = s8;
        uv = b[0];
        break;
    }
    case 2: {
        int16_t s16;
        uint16_t u16;
        memcpy(&s16, b, 2);
        memcpy(&u16, b, 2);
        sv = s16;
        uv = u16;
        break;
    }
    case 4: {
        int32_t s32;
        uint32_t u32;
        memcpy(&s32, b, 4);
        memcpy(&u32, b, 4);
        sv = s32;
        uv = u32;
        break;
    }
    default:
        memcpy(&sv, b, 8);
        memcpy(&uv, b, 8);
        break;
    }
    if (is_signed) {
        out->type = MV_VAL_INT;
        out->i = sv;
    } else {
        out->type = MV_VAL_UINT;
        out->u = uv;
    }
}

/* Walks the values of one item. */
typedef struct cursor {
    const splan *p;
    const char *item;
    int field;
    mv_ssize k;
} cursor;

static bool cursor_next(cursor *c, mv_value *out) {
    while (c->field < c->p->nfields) {
        const sfield *f = &c->p->fields[c->field];
        mv_ssize n = (f->code == 's' || f->code == 'p') ? 1
                     : f->code == 'x'                   ? 0
                                                        : f->count;
        if (c->k < n) {
            plan_element(c->p, f, c->k++, c->item, out);
            return true;
        }
        c->field++;
        c->k = 0;
    }
    return false;
}

/* The items at x (plan a) and y (plan b) unpack to equal tuples. Plans
 * of different value counts were weeded out before. */
static bool plan_items_equal(const splan *a, const char *x, const splan *b,
                             const char *y) {
    cursor ca = {a, x, 0, 0}, cb = {b, y, 0, 0};
    mv_value va, vb;
    while (cursor_next(&ca, &va)) {
        if (!cursor_next(&cb, &vb) || !mv_value_equal(&va, &vb))
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
    const splan *pa, *pb;
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
        mv_unpack(c->fa, x, &u);
        mv_unpack(c->fb, y, &v);
        return mv_value_equal(&u, &v);
    }
    default: return plan_items_equal(c->pa, x, c->pb, y);
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
        case 8: RAW_ROW(uint64_t);
        default: break;
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
    if (a->len == 0 || b->len == 0) /* no items: strides never checked */
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
    return (mv_is_c_contiguous(a) && mv_is_c_contiguous(b)) ||
           (mv_is_f_contiguous(a) && mv_is_f_contiguous(b));
}

static bool native_of_size(const mv_view *v, char c) {
    return c && mv_format_itemsize(v->format) == v->itemsize;
}

static bool views_equal(const cmp *c, const mv_view *a, const mv_view *b) {
    if (a->ndim == 0)
        return items_equal(c, a->buf, b->buf);
    return dims_equal(c, a, b, 0, a->buf, b->buf);
}

static mv_ssize nitems(const mv_view *v) {
    return v->itemsize > 0 ? v->len / v->itemsize : 0;
}

/* Python's struct path: both formats parsed; unparsable means unequal. */
static int struct_equal(const mv_view *a, const mv_view *b, int *eq) {
    splan pa, pb;
    int rc = plan_parse(a->format, &pa);
    if (rc != MV_OK) {
        if (rc == PLAN_BAD) {
            *eq = 0;
            return MV_OK;
        }
        return rc;
    }
    rc = plan_parse(b->format, &pb);
    if (rc != MV_OK) {
        plan_free(&pa);
        if (rc == PLAN_BAD) {
            *eq = 0;
            return MV_OK;
        }
        return rc;
    }
    if (nitems(a) > 0) {
        const mv_view *v = pa.size > a->itemsize ? a : b;
        const splan *p = v == a ? &pa : &pb;
        if (p->size > v->itemsize) {
            rc = mv_error(MV_EVALUE,
                          "unpack_from requires a buffer of at least %td "
                          "bytes for unpacking %td bytes at offset 0 (actual "
                          "buffer size is %td)",
                          p->size, p->size, v->itemsize);
        } else if (pa.nvalues != pb.nvalues) {
            *eq = 0;
        } else {
            cmp c = {.mode = CMP_STRUCT, .pa = &pa, .pb = &pb};
            *eq = views_equal(&c, a, b);
        }
    } else {
        *eq = 1;
    }
    plan_free(&pa);
    plan_free(&pb);
    return rc;
}

int mv_view_equal(const mv_view *a, const mv_view *b, int *eq) {
    if (mv_is_released(a) || mv_is_released(b)) {
        *eq = a == b;
        return MV_OK;
    }
    if (!view_equiv_shape(a, b)) {
        *eq = 0;
        return MV_OK;
    }
    char ca = mv_format_char(a->format), cb = mv_format_char(b->format);
    if (!native_of_size(a, ca) || !native_of_size(b, cb))
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
            if (same_contiguous_order(a, b)) {
                *eq =
                    a->len == 0 || memcmp(a->buf, b->buf, (size_t)a->len) == 0;
                return MV_OK;
            }
            break;
        }
    }
    *eq = views_equal(&c, a, b);
    return MV_OK;
}

/* ------------------------------------------------------------------------
 * Hash
 * ------------------------------------------------------------------------ */

/* FNV-1a, for callers that bring no hash function of their own. */
static int64_t default_hash(const void *data, mv_ssize len, void *ctx) {
    (void)ctx;
    const unsigned char *p = data;
    uint64_t h = 14695981039346656037u;
    for (mv_ssize i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211u;
    }
    return (int64_t)(h >> 1);
}

int mv_view_hash(mv_view *v, mv_hash_fn fn, void *ctx, int64_t *out) {
    if (v->flags & MV_HASHED) {
        *out = v->hash;
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
    if (!mv_is_c_contiguous(v) && v->len > 0) {
        tmp = malloc((size_t)v->len);
        if (!tmp)
            return mv_error(MV_ENOMEM, "%s", "");
        copy_to_contiguous(tmp, v, MV_ORDER_C);
        mem = tmp;
    }
    int64_t h = (fn ? fn : default_hash)(mem, v->len, ctx);
    free(tmp);
    v->hash = h;
    v->flags |= MV_HASHED;
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

/* The single format character of v ('@' stripped) or NULL after setting
 * "memoryview: unsupported format F". */
static const char *single_format(const mv_view *v) {
    const char *f = v->format[0] == '@' ? v->format + 1 : v->format;
    if (f[0] && !f[1])
        return f;
    format_unsupported(v->format);
    return NULL;
}

/* x as the bytes of an item of integer format f (native, itemsize size):
 * 1 when x is an integer in f's range (key then holds the item's bytes),
 * 0 when x equals no item, -1 when items must be compared one by one. */
static int int_key(const char *f, mv_ssize size, const mv_value *x,
                   unsigned char *key) {
    mv_kind k = mv_format_kind(f);
    if ((k != MV_KIND_INT && k != MV_KIND_UINT && k != MV_KIND_PTR) || size > 8)
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
    for (unsigned i = 0; i < (unsigned)size; i++) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        key[size - 1 - i] = (unsigned char)(mag >> (8 * i));
#else
        key[i] = (unsigned char)(mag >> (8 * i));
#endif
    }
    return 1;
}

/* Index of the first item in [start, stop) of 1-D v equal to x, or -1. */
static int scan(const mv_view *v, const char *f, const mv_value *x,
                mv_ssize start, mv_ssize stop, bool count, mv_ssize *out) {
    mv_ssize n = 0, stride = v->strides[0], size = v->itemsize;
    const mv_ssize *sub = v->suboffsets;
    bool indirect = sub && sub[0] >= 0;
    if (start >= stop) {
        *out = count ? 0 : -1;
        return MV_OK;
    }
    const char *p = v->buf + start * stride;
    unsigned char key[8];
    int kind = int_key(f, size, x, key);
    if (kind == 0) {
        /* Read the first item anyway: it may be unreadable. */
        mv_value item;
        int rc = mv_unpack(f, adjust_ptr((char *)p, sub, 0), &item);
        if (rc < 0)
            return rc;
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
            int rc = mv_unpack(f, q, &item);
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
    if (v->itemsize == 1 && !v->suboffsets && v->strides[0] == 1 && n > 0) {
        unsigned char key[8];
        if (int_key(f, 1, x, key) == 1 ||
            (f[0] == 'c' && x->type == MV_VAL_BYTES && x->s.len == 1 &&
             (key[0] = (unsigned char)x->s.ptr[0], true))) {
            const unsigned char *p = (const unsigned char *)v->buf;
            for (mv_ssize i = 0; i < n; i++)
                r += p[i] == key[0];
            *out = r;
            return MV_OK;
        }
    }
    rc = scan(v, f, x, 0, n, true, &r);
    if (rc == MV_OK)
        *out = r;
    return rc;
}

int mv_view_find(const mv_view *v, const mv_value *x, mv_ssize start,
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
        if (v->itemsize == 1 && !v->suboffsets && v->strides[0] == 1) {
            unsigned char key[8];
            if (int_key(f, 1, x, key) == 1 ||
                (f[0] == 'c' && x->type == MV_VAL_BYTES && x->s.len == 1 &&
                 (key[0] = (unsigned char)x->s.ptr[0], true))) {
                const char *hit =
                    memchr(v->buf + start, key[0], (size_t)(stop - start));
                at = hit ? hit - v->buf : -1;
                goto done;
            }
        }
        rc = scan(v, f, x, start, stop, false, &at);
        if (rc < 0)
            return rc;
    }
done:
    if (at < 0)
        return mv_error(MV_EVALUE, "memoryview.index(x): x not found");
    *out = at;
    return MV_OK;
}
