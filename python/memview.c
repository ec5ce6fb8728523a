/*
 * memview.c -- memview.memoryview, a drop-in for Python's memoryview.
 *
 * This file is an adapter. It turns Python objects into calls of the C
 * core (include/memview.h) and the core's statuses into exceptions; the
 * rules themselves (index checks, slicing, formats, ranges, casts and
 * their messages) live in the core. What stays here is what only Python
 * knows: the types of keys and values, argument parsing, the buffer
 * protocol's request flags, garbage collection.
 *
 * Ownership
 * ---------
 * A managed buffer (mbuf) stands for one buffer obtained from an exporter
 * with PyObject_GetBuffer(). The Py_buffer lives on the heap and belongs to
 * a wrapped core owner: the owner's release callback gives the buffer back
 * to the exporter when the last reference to the owner is gone.
 *
 *   - The mbuf holds the owner's creator handle, so while the mbuf lives,
 *     the Py_buffer (and its reference to the exporter) lives. That makes
 *     the mbuf the one object through which the collector sees that
 *     reference: mbuf_traverse visits it, mbuf_clear drops the handle.
 *   - Every live (unreleased) memoryview holds one core view of the owner
 *     and one reference to the mbuf. release() gives both back, so the
 *     exporter gets its buffer back as soon as the last view is released,
 *     as with the builtin.
 *   - A view embeds its core mv_view, whose shape and strides point into
 *     the object itself: objects never move, so this is safe.
 *   - Buffers lent out by bf_getbuffer are counted by the core view
 *     (mv_view_export/unexport); release() is refused while any is alive.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <string.h>

#include "memview.h"
#include "map.h"

/* Public API that Python 3.9 does not have yet, in its 3.10 meaning. */
#if PY_VERSION_HEX < 0x030A0000
static inline PyObject *mv_new_ref(PyObject *o) {
    Py_INCREF(o);
    return o;
}
static inline PyObject *mv_xnew_ref(PyObject *o) {
    Py_XINCREF(o);
    return o;
}
#define Py_NewRef(o) mv_new_ref((PyObject *)(o))
#define Py_XNewRef(o) mv_xnew_ref((PyObject *)(o))
static int PyModule_AddObjectRef(PyObject *mod, const char *name,
                                 PyObject *value) {
    Py_XINCREF(value);
    int rc = PyModule_AddObject(mod, name, value);
    if (rc < 0)
        Py_XDECREF(value);
    return rc;
}
/* Only pattern matching (3.10) reads it. */
#define Py_TPFLAGS_SEQUENCE 0
#endif

#include "adapter.h"

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

/* Raise the exception for a failing core status, with the core's message.
 * An OSError is built from errno, the text after "[Errno N] " and path
 * (may be NULL), so that it is errno's subclass (FileNotFoundError ...)
 * and reads as open() words it. Returns NULL so callers can
 * `return raise_status(st);`. */
PyObject *raise_status_path(int st, PyObject *path) {
    PyObject *exc;
    switch (st) {
    case MV_EINDEX: exc = PyExc_IndexError; break;
    case MV_ETYPE: exc = PyExc_TypeError; break;
    case MV_EVALUE: exc = PyExc_ValueError; break;
    case MV_ENOTIMPL: exc = PyExc_NotImplementedError; break;
    case MV_EBUFFER: exc = PyExc_BufferError; break;
    case MV_ENOMEM: exc = PyExc_MemoryError; break;
    case MV_EOVERFLOW: exc = PyExc_OverflowError; break;
    case MV_EOS: {
        /* "[Errno N] text: 'path'" -> OSError(N, "text", path) */
        const char *msg = mv_errmsg();
        const char *text = strstr(msg, "] ");
        text = text ? text + 2 : msg;
        const char *end = path ? strstr(text, ": '") : NULL;
        Py_ssize_t len = end ? end - text : (Py_ssize_t)strlen(text);
        PyObject *args =
            path ? Py_BuildValue("(is#O)", mv_errno(), text, len, path)
                 : Py_BuildValue("(is#)", mv_errno(), text, len);
        if (args) {
            PyErr_SetObject(PyExc_OSError, args);
            Py_DECREF(args);
        }
        return NULL;
    }
    default: exc = PyExc_SystemError; break;
    }
    PyErr_SetString(exc, mv_errmsg());
    return NULL;
}

PyObject *raise_status(int st) { return raise_status_path(st, NULL); }

static int raise_status_int(int st) {
    raise_status(st);
    return -1;
}

/* ------------------------------------------------------------------------
 * Managed buffer
 * ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    mv_owner *owner;   /* creator handle; NULL once cleared */
    Py_buffer *master; /* the exporter's buffer, freed with the owner */
    PyObject *obj;     /* what .obj answers (NULL: None) */
    PyObject *base;    /* the exporter whose hash a view's hash needs */
} MBufObject;

static PyTypeObject MBuf_Type;

/* The owner's release callback: runs once, when the last view and the
 * creator handle are gone. Every view is a Python object, so this runs
 * with the GIL held; ensure it anyway for C code that might keep a view. */
void master_release(void *ctx, void *data, mv_ssize len) {
    (void)data;
    (void)len;
    PyGILState_STATE g = PyGILState_Ensure();
    Py_buffer *b = ctx;
    PyBuffer_Release(b);
    PyMem_Free(b);
    PyGILState_Release(g);
}

static int mbuf_traverse(MBufObject *self, visitproc visit, void *arg) {
    Py_VISIT(self->obj);
    Py_VISIT(self->base);
    if (self->owner && self->master)
        Py_VISIT(self->master->obj);
    return 0;
}

/* The creator handle is kept until dealloc: views that borrow it may still
 * be reached (by finalizers) while a cycle is being broken. The cycle
 * breaks when the views' own clear drops their references to the mbuf. */
static int mbuf_clear(MBufObject *self) {
    Py_CLEAR(self->obj);
    Py_CLEAR(self->base);
    return 0;
}

static void mbuf_dealloc(MBufObject *self) {
    PyObject_GC_UnTrack(self);
    mbuf_clear(self);
    mv_owner *o = self->owner;
    self->owner = NULL;
    self->master = NULL;
    mv_owner_release(o);
    PyObject_GC_Del(self);
}

static PyTypeObject MBuf_Type = {
    .ob_base = {PyObject_HEAD_INIT(NULL) 0},
    .tp_name = "memview._managedbuffer",
    .tp_basicsize = sizeof(MBufObject),
    .tp_dealloc = (destructor)mbuf_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)mbuf_traverse,
    .tp_clear = (inquiry)mbuf_clear,
};

/* ------------------------------------------------------------------------
 * The memoryview object
 * ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    mv_view view;
    MBufObject *mbuf; /* NULL once released */
    PyObject *weakreflist;
} MViewObject;

/* A heap type (created at import) so that its __module__ is "memview";
 * its tp_name is then set to the builtin's, "memoryview", which Python's
 * own messages quote ("unhashable type: 'memoryview'", ...). */
static PyTypeObject *MView_Type;
static PyTypeObject MViewIter_Type;

#define MView_Check(op) Py_IS_TYPE(op, MView_Type)

/* Messages of Python-level rules the core cannot see (the kinds of keys). */
#define MSG_0DIM "invalid indexing of 0-dim memory"
#define MSG_BADKEY "memoryview: invalid slice key"

/* Objects of dead views, kept for reuse (slicing in a loop makes and drops
 * one per step). Linked through their mbuf field; all untracked. Guarded by
 * the GIL like everything here. */
#define FREELIST_MAX 16
static MViewObject *freelist;
static int freelist_len;

/* A new, untracked object whose view the caller fills in. */
static inline MViewObject *mview_alloc(void) {
    MViewObject *m = freelist;
    if (m != NULL) {
        freelist = (MViewObject *)m->mbuf;
        freelist_len--;
        /* A fresh reference count and a reference to the (heap) type,
         * as PyObject_GC_New gives. */
        (void)PyObject_Init((PyObject *)m, MView_Type);
    } else {
        m = PyObject_GC_New(MViewObject, MView_Type);
        if (m == NULL)
            return NULL;
    }
    m->mbuf = NULL;
    m->weakreflist = NULL;
    return m;
}

/* Free an untracked object whose view is released or was never made. */
static inline void mview_free(MViewObject *m) {
    Py_DECREF(MView_Type);
    if (freelist_len < FREELIST_MAX) {
        m->mbuf = (MBufObject *)freelist;
        freelist = m;
        freelist_len++;
    } else {
        PyObject_GC_Del(m);
    }
}

/* Finish an object whose view is filled in: share src's mbuf, track. */
static inline PyObject *mview_finish(MViewObject *m, MBufObject *mbuf) {
    Py_INCREF(mbuf);
    m->mbuf = mbuf;
    PyObject_GC_Track(m);
    return (PyObject *)m;
}

/* Fail unless the view is live. */
#define CHECK_RELEASED(self)                                                   \
    do {                                                                       \
        if (mv_view_is_released(&(self)->view))                                \
            return raise_status(mv_view_check_released(&(self)->view));        \
    } while (0)
#define CHECK_RELEASED_INT(self)                                               \
    do {                                                                       \
        if (mv_view_is_released(&(self)->view))                                \
            return raise_status_int(mv_view_check_released(&(self)->view));    \
    } while (0)

/* The core's description of a Py_buffer's layout. */
mv_layout layout_of(const Py_buffer *b) {
    mv_layout l = {
        .buf = b->buf,
        .nbytes = b->len,
        .itemsize = b->itemsize,
        .format = b->format,
        .ndim = b->ndim,
        .shape = b->shape,
        .strides = b->strides,
        .suboffsets = b->suboffsets,
        .readonly = b->readonly,
    };
    return l;
}

/* An owner of the memory a layout reaches (from buf, strides may go
 * backwards), lent by an exporter. An indirect layout's memory is wherever
 * its pointers lead: the owner then stands for buf and len only. */
int wrap_layout(mv_owner **o, const mv_layout *l, mv_release_fn fn, void *ctx) {
    char *start = l->buf;
    mv_ssize size = l->nbytes;
    if (!l->suboffsets) {
        mv_ssize lo, hi;
        int st = mv_layout_extent(l, &lo, &hi);
        if (st < 0)
            return st;
        if (hi > lo) {
            start = (char *)((uintptr_t)l->buf + (uintptr_t)lo);
            size = hi - lo;
        } else {
            size = 0;
        }
    }
    return mv_owner_wrap(o, start, size, l->readonly, fn, ctx);
}

/* obj's buffer, asked with the request flags, in PyMem_Malloc'd memory
 * (master_release gives both back); NULL with an exception set. */
Py_buffer *buffer_take(PyObject *obj, int flags) {
    Py_buffer *b = PyMem_Malloc(sizeof *b);
    if (b == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    if (PyObject_GetBuffer(obj, b, flags) < 0) {
        PyMem_Free(b);
        return NULL;
    }
    return b;
}

/* A managed buffer for exporter, asked with the request flags, and self's
 * view of all of it. */
static int mview_init_from_exporter(MViewObject *self, PyObject *exporter,
                                    PyObject *attr_obj, PyObject *base,
                                    int flags) {
    Py_buffer *b = buffer_take(exporter, flags);
    if (b == NULL)
        return -1;
    MBufObject *mbuf = PyObject_GC_New(MBufObject, &MBuf_Type);
    if (mbuf == NULL) {
        PyBuffer_Release(b);
        PyMem_Free(b);
        return -1;
    }
    mbuf->owner = NULL;
    mbuf->master = NULL;
    mbuf->obj = NULL;
    mbuf->base = NULL;

    mv_layout l = layout_of(b);
    mv_owner *o;
    int st = wrap_layout(&o, &l, master_release, b);
    if (st < 0) {
        PyBuffer_Release(b);
        PyMem_Free(b);
        Py_DECREF(mbuf);
        return raise_status_int(st);
    }
    mvpy_guard_owner(o, b->obj); /* python/map.c */
    mbuf->owner = o;
    mbuf->master = b;
    if (attr_obj == NULL)
        attr_obj = base = b->obj;
    mbuf->obj = Py_XNewRef(attr_obj);
    mbuf->base = Py_XNewRef(base);
    PyObject_GC_Track(mbuf);

    st = mv_view_from_layout(&self->view, o, &l);
    if (st < 0) {
        Py_DECREF(mbuf); /* releases the buffer */
        return raise_status_int(st);
    }
    self->mbuf = mbuf;
    return 0;
}

/* Python's memoryview(object), whose buffer is asked with the request
 * flags (PyBUF_FULL_RO for memoryview(); memoryview._from_flags() passes
 * its own). A memoryview is viewed as it is, whatever the flags. */
static PyObject *mview_from_object_flags(PyObject *obj, int flags) {
    MViewObject *self;
    if (MView_Check(obj)) {
        MViewObject *src = (MViewObject *)obj;
        CHECK_RELEASED(src);
        if ((self = mview_alloc()) == NULL)
            return NULL;
        int st = mv_view_new(&self->view, &src->view);
        if (st < 0) {
            mview_free(self);
            return raise_status(st);
        }
        return mview_finish(self, src->mbuf);
    }
    if (PyMemoryView_Check(obj)) {
        /* A builtin view is an exporter like any other (.obj is obj), but
         * its buffer is taken through a private builtin view of the same
         * managed buffer, so that releasing obj is not blocked by us. */
        PyObject *inner = PyMemoryView_FromObject(obj);
        if (inner == NULL)
            return NULL;
        if ((self = mview_alloc()) == NULL) {
            Py_DECREF(inner);
            return NULL;
        }
        int rc = mview_init_from_exporter(
            self, inner, obj, PyMemoryView_GET_BUFFER(obj)->obj, PyBUF_FULL_RO);
        Py_DECREF(inner);
        if (rc < 0) {
            mview_free(self);
            return NULL;
        }
        PyObject_GC_Track(self);
        return (PyObject *)self;
    }
    if (!PyObject_CheckBuffer(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "memoryview: a bytes-like object is required, not "
                     "'%.200s'",
                     Py_TYPE(obj)->tp_name);
        return NULL;
    }
    if ((self = mview_alloc()) == NULL)
        return NULL;
    if (mview_init_from_exporter(self, obj, NULL, NULL, flags) < 0) {
        mview_free(self);
        return NULL;
    }
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

static PyObject *mview_from_object(PyObject *obj) {
    return mview_from_object_flags(obj, PyBUF_FULL_RO);
}

#if PY_VERSION_HEX >= 0x030C0000
static int long_as_int(PyObject *o, int *out);

/* memoryview._from_flags(object, flags), Python 3.12's classmethod. */
static PyObject *mview_from_flags(PyObject *type, PyObject *args,
                                  PyObject *kwds) {
    static char *kwlist[] = {"object", "flags", NULL};
    PyObject *obj, *flags_obj;
    int flags;
    (void)type;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO:_from_flags", kwlist, &obj,
                                     &flags_obj))
        return NULL;
    if (long_as_int(flags_obj, &flags) < 0)
        return NULL;
    return mview_from_object_flags(obj, flags);
}
#endif

static PyObject *mview_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"object", NULL};
    PyObject *obj;
    (void)type;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:memoryview", kwlist, &obj))
        return NULL;
    return mview_from_object(obj);
}

static PyObject *mview_vectorcall(PyObject *type, PyObject *const *args,
                                  size_t nargsf, PyObject *kwnames) {
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (nargs == 1 && kwnames == NULL)
        return mview_from_object(args[0]);
    /* Rare forms: let the ordinary argument parser speak. */
    PyObject *tuple = PyTuple_New(nargs);
    if (tuple == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < nargs; i++)
        PyTuple_SET_ITEM(tuple, i, Py_NewRef(args[i]));
    PyObject *kw = NULL;
    if (kwnames && PyTuple_GET_SIZE(kwnames)) {
        kw = PyDict_New();
        if (kw == NULL) {
            Py_DECREF(tuple);
            return NULL;
        }
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(kwnames); i++) {
            if (PyDict_SetItem(kw, PyTuple_GET_ITEM(kwnames, i),
                               args[nargs + i]) < 0) {
                Py_DECREF(kw);
                Py_DECREF(tuple);
                return NULL;
            }
        }
    }
    PyObject *res = mview_new((PyTypeObject *)type, tuple, kw);
    Py_XDECREF(kw);
    Py_DECREF(tuple);
    return res;
}

/* Give back the core view and the mbuf. Fails while buffers are lent. */
static int mview_release_view(MViewObject *self) {
    int st = mv_view_release(&self->view);
    if (st < 0)
        return raise_status_int(st);
    Py_CLEAR(self->mbuf);
    return 0;
}

static void mview_dealloc(MViewObject *self) {
    PyObject_GC_UnTrack(self);
    if (self->weakreflist != NULL)
        PyObject_ClearWeakRefs((PyObject *)self);
    (void)mv_view_release(&self->view);
    Py_CLEAR(self->mbuf);
    mview_free(self);
}

static int mview_traverse(MViewObject *self, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->mbuf);
    return 0;
}

static int mview_clear(MViewObject *self) {
    if (mv_view_exports(&self->view) == 0) {
        (void)mv_view_release(&self->view);
        Py_CLEAR(self->mbuf);
    }
    return 0;
}

static PyObject *mview_repr(MViewObject *self) {
    if (mv_view_is_released(&self->view))
        return PyUnicode_FromFormat("<released memory at %p>", self);
    return PyUnicode_FromFormat("<memory at %p>", self);
}

/* ------------------------------------------------------------------------
 * Values: Python objects <-> mv_value
 * ------------------------------------------------------------------------ */

/* Python's own small ints (the interpreter shares one object per value in
 * this range), looked up inline for speed: the same objects
 * PyLong_FromLong would return. */
#define SMALL_MIN (-5)
#define SMALL_MAX 256
static PyObject *small_ints[SMALL_MAX - SMALL_MIN + 1];

static int small_ints_init(void) {
    for (long i = SMALL_MIN; i <= SMALL_MAX; i++)
        if ((small_ints[i - SMALL_MIN] = PyLong_FromLong(i)) == NULL)
            return -1;
    return 0;
}

static inline PyObject *int_to_py(int64_t i) {
    if (i >= SMALL_MIN && i <= SMALL_MAX)
        return Py_NewRef(small_ints[i - SMALL_MIN]);
#if LONG_MAX >= INT64_MAX
    return PyLong_FromLong((long)i);
#else
    return PyLong_FromLongLong(i);
#endif
}

/* One-byte bytes objects, shared by the interpreter as well. */
static PyObject *byte_objs[256];

static int byte_objs_init(void) {
    for (int i = 0; i < 256; i++) {
        char c = (char)i;
        if ((byte_objs[i] = PyBytes_FromStringAndSize(&c, 1)) == NULL)
            return -1;
    }
    return 0;
}

static inline PyObject *uint_to_py(uint64_t u) {
    if (u <= SMALL_MAX)
        return Py_NewRef(small_ints[u - SMALL_MIN]);
    if (u <= (uint64_t)LONG_MAX)
        return PyLong_FromLong((long)u);
    return PyLong_FromUnsignedLongLong(u);
}

/* Out of line: keeps value_to_py small enough to inline everywhere. */
__attribute__((noinline, cold)) static PyObject *
complex_to_py(const mv_value *v) {
    return PyComplex_FromDoubles(v->z.re, v->z.im);
}

static inline PyObject *value_to_py(const mv_value *v) {
    switch (v->type) {
    case MV_VAL_INT: return int_to_py(v->i);
    case MV_VAL_UINT: return uint_to_py(v->u);
    case MV_VAL_FLOAT: return PyFloat_FromDouble(v->f);
    case MV_VAL_BOOL: return PyBool_FromLong((long)v->i);
    case MV_VAL_BYTES:
        if (v->s.len == 1)
            return Py_NewRef(byte_objs[(unsigned char)v->s.ptr[0]]);
        return PyBytes_FromStringAndSize(v->s.ptr, v->s.len);
    case MV_VAL_COMPLEX: return complex_to_py(v);
    default:
        PyErr_SetString(PyExc_SystemError, "memview: unexpected value type");
        return NULL;
    }
}

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
static int py_to_value_kind(mv_kind kind, PyObject *x, mv_value *out) {
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

/* Items of v read as tuples (a compiled format of several values): they
 * go through the format engine's walks instead of one mv_value. */
static inline int tuple_items(const mv_view *v) {
    return !mv_view_format_char(v) && v->fmtdesc &&
           !mv_format_scalar(v->fmtdesc);
}

/* Convert x for storing into an item of v. For a compiled format of one
 * value, a tuple or list of that one value is taken too, as struct-based
 * exporters (_testbuffer.ndarray) take it. */
static int py_to_value_for(const mv_view *v, PyObject *x, mv_value *out) {
    if (mv_view_format_char(v) || !v->fmtdesc)
        return py_to_value_kind(mv_format_kind(v->format), x, out);
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
    return py_to_value_kind(fd->kind, x, out);
}

/* Convert x for comparing with items (count, index): by its own type. */
static void py_to_value(PyObject *x, mv_value *out) {
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

/* ------------------------------------------------------------------------
 * Keys
 * ------------------------------------------------------------------------ */

static inline int index_check(PyObject *x) {
    PyNumberMethods *nb = Py_TYPE(x)->tp_as_number;
    return nb != NULL && nb->nb_index != NULL;
}

/* An index key as Py_ssize_t; too large: IndexError as the builtin. */
static inline Py_ssize_t key_to_index(PyObject *key) {
    if (PyLong_CheckExact(key)) {
        Py_ssize_t i = PyLong_AsSsize_t(key);
        if (i != -1 || !PyErr_Occurred())
            return i;
        PyErr_Clear();
    }
    return PyNumber_AsSsize_t(key, PyExc_IndexError);
}

static int is_multiindex(PyObject *key) {
    if (!PyTuple_Check(key))
        return 0;
    Py_ssize_t n = PyTuple_GET_SIZE(key);
    for (Py_ssize_t i = 0; i < n; i++)
        if (!index_check(PyTuple_GET_ITEM(key, i)))
            return 0;
    return 1;
}

/* A tuple of indexes and slices (the empty tuple too). */
static int is_key_tuple(PyObject *key) {
    if (!PyTuple_Check(key))
        return 0;
    Py_ssize_t n = PyTuple_GET_SIZE(key);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *x = PyTuple_GET_ITEM(key, i);
        if (!index_check(x) && !PySlice_Check(x))
            return 0;
    }
    return 1;
}

/* The indexes of a tuple key. More than MV_MAXDIM entries: the count only
 * (the core refuses the tuple before reading it). */
static int tuple_to_indexes(PyObject *key, mv_ssize *idx, int *n) {
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
static int check_item_format(const mv_view *v) {
    int st = mv_view_check_item(v);
    return st < 0 ? raise_status_int(st) : 0;
}

/* A key that selects a view (memview does more than the builtin here):
 * an index, or a tuple of indexes and slices, as mv_keyitem entries for
 * mv_view_select. Returns 1 when converted, 0 when key is of another kind,
 * -1 with an exception set. A tuple of more than MV_MAXDIM entries gives
 * the count only (the core refuses it before reading it). */
static int key_to_items(PyObject *key, mv_keyitem *items, int *n) {
    if (index_check(key)) {
        items[0].is_slice = 0;
        items[0].index = key_to_index(key);
        if (items[0].index == -1 && PyErr_Occurred())
            return -1;
        *n = 1;
        return 1;
    }
    if (!is_key_tuple(key))
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

/* Items of compiled formats of several values (defined with tolist). */
static PyObject *item_to_py(const mv_format *f, const char *ptr);
static int pack_from_py(const mv_view *v, char *ptr, PyObject *value);

/* ------------------------------------------------------------------------
 * Sequence and mapping
 * ------------------------------------------------------------------------ */

/* len(): a 0-D view has length 1 up to Python 3.11 and none from 3.12 on,
 * as the builtin of the interpreter the module is built for. */
#if PY_VERSION_HEX >= 0x030C0000
#define view_length mv_view_length_nd
#else
#define view_length mv_view_length
#endif

static Py_ssize_t mview_length(MViewObject *self) {
    if (!mv_view_is_released(&self->view) && self->view.ndim > 0)
        return self->view.shape[0];
    mv_ssize n;
    int st = view_length(&self->view, &n);
    if (st < 0)
        return raise_status_int(st);
    return n;
}

/* m[index] of a 1-D view of a tuple format. */
/* Out of line and cold: the native formats' m[i] must not pay for it. */
__attribute__((noinline, cold)) static PyObject *tuple_item(MViewObject *self,
                                                            Py_ssize_t index) {
    char *ptr;
    int st = mv_view_check_item(&self->view);
    if (st == 0)
        st = mv_view_item_ptr(&self->view, index, &ptr);
    if (st < 0)
        return raise_status(st);
    return item_to_py(self->view.fmtdesc, ptr);
}

static PyObject *mview_item(MViewObject *self, Py_ssize_t index) {
    if (__builtin_expect(!mv_view_format_char(&self->view), 0) &&
        tuple_items(&self->view) && !mv_view_is_released(&self->view))
        return tuple_item(self, index);
    mv_value v;
    int st = mv_view_get(&self->view, index, &v);
    if (st < 0)
        return raise_status(st);
    return value_to_py(&v);
}

static PyObject *mview_subscript(MViewObject *self, PyObject *key) {
    mv_view *v = &self->view;
    CHECK_RELEASED(self);

    if (v->ndim == 0) {
        if (PyTuple_Check(key) && PyTuple_GET_SIZE(key) == 0) {
            if (tuple_items(v)) {
                int st = mv_view_check_item(v);
                if (st < 0)
                    return raise_status(st);
                return item_to_py(v->fmtdesc, v->buf);
            }
            mv_value val;
            int st = mv_view_getn(v, NULL, 0, &val);
            if (st < 0)
                return raise_status(st);
            return value_to_py(&val);
        }
        if (key == Py_Ellipsis)
            return Py_NewRef(self);
        PyErr_SetString(PyExc_TypeError, MSG_0DIM);
        return NULL;
    }

    if (index_check(key)) {
        Py_ssize_t i = key_to_index(key);
        if (i == -1 && PyErr_Occurred())
            return NULL;
        if (v->ndim == 1)
            return mview_item(self, i);
        /* Beyond the builtin: the sub-view at i, as NumPy's a[i]. */
        MViewObject *m = mview_alloc();
        if (m == NULL)
            return NULL;
        int st = mv_view_subview(&m->view, v, i);
        if (st < 0) {
            mview_free(m);
            return raise_status(st);
        }
        return mview_finish(m, self->mbuf);
    }
    if (PySlice_Check(key)) {
        /* The new view exists before the slice's indexes are read (their
         * __index__ may release self), as with the builtin. */
        Py_ssize_t start, stop, step;
        MViewObject *m = mview_alloc();
        if (m == NULL)
            return NULL;
        /* The mbuf both objects hold keeps the owner alive. */
        int st = mv_view_borrow(&m->view, v);
        if (st < 0) {
            mview_free(m);
            return raise_status(st);
        }
        mview_finish(m, self->mbuf);
        if (PySlice_Unpack(key, &start, &stop, &step) < 0) {
            Py_DECREF(m);
            return NULL;
        }
        st = mv_view_narrow(&m->view, start, stop, step);
        if (st < 0) {
            Py_DECREF(m);
            return raise_status(st);
        }
        return (PyObject *)m;
    }
    if (is_multiindex(key) && PyTuple_GET_SIZE(key) >= v->ndim) {
        mv_ssize idx[MV_MAXDIM];
        int n;
        mv_value val;
        if (check_item_format(v) < 0)
            return NULL;
        if (tuple_to_indexes(key, idx, &n) < 0)
            return NULL;
        if (tuple_items(v)) {
            char *ptr;
            int st = mv_view_item_ptrn(v, idx, n, &ptr);
            if (st < 0)
                return raise_status(st);
            return item_to_py(v->fmtdesc, ptr);
        }
        int st = mv_view_getn(v, idx, n, &val);
        if (st < 0)
            return raise_status(st);
        return value_to_py(&val);
    }
    /* Beyond the builtin: a tuple of indexes (fewer than ndim) and slices
     * selects a view, as NumPy's a[key]. The indexes are read first (their
     * __index__ may release self: the core then refuses). */
    mv_keyitem items[MV_MAXDIM];
    int n;
    int kind = key_to_items(key, items, &n);
    if (kind < 0)
        return NULL;
    if (kind > 0) {
        MViewObject *m = mview_alloc();
        if (m == NULL)
            return NULL;
        int st = mv_view_select(&m->view, v, items, n);
        if (st < 0) {
            mview_free(m);
            return raise_status(st);
        }
        return mview_finish(m, self->mbuf);
    }
    PyErr_SetString(PyExc_TypeError, MSG_BADKEY);
    return NULL;
}

/* A temporary core view of a Py_buffer (which the caller releases after
 * the view). */
static int view_of_buffer(mv_view *dst, Py_buffer *b) {
    mv_owner *o;
    mv_layout l = layout_of(b);
    int st = wrap_layout(&o, &l, NULL, NULL);
    if (st < 0)
        return st;
    mvpy_guard_owner(o, b->obj); /* python/map.c */
    st = mv_view_from_layout(dst, o, &l);
    mv_owner_release(o);
    return st;
}

/* A view of any exporter: ours directly (*tmp unused), others through a
 * Py_buffer. On success *src points to the view to use and *used tells
 * whether buf and *tmp need releasing. */
struct other_view {
    mv_view tmp;
    Py_buffer buf;
    const mv_view *view;
    int used;
};

static int other_view_get(struct other_view *ov, PyObject *obj) {
    ov->used = 0;
    if (MView_Check(obj)) {
        ov->view = &((MViewObject *)obj)->view;
        return 0;
    }
    if (PyObject_GetBuffer(obj, &ov->buf, PyBUF_FULL_RO) < 0)
        return -1;
    int st = view_of_buffer(&ov->tmp, &ov->buf);
    if (st < 0) {
        PyBuffer_Release(&ov->buf);
        return raise_status_int(st);
    }
    ov->view = &ov->tmp;
    ov->used = 1;
    return 0;
}

static void other_view_put(struct other_view *ov) {
    if (ov->used) {
        mv_view_release(&ov->tmp);
        PyBuffer_Release(&ov->buf);
        ov->used = 0;
    }
}

static int mview_ass_sub(MViewObject *self, PyObject *key, PyObject *value) {
    mv_view *v = &self->view;
    mv_value val;
    int st;

    /* The builtin's order: released, format, read-only, deletion. */
    st = mv_view_check_assign(v, value == NULL);
    if (st < 0)
        return raise_status_int(st);

    if (v->ndim == 0) {
        if (key == Py_Ellipsis ||
            (PyTuple_Check(key) && PyTuple_GET_SIZE(key) == 0)) {
            if (tuple_items(v))
                return pack_from_py(v, v->buf, value);
            if (py_to_value_for(v, value, &val) < 0)
                return -1;
            st = mv_view_setn(v, NULL, 0, &val);
            return st < 0 ? raise_status_int(st) : 0;
        }
        PyErr_SetString(PyExc_TypeError, MSG_0DIM);
        return -1;
    }

    if (index_check(key) && v->ndim == 1) {
        Py_ssize_t i = key_to_index(key);
        if (i == -1 && PyErr_Occurred())
            return -1;
        char *ptr;
        st = mv_view_item_ptr(v, i, &ptr); /* IndexError before the value */
        if (st < 0)
            return raise_status_int(st);
        if (tuple_items(v))
            return pack_from_py(v, ptr, value);
        if (py_to_value_for(v, value, &val) < 0)
            return -1;
        st = mv_view_set(v, i, &val);
        return st < 0 ? raise_status_int(st) : 0;
    }
    if (PySlice_Check(key)) {
        struct other_view src;
        Py_ssize_t start, stop, step;
        mv_view dst;
        if (other_view_get(&src, value) < 0)
            return -1;
        if (PySlice_Unpack(key, &start, &stop, &step) < 0) {
            other_view_put(&src);
            return -1;
        }
        st = mv_view_slice(&dst, v, start, stop, step);
        if (st == 0) {
            st = mv_view_assign(&dst, src.view);
            mv_view_release(&dst);
        }
        other_view_put(&src);
        return st < 0 ? raise_status_int(st) : 0;
    }
    if (is_multiindex(key) && PyTuple_GET_SIZE(key) >= v->ndim) {
        mv_ssize idx[MV_MAXDIM];
        int n;
        if (tuple_to_indexes(key, idx, &n) < 0)
            return -1;
        if (n <= MV_MAXDIM) {
            char *ptr;
            st = mv_view_item_ptrn(v, idx, n, &ptr);
            if (st < 0)
                return raise_status_int(st);
            if (tuple_items(v))
                return pack_from_py(v, ptr, value);
        }
        if (py_to_value_for(v, value, &val) < 0)
            return -1;
        st = mv_view_setn(v, idx, n, &val);
        return st < 0 ? raise_status_int(st) : 0;
    }
    /* Beyond the builtin: an index of an N-D view, or a tuple of indexes
     * (fewer than ndim) and slices, selects the view to copy the buffer
     * into. As for slices, the value must be an exporter, taken first. */
    if (index_check(key) || is_key_tuple(key)) {
        struct other_view src;
        mv_keyitem items[MV_MAXDIM];
        int n;
        mv_view dst;
        if (other_view_get(&src, value) < 0)
            return -1;
        if (key_to_items(key, items, &n) < 0) {
            other_view_put(&src);
            return -1;
        }
        st = mv_view_select(&dst, v, items, n);
        if (st == 0) {
            st = mv_view_assign(&dst, src.view);
            mv_view_release(&dst);
        }
        other_view_put(&src);
        return st < 0 ? raise_status_int(st) : 0;
    }
    PyErr_SetString(PyExc_TypeError, MSG_BADKEY);
    return -1;
}

/* ------------------------------------------------------------------------
 * Iteration
 * ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    Py_ssize_t index;
    Py_ssize_t length;
    MViewObject *seq; /* NULL when exhausted */
} MViewIterObject;

static PyObject *mview_iter(MViewObject *self) {
    int st = mv_view_check_iter(&self->view);
    if (st < 0)
        return raise_status(st);
    MViewIterObject *it = PyObject_GC_New(MViewIterObject, &MViewIter_Type);
    if (it == NULL)
        return NULL;
    it->index = 0;
    it->length = mview_length(self);
    if (it->length < 0 && PyErr_Occurred()) {
        it->seq = NULL;
        Py_DECREF(it);
        return NULL;
    }
    it->seq = (MViewObject *)Py_NewRef(self);
    PyObject_GC_Track(it);
    return (PyObject *)it;
}

static PyObject *mviewiter_next(MViewIterObject *it) {
    MViewObject *seq = it->seq;
    if (seq == NULL)
        return NULL;
    if (it->index < it->length) {
        const mv_view *v = &seq->view;
        /* Bytes, the common case: a live flat 'B' view's items are the
         * cached small ints. */
        if (mv_view_format_char(v) == 'B' && mv_view_is_flat(v))
            return Py_NewRef(
                small_ints[(unsigned char)v->buf[it->index++] - SMALL_MIN]);
        CHECK_RELEASED(seq);
        return mview_item(seq, it->index++);
    }
    it->seq = NULL;
    Py_DECREF(seq);
    return NULL;
}

static void mviewiter_dealloc(MViewIterObject *it) {
    PyObject_GC_UnTrack(it);
    Py_XDECREF(it->seq);
    PyObject_GC_Del(it);
}

static int mviewiter_traverse(MViewIterObject *it, visitproc visit, void *arg) {
    Py_VISIT(it->seq);
    return 0;
}

static PyTypeObject MViewIter_Type = {
    .ob_base = {PyObject_HEAD_INIT(NULL) 0},
    .tp_name = "memview.memory_iterator",
    .tp_basicsize = sizeof(MViewIterObject),
    .tp_dealloc = (destructor)mviewiter_dealloc,
    .tp_getattro = PyObject_GenericGetAttr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)mviewiter_traverse,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)mviewiter_next,
};

/* ------------------------------------------------------------------------
 * Buffer protocol
 * ------------------------------------------------------------------------ */

#define REQ(flags, f) (((flags) & (f)) == (f))

/* Lend v's buffer to a consumer as owner's export, with the rules and
 * messages of CPython's memory_getbuf(): one home for both memview's
 * memoryview and the holder objects of coreview.c. */
int export_view(PyObject *owner, mv_view *v, Py_buffer *b, int flags) {
    int c = mv_view_is_c_contiguous(v), f = mv_view_is_f_contiguous(v);
    int readonly = (v->flags & MV_READONLY) != 0;
    const char *msg = NULL;

    b->format = (flags & PyBUF_FORMAT) ? (char *)v->format : NULL;
    if ((flags & PyBUF_WRITABLE) && readonly)
        msg = "memoryview: underlying buffer is not writable";
    else if (REQ(flags, PyBUF_C_CONTIGUOUS) && !c)
        msg = "memoryview: underlying buffer is not C-contiguous";
    else if (REQ(flags, PyBUF_F_CONTIGUOUS) && !f)
        msg = "memoryview: underlying buffer is not Fortran contiguous";
    else if (REQ(flags, PyBUF_ANY_CONTIGUOUS) && !c && !f)
        msg = "memoryview: underlying buffer is not contiguous";
    else if (!REQ(flags, PyBUF_INDIRECT) && v->suboffsets)
        msg = "memoryview: underlying buffer requires suboffsets";
    else if (!REQ(flags, PyBUF_STRIDES) && !c)
        msg = "memoryview: underlying buffer is not C-contiguous";
    else if (!REQ(flags, PyBUF_ND) && b->format != NULL)
        msg = "memoryview: cannot cast to unsigned bytes if the format flag "
              "is present";
    if (msg) {
        PyErr_SetString(PyExc_BufferError, msg);
        return -1;
    }

    int st = mv_view_export(v);
    if (st < 0)
        return raise_status_int(st);
    b->buf = v->buf;
    b->obj = Py_NewRef(owner);
    b->len = v->nbytes;
    b->itemsize = v->itemsize;
    b->readonly = readonly;
    b->ndim = v->ndim;
    b->shape = v->ndim ? v->shape : NULL;
    b->strides = v->ndim && REQ(flags, PyBUF_STRIDES) ? v->strides : NULL;
    b->suboffsets = v->ndim ? v->suboffsets : NULL;
    b->internal = NULL;
    if (!REQ(flags, PyBUF_ND)) {
        b->ndim = 1;
        b->shape = NULL;
    }
    return 0;
}

static int mview_getbuf(MViewObject *self, Py_buffer *b, int flags) {
    CHECK_RELEASED_INT(self);
    return export_view((PyObject *)self, &self->view, b, flags);
}

static void mview_releasebuf(MViewObject *self, Py_buffer *b) {
    (void)b;
    mv_view_unexport(&self->view);
}

/* ------------------------------------------------------------------------
 * Comparison and hash
 * ------------------------------------------------------------------------ */

static PyObject *mview_richcompare(PyObject *a, PyObject *b, int op) {
    if (op != Py_EQ && op != Py_NE)
        Py_RETURN_NOTIMPLEMENTED;
    MViewObject *self = (MViewObject *)a;
    int eq;
    if (mv_view_is_released(&self->view)) {
        eq = a == b;
    } else {
        struct other_view ov;
        if (MView_Check(b) && mv_view_is_released(&((MViewObject *)b)->view)) {
            eq = a == b;
        } else {
            if (other_view_get(&ov, b) < 0) {
                PyErr_Clear(); /* not an exporter: not comparable */
                Py_RETURN_NOTIMPLEMENTED;
            }
            int st = mv_view_equal(&self->view, ov.view, &eq);
            other_view_put(&ov);
            if (st < 0)
                return raise_status(st);
        }
    }
    if (op == Py_NE)
        eq = !eq;
    return Py_NewRef(eq ? Py_True : Py_False);
}

/* The interpreter's string hash (PEP 456), and its cutoff below which
 * bytes are hashed by another function (sys.hash_info.cutoff, 0 in the
 * default build). Read at import. */
static PyHash_FuncDef *hash_func;
static Py_ssize_t hash_cutoff;

static int hash_init(void) {
    hash_func = PyHash_GetFuncDef();
    PyObject *info = PySys_GetObject("hash_info"); /* borrowed */
    PyObject *cutoff = info ? PyObject_GetAttrString(info, "cutoff") : NULL;
    if (cutoff == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_RuntimeError, "memview: no sys.hash_info");
        return -1;
    }
    hash_cutoff = PyLong_AsSsize_t(cutoff);
    Py_DECREF(cutoff);
    return hash_cutoff == -1 && PyErr_Occurred() ? -1 : 0;
}

/* hash(bytes(data[:len])), computed as the interpreter computes it. */
static Py_hash_t hash_memory(const void *data, mv_ssize len) {
    if (len == 0)
        return 0;
    if (len < hash_cutoff) { /* a few bytes: let bytes itself say */
        PyObject *b = PyBytes_FromStringAndSize(data, len);
        if (b == NULL)
            return -1;
        Py_hash_t h = PyObject_Hash(b);
        Py_DECREF(b);
        return h;
    }
    Py_hash_t h = hash_func->hash(data, len);
    return h == -1 ? -2 : h;
}

/* The Python error is set: the status only stops the core. */
static int hash_bytes(void *ctx, const void *data, mv_ssize len, int64_t *out) {
    PyObject *obj = ctx;
    /* The builtin hashes the exporter first and keeps its error. */
    if (obj != NULL && PyObject_Hash(obj) == -1)
        return MV_EVALUE;
    Py_hash_t hash = hash_memory(data, len);
    if (hash == -1) /* only a failed allocation */
        return MV_ENOMEM;
    *out = (int64_t)hash;
    return MV_OK;
}

static Py_hash_t mview_hash(MViewObject *self) {
    int64_t out;
    int st = mv_view_hash(&self->view, hash_bytes,
                          self->mbuf ? self->mbuf->base : NULL, &out);
    if (st < 0)
        return PyErr_Occurred() ? -1 : raise_status_int(st);
    return out == -1 ? -2 : (Py_hash_t)out;
}

/* ------------------------------------------------------------------------
 * Methods
 * ------------------------------------------------------------------------ */

/* Beyond the builtin: flush a view of a file mapping (python/map.c). */
static PyObject *mview_flush(MViewObject *self, PyObject *unused) {
    (void)unused;
    PyObject *exporter =
        self->mbuf && self->mbuf->master ? self->mbuf->master->obj : NULL;
    return mvpy_flush(exporter, &self->view);
}

static PyObject *mview_release(MViewObject *self, PyObject *unused) {
    (void)unused;
    if (mview_release_view(self) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *mview_enter(MViewObject *self, PyObject *unused) {
    (void)unused;
    CHECK_RELEASED(self);
    return Py_NewRef(self);
}

static PyObject *mview_exit(MViewObject *self, PyObject *args) {
    (void)args;
    return mview_release(self, NULL);
}

static PyObject *mview_tobytes(MViewObject *self, PyObject *args,
                               PyObject *kwds) {
    static char *kwlist[] = {"order", NULL};
    int ord = MV_ORDER_C;
#if PY_VERSION_HEX < 0x030A0000
    /* Python 3.9: the released check comes first, then the arguments are
     * parsed as "|z" (with that parser's messages). */
    const char *order_s = NULL;
    CHECK_RELEASED(self);
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|z", kwlist, &order_s))
        return NULL;
    if (order_s != NULL)
        ord = strlen(order_s) == 1 ? (unsigned char)order_s[0] : 0;
#else
    PyObject *order = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:tobytes", kwlist, &order))
        return NULL;
    if (order != NULL && order != Py_None) {
        if (!PyUnicode_Check(order)) {
            PyErr_Format(PyExc_TypeError,
                         "tobytes() argument 'order' must be str or None, "
                         "not %.50s",
                         Py_TYPE(order)->tp_name);
            return NULL;
        }
        Py_ssize_t n;
        const char *s = PyUnicode_AsUTF8AndSize(order, &n);
        if (s == NULL)
            return NULL;
        if ((Py_ssize_t)strlen(s) != n) {
            PyErr_SetString(PyExc_ValueError, "embedded null character");
            return NULL;
        }
        /* The core judges the order; anything but one character is no
         * order at all. */
        ord = n == 1 ? (unsigned char)s[0] : 0;
    }
    CHECK_RELEASED(self);
#endif
    PyObject *bytes = PyBytes_FromStringAndSize(NULL, self->view.nbytes);
    if (bytes == NULL)
        return NULL;
    int st = mv_view_tobytes_into(&self->view, PyBytes_AS_STRING(bytes),
                                  self->view.nbytes, (mv_order)ord);
    if (st < 0) {
        Py_DECREF(bytes);
        return raise_status(st);
    }
    return bytes;
}

/* An int argument as the builtin's argument parser converts it (its
 * messages too): objects with __index__, and an OverflowError beyond a C
 * int. Up to 3.9 a float is refused by name before any conversion. */
static int long_as_int(PyObject *o, int *out) {
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

static PyObject *mview_hex(MViewObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"sep", "bytes_per_sep", NULL};
    PyObject *sep = NULL, *bps = NULL;
    int bytes_per_sep = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OO:hex", kwlist, &sep, &bps))
        return NULL;
    if (bps != NULL) {
        if (long_as_int(bps, &bytes_per_sep) < 0)
            return NULL;
    }
    CHECK_RELEASED(self);

    int32_t sch = MV_HEX_NOSEP;
    if (sep != NULL) { /* an explicit None has no len(), as the builtin */
        Py_ssize_t n = PyObject_Length(sep);
        if (n < 0)
            return NULL;
        if (n == 1 && !PyUnicode_Check(sep) && !PyBytes_Check(sep)) {
            PyErr_SetString(PyExc_TypeError, "sep must be str or bytes.");
            return NULL;
        }
        uint32_t first = n != 1 ? 0
                         : PyUnicode_Check(sep)
                             ? PyUnicode_READ_CHAR(sep, 0)
                             : (unsigned char)PyBytes_AS_STRING(sep)[0];
        int st = mv_view_check_hex_sep(n, first, &sch);
        if (st < 0)
            return raise_status(st);
    }
    char *out;
    mv_ssize outlen;
    int st = mv_view_hex(&self->view, sch, bytes_per_sep, &out, &outlen);
    if (st < 0)
        return raise_status(st);
    PyObject *res = PyUnicode_New(outlen, 127);
    if (res != NULL)
        memcpy(PyUnicode_1BYTE_DATA(res), out, (size_t)outlen);
    mv_free(out);
    return res;
}

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
        x = uint_to_py(v->u);
    else if (v->type == MV_VAL_INT)
        x = int_to_py(v->i);
    else
        x = value_to_py(v);
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
        lb->result = value_to_py(v);
        return lb->result ? 0 : MV_ENOMEM;
    }
    PyObject **slot = lb->slot;
    mv_ssize k = 0;
    switch (v[0].type) {
    case MV_VAL_UINT: LB_CONVERT(uint_to_py(v[k].u)); break;
    case MV_VAL_INT: LB_CONVERT(int_to_py(v[k].i)); break;
    case MV_VAL_FLOAT: LB_CONVERT(PyFloat_FromDouble(v[k].f)); break;
    default: LB_CONVERT(value_to_py(&v[k])); break;
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

static PyObject *item_to_py(const mv_format *f, const char *ptr) {
    static const mv_walker w = {lb_begin, lb_item, lb_end, NULL};
    struct list_builder lb;
    if (lb_init(&lb, 0, f->tuple_depth + 1) < 0)
        return NULL;
    int st = mv_item_walk(f, ptr, &w, &lb);
    lb_done(&lb);
    if (st < 0) {
        Py_XDECREF(lb.result);
        return PyErr_Occurred() ? NULL : raise_status(st);
    }
    return lb.result;
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
    return py_to_value_kind(field->kind, x, out) < 0 ? MV_EVALUE : 0;
}

static int src_end(void *ctx, int depth) {
    struct py_source *s = ctx;
    (void)depth;
    Py_DECREF(s->seq[--s->depth]);
    return 0;
}

/* Store value into the item at ptr of v (a tuple format). 0, or -1 with
 * an exception set; nothing is written on failure. */
static int pack_from_py(const mv_view *v, char *ptr, PyObject *value) {
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
        return PyErr_Occurred() ? -1 : raise_status_int(st);
    return 0;
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
#define RF_I(u) int_to_py((int64_t)(u))
#define RF_U(u) uint_to_py((uint64_t)(u))
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
RF_CONV(rf_i16s, uint16_t, (int16_t)__builtin_bswap16, RF_I)
RF_CONV(rf_u16, uint16_t, RF_KEEP, RF_U)
RF_CONV(rf_u16s, uint16_t, __builtin_bswap16, RF_U)
RF_CONV(rf_i32, int32_t, RF_KEEP, RF_I)
RF_CONV(rf_i32s, uint32_t, (int32_t)__builtin_bswap32, RF_I)
RF_CONV(rf_u32, uint32_t, RF_KEEP, RF_U)
RF_CONV(rf_u32s, uint32_t, __builtin_bswap32, RF_U)
RF_CONV(rf_i64, int64_t, RF_KEEP, RF_I)
RF_CONV(rf_i64s, uint64_t, (int64_t)__builtin_bswap64, RF_I)
RF_CONV(rf_u64, uint64_t, RF_KEEP, RF_U)
RF_CONV(rf_u64s, uint64_t, __builtin_bswap64, RF_U)
RF_CONV(rf_f32, uint32_t, RF_KEEP, RF_F32)
RF_CONV(rf_f32s, uint32_t, __builtin_bswap32, RF_F32)
RF_CONV(rf_f64, uint64_t, RF_KEEP, RF_F64)
RF_CONV(rf_f64s, uint64_t, __builtin_bswap64, RF_F64)
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
    return st < 0 ? raise_status(st) : value_to_py(&x);
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

static PyObject *mview_tolist(MViewObject *self, PyObject *unused) {
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
        return raise_status(st);
    }
    return lb.result;
}

static PyObject *mview_toreadonly(MViewObject *self, PyObject *unused) {
    (void)unused;
    CHECK_RELEASED(self);
    MViewObject *m = mview_alloc();
    if (m == NULL)
        return NULL;
    int st = mv_view_readonly(&m->view, &self->view);
    if (st < 0) {
        mview_free(m);
        return raise_status(st);
    }
    return mview_finish(m, self->mbuf);
}

/* The builtin checks the shape's Python types only after some of the
 * core's rules. To keep that order, the core first judges the cast with a
 * stand-in shape of ndim entries whose product fits ([1, ..., 1, n]): an
 * error then is one the builtin reports first. */
static int cast_probe(const mv_view *v, const char *fmt, int ndim) {
    mv_ssize itemsize = mv_format_itemsize(fmt);
    mv_ssize dims[MV_MAXDIM];
    for (int i = 0; i < ndim; i++)
        dims[i] = 1;
    if (ndim > 0 && itemsize > 0)
        dims[ndim - 1] = v->nbytes / itemsize;
    mv_view tmp;
    int st = mv_view_cast(&tmp, v, fmt, dims, ndim);
    if (st == 0)
        mv_view_release(&tmp);
    return st;
}

/* Before Python 3.12 the builtin cannot cast to the half-float format 'e'
 * (it is not among its native formats then); from 3.12 on it can, as the
 * core always does. The refusal comes where the builtin checks the
 * destination format: after the checks of the source and of the number of
 * dimensions (ndim: -1 without a shape), which the core makes first.
 * Returns 1 with an exception set when the cast is refused. */
static int half_float_refused(const mv_view *v, const char *fmt,
                              Py_ssize_t ndim) {
#if PY_VERSION_HEX < 0x030C0000
    if (strcmp(fmt, "e") != 0 && strcmp(fmt, "@e") != 0)
        return 0;
    int st;
    if (ndim > MV_MAXDIM) { /* refused before the shape is read */
        mv_view tmp;
        st = mv_view_cast(&tmp, v, "B", NULL,
                          ndim > INT_MAX ? INT_MAX : (int)ndim);
        if (st == 0)
            mv_view_release(&tmp);
    } else {
        st = cast_probe(v, "B", (int)ndim);
    }
    if (st < 0)
        raise_status(st);
    else
        PyErr_SetString(PyExc_ValueError,
                        "memoryview: destination format must be a native "
                        "single character format prefixed with an optional "
                        "'@'");
    return 1;
#else
    (void)v;
    (void)fmt;
    (void)ndim;
    return 0;
#endif
}

static PyObject *mview_cast(MViewObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"format", "shape", NULL};
    PyObject *format, *shape = NULL;
#if PY_VERSION_HEX < 0x030A0000
    /* Python 3.9: released check first, the parser's unnamed messages. */
    CHECK_RELEASED(self);
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O", kwlist, &format,
                                     &shape))
        return NULL;
    if (!PyUnicode_Check(format)) {
        PyErr_SetString(PyExc_TypeError,
                        "memoryview: format argument must be a string");
        return NULL;
    }
#else
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:cast", kwlist, &format,
                                     &shape))
        return NULL;
    if (!PyUnicode_Check(format)) {
        PyErr_Format(PyExc_TypeError,
                     "cast() argument 'format' must be str, not %.50s",
                     Py_TYPE(format)->tp_name);
        return NULL;
    }
    CHECK_RELEASED(self);
#endif
    const char *fmt = PyUnicode_AsUTF8(format);
    if (fmt == NULL)
        return NULL;

    mv_ssize *dims = NULL;
    int ndim = -1;
    if (shape == NULL && half_float_refused(&self->view, fmt, -1))
        return NULL;
    if (shape != NULL) {
        if (!PyList_Check(shape) && !PyTuple_Check(shape)) {
            int st = cast_probe(&self->view, "B", 1);
            if (st < 0)
                return raise_status(st);
            PyErr_SetString(PyExc_TypeError, "shape must be a list or a tuple");
            return NULL;
        }
        Py_ssize_t n = PySequence_Fast_GET_SIZE(shape);
        if (half_float_refused(&self->view, fmt, n))
            return NULL;
        if (n > MV_MAXDIM) {
            ndim = n > INT_MAX ? INT_MAX : (int)n; /* the core refuses it */
        } else {
            dims = PyMem_Malloc(sizeof *dims * (size_t)(n ? n : 1));
            if (dims == NULL)
                return PyErr_NoMemory();
            for (Py_ssize_t i = 0; i < n; i++) {
                PyObject *x = PySequence_Fast_GET_ITEM(shape, i);
                if (PyLong_Check(x))
                    dims[i] = PyLong_AsSsize_t(x);
                if (!PyLong_Check(x) || (dims[i] == -1 && PyErr_Occurred())) {
                    PyMem_Free(dims);
                    PyObject *et, *ev, *tb;
                    PyErr_Fetch(&et, &ev, &tb);
                    int st = cast_probe(&self->view, fmt, (int)n);
                    if (st < 0) {
                        Py_XDECREF(et);
                        Py_XDECREF(ev);
                        Py_XDECREF(tb);
                        return raise_status(st);
                    }
                    if (et != NULL) {
                        PyErr_Restore(et, ev, tb);
                        return NULL;
                    }
                    PyErr_SetString(PyExc_TypeError,
                                    "memoryview.cast(): elements of shape "
                                    "must be integers");
                    return NULL;
                }
            }
            ndim = (int)n;
        }
    }
    MViewObject *m = mview_alloc();
    if (m == NULL) {
        PyMem_Free(dims);
        return NULL;
    }
    int st = mv_view_cast(&m->view, &self->view, fmt, dims, ndim);
    PyMem_Free(dims);
    if (st < 0) {
        mview_free(m);
        return raise_status(st);
    }
    return mview_finish(m, self->mbuf);
}

/* Values of other types (Decimal, Fraction, NumPy scalars, complex, ...)
 * are compared by Python's own ==, item by item, over [start, stop) of a
 * live 1-D view; the core still judges everything else. Returns the
 * number of matches (count) or the first match's index (find), -1 when
 * none, -2 on error. */
static Py_ssize_t scan_by_python(MViewObject *self, PyObject *value,
                                 Py_ssize_t start, Py_ssize_t stop, int count) {
    Py_ssize_t n = 0;
    for (Py_ssize_t i = start; i < stop; i++) {
        if (i >= self->view.shape[0] || mv_view_is_released(&self->view))
            break; /* an __eq__ released or changed us */
        PyObject *item = mview_item(self, i);
        if (item == NULL)
            return -2;
        int eq = PyObject_RichCompareBool(item, value, Py_EQ);
        Py_DECREF(item);
        if (eq < 0)
            return -2;
        if (eq && !count)
            return i;
        n += eq;
    }
    return count ? n : -1;
}

static int python_scan_applies(MViewObject *self, const mv_value *x) {
    const mv_view *v = &self->view;
    if (mv_view_is_released(v) || v->ndim != 1)
        return 0;
    if (tuple_items(v)) /* items are tuples: Python compares them */
        return mv_view_check_item(v) == 0;
    return x->type == MV_VAL_OTHER && (mv_view_format_char(v) || v->fmtdesc);
}

static PyObject *mview_count(MViewObject *self, PyObject *value) {
    mv_value x;
    mv_ssize n;
    py_to_value(value, &x);
    if (python_scan_applies(self, &x)) {
        n = scan_by_python(self, value, 0, self->view.shape[0], 1);
        return n < 0 ? NULL : PyLong_FromSsize_t(n);
    }
    int st = mv_view_count(&self->view, &x, &n);
    if (st < 0)
        return raise_status(st);
    return PyLong_FromSsize_t(n);
}

/* A start or stop argument as index() of a sequence converts it: any
 * object with __index__, clamped to the Py_ssize_t range. */
static int slice_index(PyObject *v, Py_ssize_t *out) {
    if (!PyIndex_Check(v)) {
        PyErr_SetString(PyExc_TypeError,
                        "slice indices must be integers or have an __index__ "
                        "method");
        return -1;
    }
    Py_ssize_t x = PyNumber_AsSsize_t(v, NULL);
    if (x == -1 && PyErr_Occurred())
        return -1;
    *out = x;
    return 0;
}

static PyObject *mview_index(MViewObject *self, PyObject *const *args,
                             Py_ssize_t nargs) {
    Py_ssize_t start = 0, stop = PY_SSIZE_T_MAX;
    if (nargs < 1 || nargs > 3) {
        PyErr_Format(PyExc_TypeError, "index expected %s%d argument%s, got %zd",
                     nargs < 1 ? "at least " : "at most ", nargs < 1 ? 1 : 3,
                     nargs < 1 ? "" : "s", nargs);
        return NULL;
    }
    PyObject *value = args[0];
    if (nargs > 1 && slice_index(args[1], &start) < 0)
        return NULL;
    if (nargs > 2 && slice_index(args[2], &stop) < 0)
        return NULL;
    mv_value x;
    mv_ssize at;
    py_to_value(value, &x);
    if (python_scan_applies(self, &x)) {
        mv_slice_adjust(self->view.shape[0], &start, &stop, 1);
        at = scan_by_python(self, value, start, stop, 0);
        if (at >= 0)
            return PyLong_FromSsize_t(at);
        if (at == -2)
            return NULL;
        /* not found: the core says so in its words */
    }
    int st = mv_view_index(&self->view, &x, start, stop, &at);
    if (st < 0)
        return raise_status(st);
    return PyLong_FromSsize_t(at);
}

static PyMethodDef mview_methods[] = {
    {"__reduce_ex__", (PyCFunction)mvpy_reduce_ex, METH_O, NULL},
    {"__dlpack__", (PyCFunction)(void (*)(void))mvpy_dlpack,
     METH_VARARGS | METH_KEYWORDS, MVPY_DLPACK_DOC},
    {"__dlpack_device__", (PyCFunction)mvpy_dlpack_device, METH_NOARGS,
     MVPY_DLPACK_DEVICE_DOC},
    {"release", (PyCFunction)mview_release, METH_NOARGS,
     "Release the underlying buffer exposed by the memoryview object."},
    {"tobytes", (PyCFunction)(void (*)(void))mview_tobytes,
     METH_VARARGS | METH_KEYWORDS,
     "Return the data in the buffer as a byte string."},
    {"hex", (PyCFunction)(void (*)(void))mview_hex,
     METH_VARARGS | METH_KEYWORDS,
     "Return the data in the buffer as a str of hexadecimal numbers."},
    {"tolist", (PyCFunction)mview_tolist, METH_NOARGS,
     "Return the data in the buffer as a list of elements."},
    {"cast", (PyCFunction)(void (*)(void))mview_cast,
     METH_VARARGS | METH_KEYWORDS,
     "Cast a memoryview to a new format or shape."},
    {"toreadonly", (PyCFunction)mview_toreadonly, METH_NOARGS,
     "Return a readonly version of the memoryview."},
    {"count", (PyCFunction)mview_count, METH_O,
     "Count the number of occurrences of a value."},
    {"index", (PyCFunction)(void (*)(void))mview_index, METH_FASTCALL,
     "Return the index of the first occurrence of a value."},
#if PY_VERSION_HEX >= 0x030C0000
    {"_from_flags", (PyCFunction)(void (*)(void))mview_from_flags,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "Create a new memoryview object which references the given object."},
#endif
    {"flush", (PyCFunction)mview_flush, METH_NOARGS,
     PyDoc_STR("Write changes to a view of memview.map() to the file.")},
    {"__enter__", (PyCFunction)mview_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)mview_exit, METH_VARARGS,
     "Release the underlying buffer exposed by the memoryview object."},
    {NULL, NULL, 0, NULL},
};

/* ------------------------------------------------------------------------
 * Attributes
 * ------------------------------------------------------------------------ */

static PyObject *ssize_tuple(int n, const mv_ssize *vals) {
    if (vals == NULL)
        return PyTuple_New(0);
    PyObject *t = PyTuple_New(n);
    if (t == NULL)
        return NULL;
    for (int i = 0; i < n; i++) {
        PyObject *x = PyLong_FromSsize_t(vals[i]);
        if (x == NULL) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, i, x);
    }
    return t;
}

static PyObject *get_obj(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    PyObject *o = self->mbuf ? self->mbuf->obj : NULL;
    return Py_NewRef(o ? o : Py_None);
}
static PyObject *get_nbytes(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return PyLong_FromSsize_t(self->view.nbytes);
}
static PyObject *get_readonly(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return PyBool_FromLong((self->view.flags & MV_READONLY) != 0);
}
static PyObject *get_itemsize(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return PyLong_FromSsize_t(self->view.itemsize);
}
static PyObject *get_format(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return PyUnicode_FromString(self->view.format);
}
static PyObject *get_ndim(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return PyLong_FromLong(self->view.ndim);
}
static PyObject *get_shape(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return ssize_tuple(self->view.ndim, self->view.shape);
}
static PyObject *get_strides(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return ssize_tuple(self->view.ndim, self->view.strides);
}
static PyObject *get_suboffsets(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return ssize_tuple(self->view.ndim, self->view.suboffsets);
}
static PyObject *get_c_contiguous(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return PyBool_FromLong(mv_view_is_c_contiguous(&self->view));
}
static PyObject *get_f_contiguous(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return PyBool_FromLong(mv_view_is_f_contiguous(&self->view));
}
static PyObject *get_contiguous(MViewObject *self, void *c) {
    (void)c;
    CHECK_RELEASED(self);
    return PyBool_FromLong(mv_view_is_contiguous(&self->view));
}

#define GETTER(name, fn, doc)                                                  \
    { name, (getter)fn, NULL, doc, NULL }
static PyGetSetDef mview_getset[] = {
    GETTER("obj", get_obj, "The underlying object of the memoryview."),
    GETTER("nbytes", get_nbytes,
           "The amount of space in bytes that the array would use in\n"
           " a contiguous representation."),
    GETTER("readonly", get_readonly,
           "A bool indicating whether the memory is read only."),
    GETTER("itemsize", get_itemsize,
           "The size in bytes of each element of the memoryview."),
    GETTER("format", get_format,
           "A string containing the format (in struct module style)\n"
           " for each element in the view."),
    GETTER("ndim", get_ndim,
           "An integer indicating how many dimensions of a multi-dimensional\n"
           " array the memory represents."),
    GETTER("shape", get_shape,
           "A tuple of ndim integers giving the shape of the memory\n"
           " as an N-dimensional array."),
    GETTER("strides", get_strides,
           "A tuple of ndim integers giving the size in bytes to access\n"
           " each element for each dimension of the array."),
    GETTER("suboffsets", get_suboffsets,
           "A tuple of integers used internally for PIL-style arrays."),
    GETTER("c_contiguous", get_c_contiguous,
           "A bool indicating whether the memory is C contiguous."),
    GETTER("f_contiguous", get_f_contiguous,
           "A bool indicating whether the memory is Fortran contiguous."),
    GETTER("contiguous", get_contiguous,
           "A bool indicating whether the memory is contiguous."),
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef mview_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(MViewObject, weakreflist),
     READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot mview_slots[] = {
    {Py_tp_dealloc, (void *)mview_dealloc},
    {Py_tp_repr, (void *)mview_repr},
    {Py_tp_hash, (void *)mview_hash},
    {Py_tp_doc, (void *)"memoryview(object)\n--\n\n"
                        "Create a new memoryview object which references "
                        "the given object."},
    {Py_tp_traverse, (void *)mview_traverse},
    {Py_tp_clear, (void *)mview_clear},
    {Py_tp_richcompare, (void *)mview_richcompare},
#if PY_VERSION_HEX >= 0x030A0000
    /* Python 3.9's builtin has no __iter__: iter() makes a sequence
     * iterator over sq_item, which fails at the first next(). */
    {Py_tp_iter, (void *)mview_iter},
#endif
    {Py_tp_methods, mview_methods},
    {Py_tp_members, mview_members},
    {Py_tp_getset, mview_getset},
    {Py_tp_new, (void *)mview_new},
    {Py_mp_length, (void *)mview_length},
    {Py_mp_subscript, (void *)mview_subscript},
    {Py_mp_ass_subscript, (void *)mview_ass_sub},
    {Py_sq_length, (void *)mview_length},
    {Py_sq_item, (void *)mview_item},
    {Py_bf_getbuffer, (void *)mview_getbuf},
    {Py_bf_releasebuffer, (void *)mview_releasebuf},
    {0, NULL},
};

static PyType_Spec mview_spec = {
    .name = "memview.memoryview",
    .basicsize = sizeof(MViewObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_SEQUENCE,
    .slots = mview_slots,
};

/* ------------------------------------------------------------------------
 * Module
 * ------------------------------------------------------------------------ */

static struct PyModuleDef memview_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "memview._memview",
    .m_doc = "Zero-copy, typed, N-dimensional views over memory: "
             "memview.memoryview is a drop-in for the builtin memoryview.",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit__memview(void) {
#if PY_VERSION_HEX < 0x030A0000
    (void)mview_iter;
#endif
    if (PyType_Ready(&MBuf_Type) < 0 || PyType_Ready(&MViewIter_Type) < 0 ||
        mvpy_map_init() < 0 || small_ints_init() < 0 || byte_objs_init() < 0 ||
        hash_init() < 0)
        return NULL;
    if (MView_Type == NULL) {
        MView_Type = (PyTypeObject *)PyType_FromSpec(&mview_spec);
        if (MView_Type == NULL)
            return NULL;
        MView_Type->tp_name = "memoryview";
        MView_Type->tp_vectorcall = mview_vectorcall;
    }
    PyObject *m = PyModule_Create(&memview_module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddObjectRef(m, "memoryview", (PyObject *)MView_Type) < 0 ||
        PyModule_AddFunctions(m, mvpy_map_functions) < 0 ||
        PyModule_AddStringConstant(m, "__version__", MEMVIEW_VERSION) < 0 ||
        mvpy_module_init(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
