/*
 * convert.c -- keys and values: Python objects <-> the core's indexes,
 * key items and mv_value.
 */
#include "adapter.h"

#include <string.h>

/* ------------------------------------------------------------------------
 * Values: Python objects <-> mv_value
 * ------------------------------------------------------------------------ */

/* An integer object as INT, UINT or BIGINT. tmp must be an int. */
static void int_to_value(PyObject *tmp, mv_value *out) {
    int overflow;
    long long x = PyLong_AsLongLongAndOverflow(tmp, &overflow);
    if (overflow == 0) {
        out->type = MV_VAL_INT;
        out->i = x;
    } else if (overflow > 0) {
        unsigned long long u = PyLong_AsUnsignedLongLong(tmp);
        if (u == (unsigned long long)-1 && PyErr_Occurred()) {
            PyErr_Clear();
            out->type = MV_VAL_BIGINT;
            out->i = 1;
        } else {
            out->type = MV_VAL_UINT;
            out->u = u;
        }
    } else {
        out->type = MV_VAL_BIGINT;
        out->i = -1;
    }
}

/* A failed conversion: TypeError means a value of the wrong type,
 * ValueError and OverflowError a value out of range (as the builtin
 * reports them); any other exception is kept and -1 returned. */
static int conversion_failed(mv_value *out) {
    if (PyErr_ExceptionMatches(PyExc_TypeError)) {
        PyErr_Clear();
        out->type = MV_VAL_OTHER;
        return 0;
    }
    if (PyErr_ExceptionMatches(PyExc_ValueError) ||
        PyErr_ExceptionMatches(PyExc_OverflowError)) {
        PyErr_Clear();
        out->type = MV_VAL_BIGINT;
        out->i = 1;
        return 0;
    }
    return -1;
}

/* Convert x for storing into an item (or field) of kind kind. The core
 * decides whether the value fits. Returns -1 with an exception set only for
 * exceptions the value itself raised (a failing __index__, __bool__). */
int mvpy_py_to_value_kind(mv_kind kind, PyObject *x, mv_value *out) {
    switch (kind) {
    case MV_KIND_PTR:
        /* Pointers take ints only, not objects with __index__, as
         * PyLong_AsVoidPtr does. */
        if (!PyLong_Check(x)) {
            out->type = MV_VAL_OTHER;
            return 0;
        }
        /* fall through */
    case MV_KIND_INT:
    case MV_KIND_UINT: {
        if (PyLong_CheckExact(x)) {
            int_to_value(x, out);
            return 0;
        }
        PyObject *tmp = PyNumber_Index(x);
        if (tmp == NULL)
            return conversion_failed(out);
        int_to_value(tmp, out);
        Py_DECREF(tmp);
        return 0;
    }
    case MV_KIND_FLOAT: {
        double d = PyFloat_AsDouble(x);
        if (d == -1.0 && PyErr_Occurred())
            return conversion_failed(out);
        out->type = MV_VAL_FLOAT;
        out->f = d;
        return 0;
    }
    case MV_KIND_BOOL: {
        int t = PyObject_IsTrue(x);
        if (t < 0)
            return -1;
        out->type = MV_VAL_BOOL;
        out->i = t;
        return 0;
    }
    case MV_KIND_CHAR:
    case MV_KIND_BYTES:
        if (PyBytes_Check(x)) {
            out->type = MV_VAL_BYTES;
            out->s.ptr = PyBytes_AS_STRING(x);
            out->s.len = PyBytes_GET_SIZE(x);
            return 0;
        }
        if (kind == MV_KIND_BYTES && PyByteArray_Check(x)) {
            out->type = MV_VAL_BYTES; /* as struct.pack's 's' takes it */
            out->s.ptr = PyByteArray_AsString(x);
            out->s.len = PyByteArray_Size(x);
            return 0;
        }
        out->type = MV_VAL_OTHER;
        return 0;
    case MV_KIND_COMPLEX: {
        if (!PyComplex_Check(x) && !PyFloat_Check(x) && !PyLong_Check(x) &&
            !PyObject_HasAttrString(x, "__complex__") &&
            !PyObject_HasAttrString(x, "__float__") &&
            !PyObject_HasAttrString(x, "__index__")) {
            out->type = MV_VAL_OTHER;
            return 0;
        }
        Py_complex c = PyComplex_AsCComplex(x);
        if (c.real == -1.0 && PyErr_Occurred())
            return conversion_failed(out);
        out->type = MV_VAL_COMPLEX;
        out->z.re = c.real;
        out->z.im = c.imag;
        return 0;
    }
    default: out->type = MV_VAL_OTHER; return 0;
    }
}

/* Convert x for storing into an item of v. For a compiled format of one
 * value, a tuple or list of that one value is taken too, as struct-based
 * exporters (_testbuffer.ndarray) take it. */
int mvpy_py_to_value_for(const mv_view *v, PyObject *x, mv_value *out) {
    if (mv_view_format_char(v) || !v->fmtdesc)
        return mvpy_py_to_value_kind(mv_format_kind(v->format), x, out);
    const mv_field *fd = mv_format_scalar(v->fmtdesc);
    if (fd == NULL) {
        out->type = MV_VAL_OTHER;
        return 0;
    }
    if (PyTuple_Check(x) || PyList_Check(x)) {
        if (PySequence_Size(x) != 1) {
            out->type = MV_VAL_OTHER;
            return 0;
        }
        x = PySequence_Fast_GET_ITEM(x, 0); /* alive: x holds it */
    }
    return mvpy_py_to_value_kind(fd->kind, x, out);
}

/* Convert x for comparing with items (count, index): by its own type. */
void mvpy_py_to_value(PyObject *x, mv_value *out) {
    if (PyBool_Check(x)) {
        out->type = MV_VAL_BOOL;
        out->i = x == Py_True;
    } else if (PyLong_CheckExact(x)) {
        int_to_value(x, out);
    } else if (PyFloat_CheckExact(x)) {
        out->type = MV_VAL_FLOAT;
        out->f = PyFloat_AS_DOUBLE(x);
    } else if (PyBytes_CheckExact(x)) {
        out->type = MV_VAL_BYTES;
        out->s.ptr = PyBytes_AS_STRING(x);
        out->s.len = PyBytes_GET_SIZE(x);
    } else {
        out->type = MV_VAL_OTHER;
    }
}

PyObject *mvpy_small_ints[MVPY_SMALL_MAX - MVPY_SMALL_MIN + 1];

static int small_ints_init(void) {
    for (long i = MVPY_SMALL_MIN; i <= MVPY_SMALL_MAX; i++)
        if ((mvpy_small_ints[i - MVPY_SMALL_MIN] = PyLong_FromLong(i)) == NULL)
            return -1;
    return 0;
}

/* One-byte bytes objects, shared by the interpreter as well. */
PyObject *mvpy_byte_objs[256];

static int byte_objs_init(void) {
    for (int i = 0; i < 256; i++) {
        char c = (char)i;
        if ((mvpy_byte_objs[i] = PyBytes_FromStringAndSize(&c, 1)) == NULL)
            return -1;
    }
    return 0;
}

__attribute__((noinline, cold)) PyObject *
mvpy_complex_to_py(const mv_value *v) {
    return PyComplex_FromDoubles(v->z.re, v->z.im);
}

/* ------------------------------------------------------------------------
 * Keys
 * ------------------------------------------------------------------------ */

/* An index key as Py_ssize_t; too large: IndexError as the builtin. */
Py_ssize_t mvpy_key_to_index(PyObject *key) {
    if (PyLong_CheckExact(key)) {
        Py_ssize_t i = PyLong_AsSsize_t(key);
        if (i != -1 || !PyErr_Occurred())
            return i;
        PyErr_Clear();
    }
    return PyNumber_AsSsize_t(key, PyExc_IndexError);
}

int mvpy_is_multiindex(PyObject *key) {
    if (!PyTuple_Check(key))
        return 0;
    Py_ssize_t n = PyTuple_GET_SIZE(key);
    for (Py_ssize_t i = 0; i < n; i++)
        if (!mvpy_index_check(PyTuple_GET_ITEM(key, i)))
            return 0;
    return 1;
}

/* A tuple of indexes and slices (the empty tuple too). */
int mvpy_is_key_tuple(PyObject *key) {
    if (!PyTuple_Check(key))
        return 0;
    Py_ssize_t n = PyTuple_GET_SIZE(key);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *x = PyTuple_GET_ITEM(key, i);
        if (!mvpy_index_check(x) && !PySlice_Check(x))
            return 0;
    }
    return 1;
}

/* The indexes of a tuple key. More than MV_MAXDIM entries: the count only
 * (the core refuses the tuple before reading it). */
int mvpy_tuple_to_indexes(PyObject *key, mv_ssize *idx, int *n) {
    Py_ssize_t len = PyTuple_GET_SIZE(key);
    if (len > MV_MAXDIM) {
        *n = len > INT_MAX ? INT_MAX : (int)len;
        return 0;
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        idx[i] = PyNumber_AsSsize_t(PyTuple_GET_ITEM(key, i), PyExc_IndexError);
        if (idx[i] == -1 && PyErr_Occurred())
            return -1;
    }
    *n = (int)len;
    return 0;
}

/* The format must be a single character after an optional '@' for item
 * access; the builtin checks this before anything else. */
int mvpy_check_item_format(const mv_view *v) {
    int st = mv_view_check_item(v);
    return st < 0 ? mvpy_raise_status_int(st) : 0;
}

/* A key that selects a view (memview does more than the builtin here):
 * an index, or a tuple of indexes and slices, as mv_keyitem entries for
 * mv_view_select. Returns 1 when converted, 0 when key is of another kind,
 * -1 with an exception set. A tuple of more than MV_MAXDIM entries gives
 * the count only (the core refuses it before reading it). */
int mvpy_key_to_items(PyObject *key, mv_keyitem *items, int *n) {
    if (mvpy_index_check(key)) {
        items[0].is_slice = 0;
        items[0].index = mvpy_key_to_index(key);
        if (items[0].index == -1 && PyErr_Occurred())
            return -1;
        *n = 1;
        return 1;
    }
    if (!mvpy_is_key_tuple(key))
        return 0;
    Py_ssize_t len = PyTuple_GET_SIZE(key);
    if (len > MV_MAXDIM) {
        *n = len > INT_MAX ? INT_MAX : (int)len;
        return 1;
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        PyObject *x = PyTuple_GET_ITEM(key, i);
        mv_keyitem *k = &items[i];
        k->is_slice = PySlice_Check(x);
        if (k->is_slice) {
            if (PySlice_Unpack(x, &k->start, &k->stop, &k->step) < 0)
                return -1;
        } else {
            k->index = PyNumber_AsSsize_t(x, PyExc_IndexError);
            if (k->index == -1 && PyErr_Occurred())
                return -1;
        }
    }
    *n = (int)len;
    return 1;
}

/* An int argument as the builtin's argument parser converts it (its
 * messages too): objects with __index__, and an OverflowError beyond a C
 * int. Up to 3.9 a float is refused by name before any conversion. */
int mvpy_long_as_int(PyObject *o, int *out) {
#if PY_VERSION_HEX < 0x030A0000
    if (PyFloat_Check(o)) {
        PyErr_SetString(PyExc_TypeError,
                        "integer argument expected, got float");
        return -1;
    }
#endif
#if PY_VERSION_HEX >= 0x030D0000
    int x = PyLong_AsInt(o);
    if (x == -1 && PyErr_Occurred())
        return -1;
    *out = x;
    return 0;
#else
    int overflow;
    long x = PyLong_AsLongAndOverflow(o, &overflow);
    if (x == -1 && PyErr_Occurred())
        return -1;
    if (overflow != 0 || x > INT_MAX || x < INT_MIN) {
        PyErr_SetString(PyExc_OverflowError,
                        "Python int too large to convert to C int");
        return -1;
    }
    *out = (int)x;
    return 0;
#endif
}

/* The values of one item, from a Python object: nested tuples or lists
 * (lists are copied into tuples, so that __index__ cannot change them
 * under the walk). */
struct py_source {
    const mv_view *view;
    PyObject *root;
    int depth;
    int cap;
    PyObject **seq; /* owned tuples, one a level */
    Py_ssize_t *pos;
    PyObject *seq_inline[16];
    Py_ssize_t pos_inline[16];
};

static PyObject *src_next(struct py_source *s) {
    if (s->depth == 0) {
        PyObject *x = s->root;
        s->root = NULL;
        return x;
    }
    PyObject *t = s->seq[s->depth - 1];
    return PyTuple_GET_ITEM(t, s->pos[s->depth - 1]++);
}

static int src_begin(void *ctx, int depth, mv_ssize n) {
    struct py_source *s = ctx;
    (void)depth;
    PyObject *x = src_next(s);
    if (x == NULL || !(PyTuple_Check(x) || PyList_Check(x)))
        return mv_error(MV_ETYPE, "memoryview: invalid type for format '%s'",
                        s->view->format);
    if (PySequence_Size(x) != n)
        return mv_error(MV_EVALUE, "memoryview: invalid value for format '%s'",
                        s->view->format);
    if (s->depth == s->cap)
        return mv_error(MV_EVALUE, "memoryview: value nested too deeply");
    PyObject *t = PySequence_Tuple(x);
    if (t == NULL)
        return MV_ENOMEM;
    s->seq[s->depth] = t;
    s->pos[s->depth++] = 0;
    return 0;
}

static int src_value(void *ctx, const mv_field *field, mv_value *out) {
    struct py_source *s = ctx;
    PyObject *x = src_next(s);
    if (x == NULL) /* the root was a scalar already taken */
        return mv_error(MV_ETYPE, "memoryview: invalid type for format '%s'",
                        s->view->format);
    return mvpy_py_to_value_kind(field->kind, x, out) < 0 ? MV_EVALUE : 0;
}

static int src_end(void *ctx, int depth) {
    struct py_source *s = ctx;
    (void)depth;
    Py_DECREF(s->seq[--s->depth]);
    return 0;
}

/* Store value into the item at ptr of v (a tuple format). 0, or -1 with
 * an exception set; nothing is written on failure. */
int mvpy_pack_from_py(const mv_view *v, char *ptr, PyObject *value) {
    static const mv_source so = {src_begin, src_value, src_end};
    struct py_source s;
    const mv_format *f = v->fmtdesc;
    s.view = v;
    s.root = value;
    s.depth = 0;
    s.cap = f->tuple_depth + 1;
    s.seq = s.seq_inline;
    s.pos = s.pos_inline;
    if (s.cap > 16) {
        s.seq = PyMem_Malloc(sizeof *s.seq * (size_t)s.cap);
        s.pos = PyMem_Malloc(sizeof *s.pos * (size_t)s.cap);
        if (s.seq == NULL || s.pos == NULL) {
            PyMem_Free(s.seq);
            PyMem_Free(s.pos);
            PyErr_NoMemory();
            return -1;
        }
    }
    int st = mv_item_pack(f, ptr, &so, &s);
    while (s.depth > 0)
        Py_DECREF(s.seq[--s.depth]);
    if (s.seq != s.seq_inline) {
        PyMem_Free(s.seq);
        PyMem_Free(s.pos);
    }
    if (st < 0)
        return PyErr_Occurred() ? -1 : mvpy_raise_status_int(st);
    return 0;
}

int mvpy_convert_init(void) {
    return small_ints_init() < 0 || byte_objs_init() < 0 ? -1 : 0;
}
