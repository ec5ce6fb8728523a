/*
 * tolist.c -- tolist(), and the tuples of items of compiled formats.
 */
#include "adapter.h"

#include <string.h>

/* tolist(): nested lists built by the core's walk. slot points at the
 * next entry of the innermost open list (items are stored straight into
 * it); the outer lists wait on the stack with their own next entries. */
/* Levels from tuple_from on are tuples (the values of items of compiled
 * formats), those before it lists (the view's dimensions). */
#define LB_INLINE (MV_MAXDIM + 8)
struct list_builder {
    PyObject **slot;
    PyObject *result;
    int depth;
    int tuple_from;
    PyObject ***saved;
    PyObject **saved_inline[LB_INLINE];
};

/* Room for depth levels; -1 with MemoryError set. */
static int lb_init(struct list_builder *lb, int tuple_from, int levels) {
    lb->depth = 0;
    lb->result = NULL;
    lb->slot = NULL;
    lb->tuple_from = tuple_from;
    lb->saved = lb->saved_inline;
    if (levels > LB_INLINE) {
        lb->saved = PyMem_Malloc(sizeof *lb->saved * (size_t)levels);
        if (lb->saved == NULL) {
            PyErr_NoMemory();
            return -1;
        }
    }
    return 0;
}

static void lb_done(struct list_builder *lb) {
    if (lb->saved != lb->saved_inline)
        PyMem_Free(lb->saved);
}

static int lb_begin(void *ctx, int dim, mv_ssize n) {
    struct list_builder *lb = ctx;
    int tuple = dim >= lb->tuple_from;
    PyObject *l = tuple ? PyTuple_New(n) : PyList_New(n);
    if (l == NULL)
        return MV_ENOMEM;
    if (lb->depth > 0)
        *lb->slot++ = l; /* owned by its parent from now on */
    else
        lb->result = l;
    lb->saved[lb->depth++] = lb->slot;
    lb->slot = tuple ? (n ? &PyTuple_GET_ITEM(l, 0) : NULL)
                     : ((PyListObject *)l)->ob_item;
    return 0;
}

static int lb_item(void *ctx, const mv_value *v) {
    struct list_builder *lb = ctx;
    PyObject *x;
    if (v->type == MV_VAL_UINT)
        x = mvpy_uint_to_py(v->u);
    else if (v->type == MV_VAL_INT)
        x = mvpy_int_to_py(v->i);
    else
        x = mvpy_value_to_py(v);
    if (x == NULL)
        return MV_ENOMEM;
    if (lb->depth == 0)
        lb->result = x;
    else
        *lb->slot++ = x;
    return 0;
}

/* A batch of a row's values, all of one type (the core's promise): the
 * conversion is chosen once a batch, and the next slot stays in a
 * register. */
#define LB_CONVERT(expr)                                                       \
    for (; k < n; k++) {                                                       \
        PyObject *x = (expr);                                                  \
        if (x == NULL)                                                         \
            break;                                                             \
        *slot++ = x;                                                           \
    }

static int lb_items(void *ctx, const mv_value *v, mv_ssize n) {
    struct list_builder *lb = ctx;
    if (lb->depth == 0) { /* a 0-D view's single item */
        lb->result = mvpy_value_to_py(v);
        return lb->result ? 0 : MV_ENOMEM;
    }
    PyObject **slot = lb->slot;
    mv_ssize k = 0;
    switch (v[0].type) {
    case MV_VAL_UINT: LB_CONVERT(mvpy_uint_to_py(v[k].u)); break;
    case MV_VAL_INT: LB_CONVERT(mvpy_int_to_py(v[k].i)); break;
    case MV_VAL_FLOAT: LB_CONVERT(PyFloat_FromDouble(v[k].f)); break;
    default: LB_CONVERT(mvpy_value_to_py(&v[k])); break;
    }
    lb->slot = slot;
    return k == n ? 0 : MV_ENOMEM;
}
#undef LB_CONVERT

static int lb_end(void *ctx, int dim) {
    struct list_builder *lb = ctx;
    (void)dim;
    lb->depth--;
    lb->slot = lb->saved[lb->depth];
    return 0;
}

/* ------------------------------------------------------------------------
 * Items of compiled formats of several values (tuples): read with the
 * format engine's walk into nested tuples, written from nested tuples or
 * lists with its pack (all of the item or nothing)
 * ------------------------------------------------------------------------ */

PyObject *mvpy_item_to_py(const mv_format *f, const char *ptr) {
    static const mv_walker w = {lb_begin, lb_item, lb_end, NULL};
    struct list_builder lb;
    if (lb_init(&lb, 0, f->tuple_depth + 1) < 0)
        return NULL;
    int st = mv_item_walk(f, ptr, &w, &lb);
    lb_done(&lb);
    if (st < 0) {
        Py_XDECREF(lb.result);
        return PyErr_Occurred() ? NULL : mvpy_raise_status(st);
    }
    return lb.result;
}

/* tolist() of records of scalar fields of one value each ("<IfH",
 * "T{<I:a:<f:b:}"): each item's tuple is built straight from its bytes by
 * one converter a field, chosen once a call from the load that
 * mv_view_field_at() gives the field. No value goes through a callback of
 * the walk or an mv_value, but those of the rarer kinds ('?', 'c', 'e',
 * 's', 'p', 'P', 'Z'). */
struct rec_field;
typedef PyObject *(*rec_conv)(const struct rec_field *c, const char *item);
struct rec_field {
    rec_conv conv;
    mv_ssize offset;       /* from the item's start */
    const mv_field *field; /* for rec_other */
    mv_ssize base;         /* of the field's record, from the item's start */
};

#define RF_CONV(NAME, T, SWAP, MAKE)                                           \
    static PyObject *NAME(const struct rec_field *c, const char *item) {       \
        T u;                                                                   \
        memcpy(&u, item + c->offset, sizeof u);                                \
        return MAKE(SWAP(u));                                                  \
    }
#define RF_KEEP(u) (u)
#define RF_I(u) mvpy_int_to_py((int64_t)(u))
#define RF_U(u) mvpy_uint_to_py((uint64_t)(u))
#define RF_F32(u) rf_float32(u)
#define RF_F64(u) rf_float64(u)
static inline PyObject *rf_float32(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return PyFloat_FromDouble(f);
}
static inline PyObject *rf_float64(uint64_t u) {
    double f;
    memcpy(&f, &u, 8);
    return PyFloat_FromDouble(f);
}
RF_CONV(rf_i8, int8_t, RF_KEEP, RF_I)
RF_CONV(rf_u8, uint8_t, RF_KEEP, RF_U)
RF_CONV(rf_i16, int16_t, RF_KEEP, RF_I)
RF_CONV(rf_i16s, uint16_t, (int16_t)MV__BSWAP16, RF_I)
RF_CONV(rf_u16, uint16_t, RF_KEEP, RF_U)
RF_CONV(rf_u16s, uint16_t, MV__BSWAP16, RF_U)
RF_CONV(rf_i32, int32_t, RF_KEEP, RF_I)
RF_CONV(rf_i32s, uint32_t, (int32_t)MV__BSWAP32, RF_I)
RF_CONV(rf_u32, uint32_t, RF_KEEP, RF_U)
RF_CONV(rf_u32s, uint32_t, MV__BSWAP32, RF_U)
RF_CONV(rf_i64, int64_t, RF_KEEP, RF_I)
RF_CONV(rf_i64s, uint64_t, (int64_t)MV__BSWAP64, RF_I)
RF_CONV(rf_u64, uint64_t, RF_KEEP, RF_U)
RF_CONV(rf_u64s, uint64_t, MV__BSWAP64, RF_U)
RF_CONV(rf_f32, uint32_t, RF_KEEP, RF_F32)
RF_CONV(rf_f32s, uint32_t, MV__BSWAP32, RF_F32)
RF_CONV(rf_f64, uint64_t, RF_KEEP, RF_F64)
RF_CONV(rf_f64s, uint64_t, MV__BSWAP64, RF_F64)
#undef RF_CONV
#undef RF_KEEP
#undef RF_I
#undef RF_U
#undef RF_F32
#undef RF_F64

/* The kinds without an inline load. */
static PyObject *rf_other(const struct rec_field *c, const char *item) {
    mv_value x;
    int st = mv_field_get(c->field, item + c->base, 0, &x);
    return st < 0 ? mvpy_raise_status(st) : mvpy_value_to_py(&x);
}

static rec_conv rf_conv_of(mv_load load) {
    switch ((int)load) {
    case MV_LOAD_I8: return rf_i8;
    case MV_LOAD_U8: return rf_u8;
    case MV_LOAD_I16: return rf_i16;
    case MV_LOAD_I16 + MV_LOAD_SWAPPED: return rf_i16s;
    case MV_LOAD_U16: return rf_u16;
    case MV_LOAD_U16 + MV_LOAD_SWAPPED: return rf_u16s;
    case MV_LOAD_I32: return rf_i32;
    case MV_LOAD_I32 + MV_LOAD_SWAPPED: return rf_i32s;
    case MV_LOAD_U32: return rf_u32;
    case MV_LOAD_U32 + MV_LOAD_SWAPPED: return rf_u32s;
    case MV_LOAD_I64: return rf_i64;
    case MV_LOAD_I64 + MV_LOAD_SWAPPED: return rf_i64s;
    case MV_LOAD_U64: return rf_u64;
    case MV_LOAD_U64 + MV_LOAD_SWAPPED: return rf_u64s;
    case MV_LOAD_F32: return rf_f32;
    case MV_LOAD_F32 + MV_LOAD_SWAPPED: return rf_f32s;
    case MV_LOAD_F64: return rf_f64;
    case MV_LOAD_F64 + MV_LOAD_SWAPPED: return rf_f64s;
    default: return rf_other;
    }
}

#define RF_INLINE 16
struct rec_fields {
    int n;
    struct rec_field *f;
    struct rec_field inline_[RF_INLINE];
};

static void rec_fields_done(struct rec_fields *rf) {
    if (rf->f != rf->inline_)
        PyMem_Free(rf->f);
}

/* The fields of v's items when each item reads as one tuple of scalars: 1
 * (rf filled; rec_fields_done() it), 0 when not (the walk handles it, and
 * any error), -1 with MemoryError set. */
static int rec_fields_init(struct rec_fields *rf, const mv_view *v) {
    const mv_format *f = v->fmtdesc;
    rf->f = rf->inline_;
    if (f == NULL || v->suboffsets != NULL)
        return 0;
    const mv_format *rec = f;
    if (f->nfields == 1 && f->units == 1 && f->fields[0].count == 1 &&
        f->fields[0].kind == MV_KIND_RECORD)
        rec = f->fields[0].sub; /* "T{...}": a tuple of the record's fields */
    else if (f->units < 2)
        return 0; /* one scalar ("i", "<i", "3s") */
    for (int i = 0; i < rec->nfields; i++) {
        const mv_field *fd = &rec->fields[i];
        if (fd->kind == MV_KIND_RECORD || fd->ndim || fd->units != 1 ||
            fd->count != 1)
            return 0;
    }
    if (mv_view_check_item(v) < 0)
        return 0;
    rf->n = rec->nfields;
    if (rf->n > RF_INLINE &&
        (rf->f = PyMem_Malloc(sizeof *rf->f * (size_t)rf->n)) == NULL) {
        rf->f = rf->inline_;
        PyErr_NoMemory();
        return -1;
    }
    for (int i = 0; i < rf->n; i++) {
        mv_fieldref r;
        if (mv_view_field_at(v, i, &r) < 0) { /* none of these fails */
            rec_fields_done(rf);
            return 0;
        }
        rf->f[i] = (struct rec_field){rf_conv_of(r.load), r.offset, r.field,
                                      r.offset - r.field->offset};
    }
    return 1;
}

/* The tuple of the record at item. */
static inline PyObject *record_to_tuple(const struct rec_field *c, int n,
                                        const char *item) {
    PyObject *t = PyTuple_New(n);
    if (t == NULL)
        return NULL;
    PyObject **out = &PyTuple_GET_ITEM(t, 0);
    for (int i = 0; i < n; i++) {
        PyObject *x = c[i].conv(&c[i], item);
        if (x == NULL) {
            Py_DECREF(t);
            return NULL;
        }
        out[i] = x;
    }
    return t;
}

/* The nested lists of v's items from dimension dim on, ptr at the first. */
static PyObject *records_to_list(const mv_view *v, const struct rec_fields *rf,
                                 int dim, const char *ptr) {
    const struct rec_field *c = rf->f;
    int nf = rf->n;
    if (dim == v->ndim)
        return record_to_tuple(c, nf, ptr);
    mv_ssize n = v->shape[dim], step = v->nbytes ? v->strides[dim] : 0;
    PyObject *l = PyList_New(n);
    if (l == NULL)
        return NULL;
    int last = dim + 1 == v->ndim;
    for (mv_ssize k = 0; k < n; k++) {
        const char *p = ptr + k * step;
        PyObject *x = last ? record_to_tuple(c, nf, p)
                           : records_to_list(v, rf, dim + 1, p);
        if (x == NULL) {
            Py_DECREF(l); /* its entries from k on are NULL */
            return NULL;
        }
        PyList_SET_ITEM(l, k, x);
    }
    return l;
}

PyObject *mvpy_tolist(MViewObject *self, PyObject *unused) {
    (void)unused;
    static const mv_walker w = {lb_begin, lb_item, lb_end, lb_items};
    struct list_builder lb;
    const mv_view *v = &self->view;
    struct rec_fields rf;
    int flat = rec_fields_init(&rf, v);
    if (flat != 0) {
        PyObject *res = flat > 0 ? records_to_list(v, &rf, 0, v->buf) : NULL;
        rec_fields_done(&rf);
        return res;
    }
    int levels = v->ndim + (v->fmtdesc ? v->fmtdesc->tuple_depth : 0);
    if (lb_init(&lb, v->ndim, levels) < 0)
        return NULL;
    int st = mv_view_walk(v, &w, &lb);
    lb_done(&lb);
    if (st < 0) {
        /* Lists are made whole (NULL entries) and dropped from the top:
         * the outermost one owns the rest. */
        Py_XDECREF(lb.result);
        if (PyErr_Occurred())
            return NULL;
        return mvpy_raise_status(st);
    }
    return lb.result;
}
