/*
 * field.c -- fields of a view's items, by name or position.
 *
 * A field is resolved once into an mv_fieldref: the scalar field, its
 * offset from the start of an item (through nested records) and the inline
 * load that reads it (memview.h's mv_view_get_field). Reads and writes then go
 * straight to the bytes: no copy, no allocation.
 *
 * Names and positions resolve in the item's record: the top level of the
 * format, or, when the format is one record ("T{...}"), that record's
 * fields. A dotted name descends into record fields of one element.
 */
#include "internal.h"

#include <stdio.h>

/* The record an item's fields are looked up in, and its offset. */
static const mv_format *item_record(const mv_format *f, mv_ssize *base) {
    *base = 0;
    if (f->nfields == 1 && f->fields[0].kind == MV_KIND_RECORD &&
        f->fields[0].count == 1) {
        *base = f->fields[0].offset;
        return f->fields[0].sub;
    }
    return f;
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
    if (rc < 0)
        return rc;
    mv_ssize base;
    const mv_format *rec = item_record(f, &base);
    const char *seg = name;
    for (;;) {
        const char *dot = strchr(seg, '.');
        size_t len = dot ? (size_t)(dot - seg) : strlen(seg);
        int idx = -1;
        for (int i = 0; i < rec->nfields && idx < 0; i++) {
            const char *n = rec->fields[i].name;
            if (n && strlen(n) == len && memcmp(n, seg, len) == 0)
                idx = i;
        }
        if (idx < 0)
            return mv_error(MV_EVALUE, "no field named '%s'", name);
        const mv_field *fd = &rec->fields[idx];
        if (!dot)
            return make_ref(fd, base + fd->offset, name, out);
        if (fd->kind != MV_KIND_RECORD || fd->count != 1)
            return mv_error(MV_EVALUE, "no field named '%s'", name);
        base += fd->offset;
        rec = fd->sub;
        seg = dot + 1;
    }
}

int mv_view_field_at(const mv_view *v, int pos, mv_fieldref *out) {
    const mv_format *f = NULL;
    int rc = view_format(v, &f);
    if (rc < 0)
        return rc;
    mv_ssize base;
    const mv_format *rec = item_record(f, &base);
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
