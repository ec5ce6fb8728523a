/*
 * map.c -- memview.map(): a memview.memoryview of a byte range of a file,
 * and what makes views of file mappings safe.
 *
 *     with memview.map("big.bin", offset=60 << 30, length=4096) as m:
 *         m[0:16].hex()
 *
 * Ownership: map() makes a core mapping owner (src/map.c) and hands it to
 * a small exporter object, memview._Mapping, which holds the owner's
 * creator handle and lends its bytes through the buffer protocol. The
 * memoryview map() returns is a view of that exporter and its only
 * holder, so releasing the memoryview (leaving the with block) releases
 * the exporter and unmaps the file at once, unless other views of it are
 * still alive; a release while buffers are exported from the memoryview
 * is refused with BufferError, as for any memoryview.
 *
 * Faults: views of mappings (ours, mmap.mmap, numpy.memmap) are guarded:
 * their bulk operations (tobytes, hex, ==, count, index, assignment,
 * hash) raise OSError when the file shrinks under them.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string.h>

#include "adapter.h"

/* ---- the exporter ---------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    mv_owner *owner; /* creator handle of the mapping */
    Py_ssize_t exports;
} MapObject;

static void map_dealloc(MapObject *self) {
    mv_owner_release(self->owner); /* unmaps once no core view remains */
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int map_getbuffer(MapObject *self, Py_buffer *view, int flags) {
    int readonly = mv_owner_readonly(self->owner);
    if (PyBuffer_FillInfo(view, (PyObject *)self, mv_owner_data(self->owner),
                          mv_owner_size(self->owner), readonly, flags) < 0)
        return -1;
    self->exports++;
    return 0;
}

static void map_releasebuffer(MapObject *self, Py_buffer *view) {
    (void)view;
    self->exports--;
}

static PyBufferProcs map_as_buffer = {
    (getbufferproc)map_getbuffer,
    (releasebufferproc)map_releasebuffer,
};

static PyTypeObject Map_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "memview._Mapping",
    .tp_basicsize = sizeof(MapObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The file mapping behind a memoryview made by memview.map().",
    .tp_dealloc = (destructor)map_dealloc,
    .tp_as_buffer = &map_as_buffer,
};

int mvpy_map_init(void) { return PyType_Ready(&Map_Type); }

/* ---- memview.map() ------------------------------------------------------ */

static int advice_of(PyObject *name, mv_advice *out);

static PyObject *mvpy_map(PyObject *module, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"path",     "offset", "length",
                             "writable", "advise", NULL};
    PyObject *path = NULL, *length_obj = Py_None, *advise = Py_None;
    long long offset = 0, length = -1;
    int writable = 0;
    mv_advice advice = MV_ADVISE_NORMAL;

    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|LOp$O:map", kwlist,
                                     PyUnicode_FSConverter, &path, &offset,
                                     &length_obj, &writable, &advise))
        return NULL;
    if (advise != Py_None && advice_of(advise, &advice) < 0) {
        Py_DECREF(path);
        return NULL;
    }
    if (length_obj != Py_None) {
        length = PyLong_AsLongLong(length_obj);
        if (length == -1 && PyErr_Occurred()) {
            Py_DECREF(path);
            return NULL;
        }
        if (length < 0) {
            Py_DECREF(path);
            PyErr_SetString(PyExc_OverflowError,
                            "memory mapped length must be positive");
            return NULL;
        }
    }
    mv_owner *o;
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = mv_owner_map_range(&o, PyBytes_AS_STRING(path), offset, length,
                            writable ? MV_MAP_WRITE : 0);
    if (st == 0 && advise != Py_None && mv_owner_size(o) > 0 &&
        (st = mv_owner_advise(o, 0, -1, advice)) < 0)
        mv_owner_release(o);
    Py_END_ALLOW_THREADS
    if (st < 0) {
        PyObject *name = PyUnicode_DecodeFSDefault(PyBytes_AS_STRING(path));
        Py_DECREF(path);
        mvpy_raise_status_path(st, name);
        Py_XDECREF(name);
        return NULL;
    }
    Py_DECREF(path);
    MapObject *m = (MapObject *)PyType_GenericAlloc(&Map_Type, 0);
    if (m == NULL) {
        mv_owner_release(o);
        return NULL;
    }
    m->owner = o;
    m->exports = 0;
    PyObject *type = PyObject_GetAttrString(module, "memoryview");
    PyObject *view =
        type ? PyObject_CallFunctionObjArgs(type, (PyObject *)m, NULL) : NULL;
    Py_XDECREF(type);
    Py_DECREF(m); /* the memoryview holds it now */
    return view;
}

PyMethodDef mvpy_map_functions[] = {
    {"map", (PyCFunction)(void (*)(void))mvpy_map, METH_VARARGS | METH_KEYWORDS,
     "map(path, offset=0, length=None, writable=False, *, advise=None)\n"
     "--\n\n"
     "A memoryview of bytes [offset, offset + length) of the file at path\n"
     "(to the end when length is None), mapped, not read. Writable maps\n"
     "write through to the file; flush() makes the writes durable. advise\n"
     "tells the system how the file will be read ('sequential', 'random',\n"
     "'willneed', 'dontneed'; the view's advise() does it for a part). Use\n"
     "it as a context manager to unmap the file when the block ends."},
    {NULL, NULL, 0, NULL},
};

/* ---- faults and flush ---------------------------------------------------- */

/* mmap.mmap's type, looked up once; NULL if mmap cannot be imported. */
static PyObject *mmap_type(void) {
    static PyObject *type;
    static int tried;
    if (!tried) {
        tried = 1;
        PyObject *mod = PyImport_ImportModule("mmap");
        if (mod) {
            type = PyObject_GetAttrString(mod, "mmap");
            Py_DECREF(mod);
        }
        if (!type)
            PyErr_Clear();
    }
    return type;
}

static int may_fault(PyObject *obj) {
    if (obj == NULL)
        return 0;
    if (Py_IS_TYPE(obj, &Map_Type))
        return 1;
    /* Exact types that never map files answer at once. */
    if (PyBytes_CheckExact(obj) || PyByteArray_CheckExact(obj))
        return 0;
    PyObject *mm = mmap_type();
    if (mm && PyObject_TypeCheck(obj, (PyTypeObject *)mm))
        return 1;
    /* numpy.memmap and its subclasses. */
    for (PyTypeObject *t = Py_TYPE(obj); t != NULL; t = t->tp_base)
        if (strcmp(t->tp_name, "numpy.memmap") == 0)
            return 1;
    return 0;
}

/* The mapping of exporter, and the bytes [*at, *at + *len) of it that v
 * reaches; 0, or -1 with an exception set (what: the method's name). */
static int view_span(PyObject *exporter, const mv_view *v, const char *what,
                     mv_owner **out, mv_ssize *at, mv_ssize *len) {
    int st = mv_view_check_released(v);
    if (st < 0)
        return mvpy_raise_status_int(st);
    if (exporter == NULL || !Py_IS_TYPE(exporter, &Map_Type)) {
        PyErr_Format(PyExc_TypeError,
                     "%s() needs a view of a file mapped by memview.map", what);
        return -1;
    }
    mv_owner *o = ((MapObject *)exporter)->owner;
    mv_layout l = {.buf = v->buf,
                   .nbytes = v->nbytes,
                   .itemsize = v->itemsize,
                   .format = v->format,
                   .ndim = v->ndim,
                   .shape = v->shape,
                   .strides = v->strides,
                   .suboffsets = v->suboffsets,
                   .readonly = 1};
    mv_ssize lo = 0, hi = 0;
    if ((st = mv_layout_extent(&l, &lo, &hi)) < 0)
        return mvpy_raise_status_int(st);
    *out = o;
    *at = (v->buf - (char *)mv_owner_data(o)) + lo;
    *len = hi - lo;
    return 0;
}

PyObject *mvpy_flush(PyObject *exporter, const mv_view *v) {
    mv_owner *o;
    mv_ssize at, len;
    if (view_span(exporter, v, "flush", &o, &at, &len) < 0)
        return NULL;
    if (len > 0) {
        int st;
        Py_BEGIN_ALLOW_THREADS
        st = mv_owner_flush(o, at, len);
        Py_END_ALLOW_THREADS
        if (st < 0)
            return mvpy_raise_status(st);
    }
    Py_RETURN_NONE;
}

/* An advice's name as mv_advice; -1 with ValueError for another name. */
static int advice_of(PyObject *name, mv_advice *out) {
    static const char *names[] = {"normal", "sequential", "random", "willneed",
                                  "dontneed"};
    const char *s = PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
    if (s == NULL && PyErr_Occurred())
        return -1;
    for (int i = 0; s && i < (int)(sizeof names / sizeof names[0]); i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (mv_advice)i;
            return 0;
        }
    PyErr_Format(PyExc_ValueError,
                 "advice must be 'normal', 'sequential', 'random', 'willneed' "
                 "or 'dontneed', not %R",
                 name);
    return -1;
}

/* memoryview.advise(advice): the hint for the bytes of the file the view
 * reaches. */
static PyObject *mview_advise(MViewObject *self, PyObject *name) {
    mv_advice a;
    mv_owner *o;
    mv_ssize at, len;
    PyObject *exporter =
        self->mbuf && self->mbuf->master ? self->mbuf->master->obj : NULL;
    if (advice_of(name, &a) < 0 ||
        view_span(exporter, &self->view, "advise", &o, &at, &len) < 0)
        return NULL;
    int st = len > 0 ? mv_owner_advise(o, at, len, a) : MV_OK;
    if (st < 0)
        return mvpy_raise_status(st);
    Py_RETURN_NONE;
}

PyMethodDef mvpy_map_methods[] = {
    {"advise", (PyCFunction)mview_advise, METH_O,
     "advise($self, advice, /)\n--\n\n"
     "Tell the system how the bytes of the file this view reaches will be\n"
     "read: 'sequential', 'random', 'willneed' (start reading them now),\n"
     "'dontneed' or 'normal' (madvise). A view of memview.map() only; the\n"
     "hint changes speed, never results."},
    {NULL, NULL, 0, NULL},
};

void mvpy_guard_owner(mv_owner *o, PyObject *obj) {
    if (obj != NULL && Py_IS_TYPE(obj, &Map_Type))
        mv_owner_guard_as(o, ((MapObject *)obj)->owner);
    else if (may_fault(obj))
        mv_owner_set_guarded(o);
}
