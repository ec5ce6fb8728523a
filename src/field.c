/*
 * field.c -- fields of a view's items, by name or position.
 *
 * A field is resolved once into an mv_fieldref: the scalar field, its
 * offset from the start of an item (through nested records) and the inline
 * load that reads it (memview.h's mv_view_get_field). Reads and writes then go
 * straight to the bytes: no copy, no allocation.
 *
 * The one rule for naming a field, for C, Python and the CLI:
 *
 *   1. The item's record is the top level of the format, or, when the
 *      format is one unnamed record ("T{...}", as NumPy exports its
 *      structured dtypes), that record's fields (mv__item_record).
 *   2. A name is a path through it, NumPy's: "outer.b" is field b of the
 *      record field outer (of one element).
 *   3. A name without a dot that is no field of the item's record may
 *      name a leaf of a nested record when exactly one leaf has it.
 *   4. Positions count the fields of the item's record (padding is none).
 *
 * mv_view_field_view() makes a view of a field (any field, records too):
 * its format, the view's shape followed by the field's own, the field's
 * bytes in the same memory.
 */
#include "internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const mv_format *mv__item_record(const mv_format *f, mv_ssize *base) {
    *base = 0;
    while (f->nfields == 1 && f->fields[0].kind == MV_KIND_RECORD &&
           f->fields[0].count == 1 && f->fields[0].name == NULL) {
        *base += f->fields[0].offset;
        f = f->fields[0].sub;
    }
    return f;
}

/* The field of rec named seg[0, len), or NULL. */
static const mv_field *named(const mv_format *rec, const char *seg,
                             size_t len) {
    for (int i = 0; i < rec->nfields; i++) {
        const char *n = rec->fields[i].name;
        if (n && strlen(n) == len && memcmp(n, seg, len) == 0)
            return &rec->fields[i];
    }
    return NULL;
}

/* Rule 3: the leaves named name under rec (records of one element), the
 * last one found in *fd and *off; returns how many. */
static int leaves(const mv_format *rec, const char *name, mv_ssize base,
                  const mv_field **fd, mv_ssize *off) {
    int n = 0;
    for (int i = 0; i < rec->nfields; i++) {
        const mv_field *f = &rec->fields[i];
        if (f->kind == MV_KIND_RECORD && f->count == 1) {
            n += leaves(f->sub, name, base + f->offset, fd, off);
        } else if (f->name && strcmp(f->name, name) == 0) {
            *fd = f;
            *off = base + f->offset;
            n++;
        }
    }
    return n;
}

int mv__field_lookup(const mv_format *f, const char *name, const mv_field **fd,
                     mv_ssize *offset) {
    mv_ssize base;
    const mv_format *rec = mv__item_record(f, &base);
    const char *seg = name;
    for (;;) {
        const char *dot = strchr(seg, '.');
        size_t len = dot ? (size_t)(dot - seg) : strlen(seg);
        const mv_field *x = named(rec, seg, len);
        if (x && !dot) {
            *fd = x;
            *offset = base + x->offset;
            return MV_OK;
        }
        if (!x || x->kind != MV_KIND_RECORD || x->count != 1)
            break;
        base += x->offset;
        rec = x->sub;
        seg = dot + 1;
    }
    if (seg == name && !strchr(name, '.')) {
        const mv_field *x = NULL;
        mv_ssize off = 0;
        if (leaves(rec, name, base, &x, &off) == 1) {
            *fd = x;
            *offset = off;
            return MV_OK;
        }
    }
    return mv_error(MV_EVALUE, "no field of name %s", name);
}

static mv_load load_of(const mv_field *f) {
    mv_load l = MV_LOAD_CALL;
    if (f->kind == MV_KIND_INT || f->kind == MV_KIND_UINT) {
        bool u = f->kind == MV_KIND_UINT;
        switch (f->size) { /* an integer field has 1, 2, 4 or 8 bytes */
        case 1: l = u ? MV_LOAD_U8 : MV_LOAD_I8; break;
        case 2: l = u ? MV_LOAD_U16 : MV_LOAD_I16; break;
        case 4: l = u ? MV_LOAD_U32 : MV_LOAD_I32; break;
        default: l = u ? MV_LOAD_U64 : MV_LOAD_I64; break; /* 8 */
        }
    } else if (f->kind == MV_KIND_FLOAT && f->size == 4) {
        l = MV_LOAD_F32;
    } else if (f->kind == MV_KIND_FLOAT && f->size == 8) {
        l = MV_LOAD_F64;
    }
    if (l != MV_LOAD_CALL && f->swap)
        l = (mv_load)(l + MV_LOAD_SWAPPED);
    return l;
}

static int make_ref(const mv_field *fd, mv_ssize offset, const char *name,
                    mv_fieldref *out) {
    if (fd->kind == MV_KIND_RECORD)
        return mv_error(MV_EVALUE, "field '%s' is a record", name);
    out->field = fd;
    out->offset = offset;
    out->load = load_of(fd);
    return MV_OK;
}

/* The compiled format of v, after the checks item access makes. */
static int view_format(const mv_view *v, const mv_format **f) {
    int rc = mv_view_check_item(v);
    if (rc < 0)
        return rc;
    if (!v->fmtdesc) /* a single character that does not compile */
        return mv__format_unsupported(v->format);
    *f = v->fmtdesc;
    return MV_OK;
}

int mv_view_field(const mv_view *v, const char *name, mv_fieldref *out) {
    const mv_format *f = NULL;
    int rc = view_format(v, &f);
    const mv_field *fd;
    mv_ssize offset;
    if (rc == MV_OK)
        rc = mv__field_lookup(f, name, &fd, &offset);
    if (rc < 0)
        return rc;
    return make_ref(fd, offset, name, out);
}

int mv_view_field_at(const mv_view *v, int pos, mv_fieldref *out) {
    const mv_format *f = NULL;
    int rc = view_format(v, &f);
    if (rc < 0)
        return rc;
    mv_ssize base;
    const mv_format *rec = mv__item_record(f, &base);
    if (pos < 0 || pos >= rec->nfields)
        return mv_error(MV_EINDEX, "field index out of range");
    char name[24];
    snprintf(name, sizeof name, "#%d", pos);
    const mv_field *fd = &rec->fields[pos];
    return make_ref(fd, base + fd->offset, name, out);
}

int mv_fieldref_element(const mv_fieldref *r, mv_ssize k, mv_fieldref *out) {
    if (k < 0 || k >= r->field->count)
        return mv_error(MV_EINDEX, "field element index out of range");
    out->field = r->field;
    out->offset = r->offset + k * r->field->size; /* inside the item */
    out->load = r->load;
    return MV_OK;
}

/* The field's bytes lie inside v's items (a reference made for another
 * view could reach past them). */
static int check_fits(const mv_view *v, const mv_fieldref *r) {
    if (r->offset < 0 || r->field->size > v->itemsize ||
        r->offset > v->itemsize - r->field->size)
        return mv_error(MV_EVALUE,
                        "field reference does not fit the view's items");
    return MV_OK;
}

int mv_view_get_field_any(const mv_view *v, mv_ssize index,
                          const mv_fieldref *r, mv_value *out) {
    int rc = mv_view_check_item(v);
    char *p;
    if (rc == MV_OK)
        rc = check_fits(v, r);
    if (rc == MV_OK)
        rc = mv_view_item_ptr(v, index, &p);
    if (rc < 0)
        return rc;
    return mv__field_read(r->field, p + r->offset, out);
}

int mv_view_set_field(mv_view *v, mv_ssize index, const mv_fieldref *r,
                      const mv_value *val) {
    int rc = mv_view_check_assign(v, val == NULL);
    char *p;
    if (rc == MV_OK)
        rc = check_fits(v, r);
    if (rc == MV_OK)
        rc = mv_view_item_ptr(v, index, &p);
    if (rc < 0)
        return rc;
    return mv__field_write(r->field, p + r->offset, val);
}

int mv__records_refused(const char *format, const mv_format *rec) {
    char names[160];
    size_t len = 0;
    names[0] = '\0';
    for (int i = 0; i < rec->nfields && len < sizeof names / 2; i++) {
        const char *n = rec->fields[i].name;
        int k = snprintf(names + len, sizeof names - len, "%s'%s'",
                         len ? ", " : "", n ? n : "");
        len += (size_t)k; /* a name is at most a few dozen bytes short */
    }
    return mv_error(MV_ETYPE,
                    "cannot reduce items of format %s: they are records of "
                    "fields %s; reduce a field (m['name'])",
                    format, names);
}

/* ------------------------------------------------------------------------
 * Field views
 * ------------------------------------------------------------------------ */

/* A growing format text; on overflow of the allocation, len keeps counting
 * and ok is cleared (the caller reports MV_ENOMEM). */
typedef struct text {
    char *s;
    size_t len, cap;
    bool ok;
} text;

static void put(text *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (!t->ok) /* n >= 0: the conversions are %td, %c and %s */
        return;
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = 2 * (t->len + (size_t)n + 1);
        char *s = realloc(t->s, cap);
        if (!s) {
            t->ok = false;
            return;
        }
        t->s = s;
        t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static void put_record(text *t, const mv_format *rec);

/* The byte order character of f inside a record: its own when it has a
 * standard size; for a native field, '=' (no alignment: the record's
 * offsets are explicit) unless its size is native only ('l' of 8 bytes,
 * 'n', 'P'), which takes '@'. */
static char inner_order(const mv_field *f) {
    if (f->std)
        return f->order;
    bool z = f->code == 'Z';
    const mv__code *c = mv__code_of(z ? f->ncode : f->code);
    return c->ssize == (z ? f->size / 2 : f->size) ? '=' : '@';
}

/* The format text of repeat elements of f (no shape): byte order, count,
 * code; inner: inside a record. */
static void put_elem(text *t, const mv_field *f, mv_ssize repeat, bool inner) {
    if (f->code == 's' || f->code == 'p') { /* the count is the length */
        put(t, "%td%c", f->size, f->code);
        return;
    }
    if (f->kind != MV_KIND_RECORD)
        put(t, "%c", inner ? inner_order(f) : f->std ? f->order : '@');
    if (repeat != 1)
        put(t, "%td", repeat);
    if (f->kind == MV_KIND_RECORD) {
        put(t, "T{");
        put_record(t, f->sub);
        put(t, "}");
    } else if (f->code == 'Z') {
        put(t, "Z%c", f->ncode);
    } else {
        put(t, "%c", f->code);
    }
}

/* The fields of rec, with explicit padding, as the inside of "T{...}". */
static void put_record(text *t, const mv_format *rec) {
    mv_ssize pos = 0;
    for (int i = 0; i < rec->nfields; i++) {
        const mv_field *f = &rec->fields[i];
        if (f->offset > pos)
            put(t, "%tdx", f->offset - pos);
        if (f->ndim) {
            put(t, "(");
            for (int d = 0; d < f->ndim; d++)
                put(t, d ? ",%td" : "%td", f->shape[d]);
            put(t, ")");
        }
        put_elem(t, f, f->repeat, true);
        if (f->name)
            put(t, ":%s:", f->name);
        pos = f->offset + f->size * f->count;
    }
    if (rec->itemsize > pos)
        put(t, "%tdx", rec->itemsize - pos);
}

/* The dimensions a field adds (NumPy's subarray shape): its repeat count
 * (not for 's' and 'p', whose count is their length) and its shape. */
static int field_dims(const mv_field *f, mv_ssize *dims) {
    int n = 0;
    if (f->repeat != 1 && f->code != 's' && f->code != 'p')
        dims[n++] = f->repeat;
    for (int d = 0; d < f->ndim; d++)
        dims[n++] = f->shape[d];
    return n;
}

/* Is v a view of records (the only kind of view with named fields)? */
static bool is_record(const mv_format *f) {
    mv_ssize base;
    const mv_format *rec = mv__item_record(f, &base);
    if (rec != f || rec->nfields > 1)
        return true;
    return rec->nfields == 1 && rec->fields[0].kind == MV_KIND_RECORD;
}

int mv_view_field_view(mv_view *dst, const mv_view *src, const char *name) {
    int rc = check_live(src);
    const mv_format *f = src->fmtdesc;
    if (rc == MV_OK && (!f || !is_record(f)))
        rc = mv_error(MV_ETYPE, "format %s has no fields", src->format);
    const mv_field *fd = NULL;
    mv_ssize offset = 0, dims[MV_MAXDIM];
    if (rc == MV_OK)
        rc = mv__field_lookup(f, name, &fd, &offset);
    int extra = 0;
    /* fd->ndim < 2^30: each dimension takes two characters of a text
     * shorter than 2^31 */
    if (rc == MV_OK && src->ndim + fd->ndim + 1 > MV_MAXDIM)
        rc = mv_error(MV_EVALUE, "field %s adds too many dimensions", name);
    if (rc == MV_OK)
        extra = field_dims(fd, dims);
    text t = {NULL, 0, 0, true};
    const mv_format *desc = NULL;
    if (rc == MV_OK) {
        put_elem(&t, fd, 1, false);
        rc = t.ok ? mv_format_compile(&desc, t.s)
                  : mv_error(MV_ENOMEM, "cannot allocate a format");
    }
    free(t.s);
    if (rc == MV_OK && desc->itemsize != fd->size) { /* a packed record */
        mv_format_release(desc);
        rc = mv_error(MV_ENOTIMPL, "cannot view field %s of format %s", name,
                      src->format);
    }
    if (rc < 0) {
        mv__view_set_released(dst);
        return rc;
    }
    int ndim = src->ndim + extra;
    mv_ssize shape[MV_MAXDIM], strides[MV_MAXDIM], subs[MV_MAXDIM];
    char *buf = src->buf;
    mv_ssize step = fd->size;
    for (int i = ndim - 1; i >= src->ndim; i--) {
        shape[i] = dims[i - src->ndim];
        strides[i] = step;
        subs[i] = -1;
        step *= shape[i];
    }
    int last = -1; /* the last indirect dimension takes the offset */
    for (int i = 0; i < src->ndim; i++) {
        shape[i] = src->shape[i];
        strides[i] = src->strides[i];
        subs[i] = src->suboffsets ? src->suboffsets[i] : -1;
        if (subs[i] >= 0)
            last = i;
    }
    if (last >= 0)
        subs[last] += offset;
    else
        buf += offset;
    rc = mv__view_build(dst, src, buf, ndim, shape, strides,
                        src->suboffsets ? subs : NULL);
    if (rc < 0) {
        mv_format_release(desc);
        return rc;
    }
    mv_format_release(dst->fmtdesc);
    dst->fmtdesc = desc;
    dst->format = desc->text;
    dst->fmtchar_ = mv_format_char(desc->text);
    dst->itemsize = fd->size;
    dst->nbytes = fd->size;
    for (int i = 0; i < ndim; i++)
        dst->nbytes *= shape[i];
    mv__view_init_flags(dst);
    return MV_OK;
}

/* ------------------------------------------------------------------------
 * Sums of complex numbers
 * ------------------------------------------------------------------------ */

int mv_view_stats_complex(const mv_view *v, mv_stats *re, mv_stats *im) {
    int rc = check_live(v);
    if (rc < 0)
        return rc;
    mv_ssize base = 0;
    const mv_format *f = v->fmtdesc;
    const mv_field *fd = NULL;
    if (f) {
        const mv_format *rec = mv__item_record(f, &base);
        if (rec->nfields == 1 && rec->fields[0].kind == MV_KIND_COMPLEX)
            fd = &rec->fields[0];
    }
    if (!fd || f->itemsize != v->itemsize)
        return mv_error(MV_ETYPE, "format %s is not of complex numbers",
                        v->format);
    if (re == NULL) /* the format check only */
        return MV_OK;
    mv_ssize half = fd->size / 2;
    for (mv_ssize k = 0; k < fd->count; k++) {
        mv_ssize at = base + fd->offset + k * fd->size;
        mv__elem e = {fd->ncode, fd->swap, half, at, 1};
        mv_stats r, i;
        rc = mv__view_stats_elem(v, &e, &r);
        e.offset = at + half;
        if (rc == MV_OK) /* only a fault fails, and at the first scan */
            rc = mv__view_stats_elem(v, &e, &i);
        if (rc < 0)
            return rc;
        if (k == 0) {
            *re = r;
            *im = i;
        } else {
            mv_stats_merge(re, &r);
            mv_stats_merge(im, &i);
        }
    }
    /* NumPy's mean divides the complex sum by the count as a complex
     * number: a NaN in either part makes both parts NaN */
    if (isnan(re->sum) || isnan(im->sum))
        re->mean = im->mean = NAN;
    return MV_OK;
}
