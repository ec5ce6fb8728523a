/*
 * format.c -- the table of codes, the rule for '@', and native items:
 * classify, size, pack, unpack. (Formats of several fields are compiled
 * in struct.c, from this table.)
 *
 * A native format is one character of the table below that reads as a
 * value on its own, optionally after '@'. Items are read and written with
 * memcpy, so no alignment is assumed. Packing checks the value against the C
 * type's range before writing a single byte: a refused value leaves the item as
 * it was.
 */
#include "internal.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>

/* ---- the table of codes ---- */

_Static_assert(sizeof(short) == 2 && sizeof(int) == 4 &&
                   sizeof(long long) == 8 && sizeof(float) == 4 &&
                   sizeof(double) == 8,
               "standard sizes are those of short, int, long long");

#define CODE(c, k, ns, na, ss, sn, nn)                                         \
    [c] = {(unsigned char)(ns), (unsigned char)(na), ss, sn, nn, k}
const mv__code mv__codes[128] = {
    CODE('x', MV_KIND_NONE, 1, 1, 1, 0, 0),
    CODE('c', MV_KIND_CHAR, 1, 1, 1, 'c', 'c'),
    CODE('b', MV_KIND_INT, 1, 1, 1, 'b', 'b'),
    CODE('B', MV_KIND_UINT, 1, 1, 1, 'B', 'B'),
    CODE('?', MV_KIND_BOOL, sizeof(_Bool), _Alignof(_Bool), 1, '?', '?'),
    CODE('h', MV_KIND_INT, sizeof(short), _Alignof(short), 2, 'h', 'h'),
    CODE('H', MV_KIND_UINT, sizeof(short), _Alignof(short), 2, 'H', 'H'),
    CODE('i', MV_KIND_INT, sizeof(int), _Alignof(int), 4, 'i', 'i'),
    CODE('I', MV_KIND_UINT, sizeof(int), _Alignof(int), 4, 'I', 'I'),
    CODE('l', MV_KIND_INT, sizeof(long), _Alignof(long), 4, 'i', 'l'),
    CODE('L', MV_KIND_UINT, sizeof(long), _Alignof(long), 4, 'I', 'L'),
    CODE('q', MV_KIND_INT, sizeof(long long), _Alignof(long long), 8, 'q', 'q'),
    CODE('Q', MV_KIND_UINT, sizeof(long long), _Alignof(long long), 8, 'Q',
         'Q'),
    CODE('n', MV_KIND_INT, sizeof(size_t), _Alignof(size_t), 0, 0, 'n'),
    CODE('N', MV_KIND_UINT, sizeof(size_t), _Alignof(size_t), 0, 0, 'N'),
    CODE('e', MV_KIND_FLOAT, 2, _Alignof(short), 2, 'e', 'e'),
    CODE('f', MV_KIND_FLOAT, sizeof(float), _Alignof(float), 4, 'f', 'f'),
    CODE('d', MV_KIND_FLOAT, sizeof(double), _Alignof(double), 8, 'd', 'd'),
    CODE('P', MV_KIND_PTR, sizeof(void *), _Alignof(void *), 0, 0, 'P'),
    CODE('s', MV_KIND_BYTES, 1, 1, 1, 0, 0),
    CODE('p', MV_KIND_BYTES, 1, 1, 1, 0, 0),
};
#undef CODE

/* The one rule for '@': a leading '@' means what no prefix means. */
const char *mv__skip_at(const char *fmt) {
    return fmt[0] == '@' ? fmt + 1 : fmt;
}

/* c is a native single-character item format (the table's codes that
 * read as one value on their own). */
static bool is_native_code(char c) {
    const mv__code *k = mv__code_of(c);
    return k && k->nncode != 0;
}

char mv_format_char(const char *fmt) {
    if (!fmt)
        return 0;
    fmt = mv__skip_at(fmt);
    return fmt[0] != '\0' && fmt[1] == '\0' && is_native_code(fmt[0]) ? fmt[0]
                                                                      : 0;
}

mv_kind mv_format_kind(const char *fmt) {
    char c = mv_format_char(fmt);
    return c ? mv__code_of(c)->kind : MV_KIND_NONE;
}

mv_ssize mv_format_itemsize(const char *fmt) {
    char c = mv_format_char(fmt);
    return c ? mv__code_of(c)->nsize : 0;
}

/* ---- IEEE 754 half precision ('e'), as Python's struct module ---- */

double mv__half_to_double(uint16_t h) {
    int sign = h >> 15;
    int e = (h >> 10) & 0x1f;
    unsigned f = h & 0x3ff;
    double x;
    if (e == 0x1f)
        x = f == 0 ? INFINITY : NAN;
    else if (e == 0)
        x = ldexp((double)f, -24);
    else
        x = ldexp((double)(f | 0x400), e - 25);
    return sign ? -x : x;
}

/* Round to nearest, ties to even; false when |x| is too large. */
static bool double_to_half(double x, uint16_t *out) {
    uint16_t sign = signbit(x) ? 0x8000 : 0;
    if (isnan(x)) {
        *out = sign | 0x7e00;
        return true;
    }
    if (isinf(x)) {
        *out = sign | 0x7c00;
        return true;
    }
    x = fabs(x);
    if (x == 0.0) {
        *out = sign;
        return true;
    }
    int e;
    double f = frexp(x, &e); /* x = f * 2^e, 0.5 <= f < 1 */
    f *= 2.0;
    e--; /* 1 <= f < 2 */
    if (e >= 16)
        return false;
    if (e < -25) {
        f = 0.0;
        e = 0;
    } else if (e < -14) {
        f = ldexp(f, 14 + e); /* subnormal */
        e = 0;
    } else {
        e += 15;
        f -= 1.0;
    }
    f *= 1024.0;
    unsigned bits = (unsigned)f;
    double rest = f - bits;
    if (rest > 0.5 || (rest == 0.5 && (bits & 1))) {
        bits++;
        if (bits == 1024) {
            bits = 0;
            if (++e == 31)
                return false;
        }
    }
    *out = sign | (uint16_t)(e << 10) | (uint16_t)bits;
    return true;
}

/* ---- unpack ---- */

int mv_format_unpack(const char *fmt, const void *ptr, mv_value *out) {
    return mv__unpack_char(mv_format_char(fmt), fmt, ptr, out);
}

int mv__unpack_char(char c, const char *fmt, const void *ptr, mv_value *out) {
    return unpack_native(c, ptr, out) ? MV_OK : mv__format_unsupported(fmt);
}

int mv__format_unsupported(const char *fmt) {
    const char *f = fmt ? mv__skip_at(fmt) : NULL;
    if (!f || f[0] == '\0' || f[1] != '\0')
        return mv_error(MV_ENOTIMPL, "memoryview: unsupported format %s",
                        fmt ? fmt : "(null)");
    return mv_error(MV_ENOTIMPL, "memoryview: format %s not supported", f);
}

/* ---- pack ---- */

static int bad_type(const char *name) {
    return mv_error(MV_ETYPE, "memoryview: invalid type for format '%s'", name);
}
static int bad_value(const char *name) {
    return mv_error(MV_EVALUE, "memoryview: invalid value for format '%s'",
                    name);
}

/* The integer in val as a signed (wide) value within [lo, hi]. */
static int get_signed(const char *c, const mv_value *val, int64_t lo,
                      int64_t hi, int64_t *out) {
    switch (val->type) {
    case MV_VAL_INT:
    case MV_VAL_BOOL:
        if (val->i < lo || val->i > hi)
            return bad_value(c);
        *out = val->i;
        return MV_OK;
    case MV_VAL_UINT:
        if (val->u > (uint64_t)hi)
            return bad_value(c);
        *out = (int64_t)val->u;
        return MV_OK;
    case MV_VAL_BIGINT: return bad_value(c);
    default: return bad_type(c);
    }
}

static int get_unsigned(const char *c, const mv_value *val, uint64_t hi,
                        uint64_t *out) {
    switch (val->type) {
    case MV_VAL_INT:
    case MV_VAL_BOOL:
        if (val->i < 0 || (uint64_t)val->i > hi)
            return bad_value(c);
        *out = (uint64_t)val->i;
        return MV_OK;
    case MV_VAL_UINT:
        if (val->u > hi)
            return bad_value(c);
        *out = val->u;
        return MV_OK;
    case MV_VAL_BIGINT: return bad_value(c);
    default: return bad_type(c);
    }
}

static int get_double(const char *c, const mv_value *val, double *out) {
    switch (val->type) {
    case MV_VAL_FLOAT: *out = val->f; return MV_OK;
    case MV_VAL_INT:
    case MV_VAL_BOOL: *out = (double)val->i; return MV_OK;
    case MV_VAL_UINT: *out = (double)val->u; return MV_OK;
    case MV_VAL_BIGINT: return bad_value(c);
    default: return bad_type(c);
    }
}

#define STORE(type, ptr, v)                                                    \
    do {                                                                       \
        type x_ = (type)(v);                                                   \
        memcpy((ptr), &x_, sizeof x_);                                         \
    } while (0)

static int pack_signed(char c, const char *name, void *ptr,
                       const mv_value *val) {
    int64_t x = 0;
    int rc;
    switch (c) {
    case 'b':
        if ((rc = get_signed(name, val, SCHAR_MIN, SCHAR_MAX, &x)) < 0)
            return rc;
        STORE(signed char, ptr, x);
        break;
    case 'h':
        if ((rc = get_signed(name, val, SHRT_MIN, SHRT_MAX, &x)) < 0)
            return rc;
        STORE(short, ptr, x);
        break;
    case 'i':
        if ((rc = get_signed(name, val, INT_MIN, INT_MAX, &x)) < 0)
            return rc;
        STORE(int, ptr, x);
        break;
    case 'l':
        if ((rc = get_signed(name, val, LONG_MIN, LONG_MAX, &x)) < 0)
            return rc;
        STORE(long, ptr, x);
        break;
    case 'q':
        if ((rc = get_signed(name, val, LLONG_MIN, LLONG_MAX, &x)) < 0)
            return rc;
        STORE(long long, ptr, x);
        break;
    default: /* 'n' */
        if ((rc = get_signed(name, val, PTRDIFF_MIN, PTRDIFF_MAX, &x)) < 0)
            return rc;
        STORE(ptrdiff_t, ptr, x);
        break;
    }
    return MV_OK;
}

static int pack_unsigned(char c, const char *name, void *ptr,
                         const mv_value *val) {
    uint64_t x = 0;
    int rc;
    switch (c) {
    case 'B':
        if ((rc = get_unsigned(name, val, UCHAR_MAX, &x)) < 0)
            return rc;
        STORE(unsigned char, ptr, x);
        break;
    case 'H':
        if ((rc = get_unsigned(name, val, USHRT_MAX, &x)) < 0)
            return rc;
        STORE(unsigned short, ptr, x);
        break;
    case 'I':
        if ((rc = get_unsigned(name, val, UINT_MAX, &x)) < 0)
            return rc;
        STORE(unsigned int, ptr, x);
        break;
    case 'L':
        if ((rc = get_unsigned(name, val, ULONG_MAX, &x)) < 0)
            return rc;
        STORE(unsigned long, ptr, x);
        break;
    case 'Q':
        if ((rc = get_unsigned(name, val, ULLONG_MAX, &x)) < 0)
            return rc;
        STORE(unsigned long long, ptr, x);
        break;
    default: /* 'N' */
        if ((rc = get_unsigned(name, val, SIZE_MAX, &x)) < 0)
            return rc;
        STORE(size_t, ptr, x);
        break;
    }
    return MV_OK;
}

static int pack_float(char c, const char *name, void *ptr,
                      const mv_value *val) {
    double d = 0.0;
    int rc = get_double(name, val, &d);
    if (rc < 0)
        return rc;
    if (c == 'd') {
        STORE(double, ptr, d);
    } else if (c == 'f') {
        /* IEC 60559 conversion: out of float's range gives an infinity,
         * as Python's struct module does for native 'f'. */
        float f = (float)d;
        STORE(float, ptr, f);
    } else {
        uint16_t h;
        if (!double_to_half(d, &h))
            return bad_value(name);
        STORE(uint16_t, ptr, h);
    }
    return MV_OK;
}

static int pack_bool(const char *name, void *ptr, const mv_value *val) {
    unsigned char b;
    switch (val->type) {
    case MV_VAL_INT:
    case MV_VAL_BOOL: b = val->i != 0; break;
    case MV_VAL_UINT: b = val->u != 0; break;
    case MV_VAL_BIGINT: b = 1; break;
    case MV_VAL_FLOAT: b = val->f != 0.0; break;
    case MV_VAL_BYTES: b = val->s.len != 0; break;
    default: return bad_type(name);
    }
    memcpy(ptr, &b, 1);
    return MV_OK;
}

static int pack_pointer(const char *name, void *ptr, const mv_value *val) {
    uintptr_t p;
    switch (val->type) {
    case MV_VAL_INT:
    case MV_VAL_BOOL: p = (uintptr_t)val->i; break;
    case MV_VAL_UINT:
        if (val->u > UINTPTR_MAX)
            return bad_value(name);
        p = (uintptr_t)val->u;
        break;
    case MV_VAL_BIGINT: return bad_value(name);
    default: return bad_type(name);
    }
    STORE(uintptr_t, ptr, p);
    return MV_OK;
}

int mv__pack_named(const char *fmt, const char *name, void *ptr,
                   const mv_value *val) {
    char c = mv_format_char(fmt);
    switch (c ? mv__code_of(c)->kind : MV_KIND_NONE) {
    case MV_KIND_INT: return pack_signed(c, name, ptr, val);
    case MV_KIND_UINT: return pack_unsigned(c, name, ptr, val);
    case MV_KIND_FLOAT: return pack_float(c, name, ptr, val);
    case MV_KIND_BOOL: return pack_bool(name, ptr, val);
    case MV_KIND_PTR: return pack_pointer(name, ptr, val);
    case MV_KIND_CHAR:
        if (val->type != MV_VAL_BYTES)
            return bad_type(name);
        if (val->s.len != 1)
            return bad_value(name);
        memcpy(ptr, val->s.ptr, 1);
        return MV_OK;
    default: return mv__format_unsupported(fmt);
    }
}

int mv_format_pack(const char *fmt, void *ptr, const mv_value *val) {
    char name[2] = {mv_format_char(fmt), '\0'};
    return mv__pack_named(fmt, name, ptr, val);
}
